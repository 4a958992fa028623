package dev.convene.sdp;

/**
 * One {@code <letter>=<content>} line inside the session part or a media description,
 * kept in the order it came in. {@code v=}, {@code o=}, {@code s=} and {@code m=} are held
 * by {@link SessionDescription} and {@link MediaDescription} themselves.
 * {@code toString()} is the line without its CRLF.
 */
public sealed interface SdpLine permits Attribute, Bandwidth, Connection, Timing, OtherLine {
    /** The type letter, e.g. {@code 'a'}. */
    char letter();

    /** Everything after {@code "<letter>="}. */
    String content();
}
