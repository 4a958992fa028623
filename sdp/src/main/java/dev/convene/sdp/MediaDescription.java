package dev.convene.sdp;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Predicate;

/**
 * One media description: the {@code m=} line and the lines under it, in their order.
 * Immutable. {@link #toString()} is the exact SDP text of the section, CRLF after each line.
 *
 * <p>The typed accessors read the attributes; those that RFC 8866 and its WebRTC extensions
 * allow at session level ({@code ice-ufrag}, {@code ice-pwd}, {@code ice-options},
 * {@code fingerprint}, {@code setup}, the direction, {@code extmap}) fall back to the
 * session's attributes when the media description belongs to a {@link SessionDescription}.
 */
public final class MediaDescription {
    public static final String AUDIO = "audio";
    public static final String VIDEO = "video";
    public static final String APPLICATION = "application";
    /** The profile of WebRTC media m-lines. */
    public static final String WEBRTC_PROTO = "UDP/TLS/RTP/SAVPF";
    /** The profile of the WebRTC data channel m-line. */
    public static final String DATA_CHANNEL_PROTO = "UDP/DTLS/SCTP";

    private final String type;
    private final int port;
    private final int portCount;
    private final String proto;
    private final List<String> formats;
    private final List<SdpLine> lines;
    /** The session's attributes, for fallbacks; not part of equality. */
    private final List<Attribute> sessionAttributes;

    /**
     * @param linesChecked true when the caller (the parser) has already checked every line,
     *                     so the checks need not run twice
     */
    MediaDescription(String type, int port, int portCount, String proto, List<String> formats,
                     List<SdpLine> lines, boolean linesChecked) {
        this.type = Syntax.requireToken(type, "media type");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, was " + port);
        }
        if (portCount < 0) {
            throw new IllegalArgumentException("port count must not be negative, was " + portCount);
        }
        this.port = port;
        this.portCount = portCount;
        this.proto = Syntax.requireToken(proto, "proto");
        this.formats = List.copyOf(formats);
        if (this.formats.isEmpty()) {
            throw new IllegalArgumentException("an m= line needs at least one format");
        }
        for (String f : this.formats) {
            Syntax.requireToken(f, "format");
            if (isRtp(proto) && !isPayloadType(f)) {
                throw new IllegalArgumentException("payload type " + Syntax.show(f) + " is not a number 0..127");
            }
        }
        this.lines = List.copyOf(lines);
        for (SdpLine line : this.lines) {
            if (line instanceof Timing || (line instanceof OtherLine o && "ik".indexOf(o.letter()) < 0)) {
                throw new IllegalArgumentException("'" + line.letter() + "=' lines are not allowed in a media description");
            }
            if (!linesChecked && line instanceof Attribute a) {
                try {
                    KnownAttributes.check(a);
                } catch (SdpParseException e) {
                    throw Syntax.invalid(e);
                }
            }
        }
        this.sessionAttributes = List.of();
    }

    private MediaDescription(MediaDescription m, List<Attribute> sessionAttributes) {
        this.type = m.type;
        this.port = m.port;
        this.portCount = m.portCount;
        this.proto = m.proto;
        this.formats = m.formats;
        this.lines = m.lines;
        this.sessionAttributes = List.copyOf(sessionAttributes);
    }

    /** A builder for an m-line of the given type with port 9 and {@code UDP/TLS/RTP/SAVPF}, as WebRTC writes them. */
    public static Builder builder(String type) {
        return new Builder(type, 9, WEBRTC_PROTO);
    }

    public static Builder builder(String type, int port, String proto) {
        return new Builder(type, port, proto);
    }

    /** A builder holding everything of this media description. */
    public Builder toBuilder() {
        Builder b = new Builder(type, port, proto);
        b.portCount = portCount;
        b.formats.addAll(formats);
        b.lines.addAll(lines);
        return b;
    }

    MediaDescription inSession(List<Attribute> sessionAttrs) {
        return new MediaDescription(this, sessionAttrs);
    }

    // --- the m= line ---------------------------------------------------------------------------

    /** {@code audio}, {@code video}, {@code application}, … */
    public String type() {
        return type;
    }

    public int port() {
        return port;
    }

    /** The {@code /<number of ports>} of the m= line, if written. */
    public OptionalInt portCount() {
        return portCount == 0 ? OptionalInt.empty() : OptionalInt.of(portCount);
    }

    /** The transport protocol, e.g. {@code UDP/TLS/RTP/SAVPF}. */
    public String proto() {
        return proto;
    }

    /** The formats of the m= line as written (payload types for RTP). */
    public List<String> formats() {
        return formats;
    }

    /** The formats as payload types, for RTP m-lines; empty for others. */
    public List<Integer> payloadTypes() {
        return isRtp(proto) ? formats.stream().map(Integer::valueOf).toList() : List.of();
    }

    /**
     * True when the port is 0 and the line is not {@code a=bundle-only}: the m-line was rejected
     * or stopped. RFC 8843 §6.3: an offerer gives a bundle-only line port 0 so that a peer without
     * BUNDLE rejects it, yet it is offered; GStreamer's webrtcbin (max-bundle) offers every line
     * but the first this way.
     */
    public boolean isRejected() {
        return port == 0 && !hasAttribute("bundle-only");
    }

    // --- the lines -----------------------------------------------------------------------------

    /** Every line after the m= line, in order. */
    public List<SdpLine> lines() {
        return lines;
    }

    /** The {@code a=} lines, in order. */
    public List<Attribute> attributes() {
        return lines.stream().filter(Attribute.class::isInstance).map(Attribute.class::cast).toList();
    }

    /** The {@code a=} lines with this name, in order. */
    public List<Attribute> attributes(String name) {
        return lines.stream().filter(l -> l instanceof Attribute a && a.name().equals(name))
                .map(Attribute.class::cast).toList();
    }

    public Optional<Attribute> findAttribute(String name) {
        return attributes(name).stream().findFirst();
    }

    public boolean hasAttribute(String name) {
        return findAttribute(name).isPresent();
    }

    /** The value of the first {@code a=name:value}; empty if there is none or it is a flag. */
    public Optional<String> attributeValue(String name) {
        return findAttribute(name).map(Attribute::value);
    }

    public Optional<Connection> connection() {
        return lines.stream().filter(Connection.class::isInstance).map(Connection.class::cast).findFirst();
    }

    public List<Bandwidth> bandwidths() {
        return lines.stream().filter(Bandwidth.class::isInstance).map(Bandwidth.class::cast).toList();
    }

    // --- transport -----------------------------------------------------------------------------

    public Optional<String> mid() {
        return attributeValue("mid");
    }

    /** The direction attribute of the media, else of the session, else sendrecv (RFC 3264 §5.1). */
    public Direction direction() {
        return firstDirection(attributes()).or(() -> firstDirection(sessionAttributes)).orElse(Direction.SENDRECV);
    }

    public Optional<String> iceUfrag() {
        return withFallback("ice-ufrag").map(Attribute::value);
    }

    public Optional<String> icePwd() {
        return withFallback("ice-pwd").map(Attribute::value);
    }

    /** The tokens of {@code a=ice-options}, e.g. {@code [trickle]}; empty when absent. */
    public List<String> iceOptions() {
        return withFallback("ice-options").map(a -> List.of(a.value().split(" "))).orElse(List.of());
    }

    /** The media's fingerprints, or when it has none, the session's. */
    public List<Fingerprint> fingerprints() {
        List<Attribute> own = attributes("fingerprint");
        List<Attribute> source = own.isEmpty() ? sessionAttributes("fingerprint") : own;
        return source.stream().map(a -> KnownAttributes.checked(Fingerprint::parse, a.value())).toList();
    }

    /** The first fingerprint, media level falling back to session level. */
    public Optional<Fingerprint> fingerprint() {
        return fingerprints().stream().findFirst();
    }

    public Optional<Setup> setup() {
        return withFallback("setup").map(a -> KnownAttributes.checked(Setup::parse, a.value()));
    }

    public boolean rtcpMux() {
        return hasAttribute("rtcp-mux");
    }

    public boolean rtcpRsize() {
        return hasAttribute("rtcp-rsize");
    }

    public List<Candidate> candidates() {
        return typed("candidate", Candidate::parse);
    }

    public boolean endOfCandidates() {
        return hasAttribute("end-of-candidates");
    }

    // --- codecs --------------------------------------------------------------------------------

    public List<RtpMap> rtpMaps() {
        return typed("rtpmap", RtpMap::parse);
    }

    public Optional<RtpMap> rtpMap(int payloadType) {
        return rtpMaps().stream().filter(r -> r.payloadType() == payloadType).findFirst();
    }

    public List<Fmtp> fmtps() {
        return typed("fmtp", Fmtp::parse);
    }

    public Optional<Fmtp> fmtp(int payloadType) {
        return fmtps().stream().filter(f -> f.payloadType() == payloadType).findFirst();
    }

    /** Every rtcp-fb line, including {@code *} ones. */
    public List<RtcpFeedback> rtcpFeedback() {
        return typed("rtcp-fb", RtcpFeedback::parse);
    }

    /** The rtcp-fb lines that apply to a payload type: its own and the {@code *} ones. */
    public List<RtcpFeedback> rtcpFeedback(int payloadType) {
        return rtcpFeedback().stream().filter(fb -> fb.appliesTo(payloadType)).toList();
    }

    /** The payload types that have an rtpmap, in m-line order, each with its fmtp and own rtcp-fb. */
    public List<Codec> codecs() {
        List<RtpMap> maps = rtpMaps();
        List<Fmtp> fmtps = fmtps();
        List<RtcpFeedback> feedback = rtcpFeedback();
        List<Codec> out = new ArrayList<>();
        for (int pt : new LinkedHashSet<>(payloadTypes())) {
            maps.stream().filter(r -> r.payloadType() == pt).findFirst().ifPresent(map -> out.add(new Codec(map,
                    fmtps.stream().filter(f -> f.payloadType() == pt).findFirst().orElse(null),
                    feedback.stream().filter(fb -> fb.payloadType() == pt).toList())));
        }
        return List.copyOf(out);
    }

    public Optional<Codec> codec(int payloadType) {
        return codecs().stream().filter(c -> c.payloadType() == payloadType).findFirst();
    }

    /** The first payload type (in m-line order) of the named codec, any case, at this clock rate. */
    public OptionalInt payloadTypeFor(String encodingName, int clockRate) {
        return codecs().stream().filter(c -> c.rtpMap().matches(encodingName, clockRate))
                .mapToInt(Codec::payloadType).findFirst();
    }

    /** The RTX payload type that carries retransmissions of a payload type ({@code a=fmtp:<rtx> apt=<pt>}). */
    public OptionalInt rtxPayloadTypeFor(int payloadType) {
        return codecs().stream()
                .filter(c -> c.isRtx() && c.fmtp() != null && c.fmtp().apt().orElse(-1) == payloadType)
                .mapToInt(Codec::payloadType).findFirst();
    }

    // --- RTP header extensions, streams, simulcast ---------------------------------------------

    /** The media's extmaps followed by session-level ones whose id the media does not use. */
    public List<Extmap> extmaps() {
        List<Extmap> own = typed("extmap", Extmap::parse);
        List<Extmap> out = new ArrayList<>(own);
        for (Attribute a : sessionAttributes("extmap")) {
            Extmap e = KnownAttributes.checked(Extmap::parse, a.value());
            if (own.stream().noneMatch(o -> o.id() == e.id())) {
                out.add(e);
            }
        }
        return List.copyOf(out);
    }

    public Optional<Extmap> extmap(String uri) {
        return extmaps().stream().filter(e -> e.uri().equals(uri)).findFirst();
    }

    public List<SsrcAttribute> ssrcAttributes() {
        return typed("ssrc", SsrcAttribute::parse);
    }

    /** The distinct SSRCs of the {@code a=ssrc} lines, in order of first appearance. */
    public List<Long> ssrcs() {
        return ssrcAttributes().stream().map(SsrcAttribute::ssrc).distinct().toList();
    }

    public List<SsrcGroup> ssrcGroups() {
        return typed("ssrc-group", SsrcGroup::parse);
    }

    public Optional<SsrcGroup> ssrcGroup(String semantics) {
        return ssrcGroups().stream().filter(g -> g.semantics().equals(semantics)).findFirst();
    }

    public List<Msid> msids() {
        return typed("msid", Msid::parse);
    }

    public Optional<Msid> msid() {
        return msids().stream().findFirst();
    }

    public List<Rid> rids() {
        return typed("rid", Rid::parse);
    }

    public Optional<Simulcast> simulcast() {
        return findAttribute("simulcast").map(a -> KnownAttributes.checked(Simulcast::parse, a.value()));
    }

    // --- text ----------------------------------------------------------------------------------

    /** The {@code m=} line without its CRLF. */
    public String mediaLine() {
        return "m=" + type + " " + port + (portCount > 0 ? "/" + portCount : "") + " " + proto + " " + String.join(" ", formats);
    }

    /** The section as SDP text: the m= line and every line under it, each ending in CRLF. */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        appendTo(out);
        return out.toString();
    }

    void appendTo(StringBuilder out) {
        out.append(mediaLine()).append("\r\n");
        for (SdpLine line : lines) {
            out.append(line).append("\r\n");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MediaDescription m && port == m.port && portCount == m.portCount && type.equals(m.type)
                && proto.equals(m.proto) && formats.equals(m.formats) && lines.equals(m.lines);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, port, portCount, proto, formats, lines);
    }

    // --- helpers -------------------------------------------------------------------------------

    static boolean isRtp(String proto) {
        return proto.contains("RTP/");
    }

    static boolean isPayloadType(String s) {
        return Syntax.isDigits(s) && s.length() <= 3 && Integer.parseInt(s) <= 127;
    }

    private <T> List<T> typed(String name, KnownAttributes.ValueParser<T> parser) {
        return attributes(name).stream().map(a -> KnownAttributes.checked(parser, a.value())).toList();
    }

    private List<Attribute> sessionAttributes(String name) {
        return sessionAttributes.stream().filter(a -> a.name().equals(name)).toList();
    }

    private Optional<Attribute> withFallback(String name) {
        return findAttribute(name).or(() -> sessionAttributes(name).stream().findFirst());
    }

    private static Optional<Direction> firstDirection(List<Attribute> attributes) {
        return attributes.stream().filter(Attribute::isFlag)
                .map(a -> Direction.fromSdpName(a.name())).flatMap(Optional::stream).findFirst();
    }

    /**
     * Builds a media description. Lines keep the order they are added in, except that the
     * builder puts them in RFC 8866 order by kind ({@code i= c= b= k=} before the attributes).
     * Setters named after a single-valued attribute ({@link #mid}, {@link #direction}, …)
     * replace an earlier one in place; {@code add…} methods append.
     */
    public static final class Builder {
        private static final String ORDER = "icbka";

        private final String type;
        private int port;
        private int portCount;
        private String proto;
        private final List<String> formats = new ArrayList<>();
        private final List<SdpLine> lines = new ArrayList<>();

        private Builder(String type, int port, String proto) {
            this.type = type;
            this.port = port;
            this.proto = proto;
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** The {@code /<number of ports>} suffix; 0 for none. */
        public Builder portCount(int portCount) {
            this.portCount = portCount;
            return this;
        }

        public Builder proto(String proto) {
            this.proto = proto;
            return this;
        }

        /** Appends a format to the m= line. */
        public Builder addFormat(String format) {
            formats.add(format);
            return this;
        }

        /** Replaces the m= line's formats. */
        public Builder formats(List<String> newFormats) {
            formats.clear();
            formats.addAll(newFormats);
            return this;
        }

        /** Sets the {@code c=} line, replacing an earlier one. */
        public Builder connection(Connection connection) {
            return replace(l -> l instanceof Connection, connection);
        }

        public Builder addBandwidth(Bandwidth bandwidth) {
            lines.add(bandwidth);
            return this;
        }

        /** Appends any line allowed in a media description. */
        public Builder addLine(SdpLine line) {
            lines.add(Objects.requireNonNull(line, "line"));
            return this;
        }

        public Builder addAttribute(Attribute attribute) {
            lines.add(Objects.requireNonNull(attribute, "attribute"));
            return this;
        }

        /** Appends {@code a=name:value}. */
        public Builder addAttribute(String name, String value) {
            return addAttribute(Attribute.of(name, value));
        }

        /** Appends the flag {@code a=name}. */
        public Builder addAttribute(String name) {
            return addAttribute(Attribute.flag(name));
        }

        /** Removes every attribute with this name. */
        public Builder removeAttributes(String name) {
            lines.removeIf(l -> l instanceof Attribute a && a.name().equals(name));
            return this;
        }

        public Builder mid(String mid) {
            return setAttribute(Attribute.of("mid", mid));
        }

        public Builder direction(Direction direction) {
            return replace(l -> l instanceof Attribute a && a.isFlag() && Direction.fromSdpName(a.name()).isPresent(),
                    direction.toAttribute());
        }

        public Builder iceCredentials(String ufrag, String pwd) {
            setAttribute(Attribute.of("ice-ufrag", ufrag));
            return setAttribute(Attribute.of("ice-pwd", pwd));
        }

        public Builder iceOptions(String... options) {
            return setAttribute(Attribute.of("ice-options", String.join(" ", options)));
        }

        public Builder fingerprint(Fingerprint fingerprint) {
            return setAttribute(fingerprint.toAttribute());
        }

        public Builder setup(Setup setup) {
            return setAttribute(setup.toAttribute());
        }

        public Builder rtcpMux() {
            return setAttribute(Attribute.flag("rtcp-mux"));
        }

        public Builder rtcpRsize() {
            return setAttribute(Attribute.flag("rtcp-rsize"));
        }

        public Builder addCandidate(Candidate candidate) {
            return addAttribute(candidate.toAttribute());
        }

        public Builder endOfCandidates() {
            return setAttribute(Attribute.flag("end-of-candidates"));
        }

        public Builder addExtmap(Extmap extmap) {
            return addAttribute(extmap.toAttribute());
        }

        public Builder msid(Msid msid) {
            return setAttribute(msid.toAttribute());
        }

        /**
         * Adds a payload type: its number to the m= line, then its rtpmap, rtcp-fb lines and
         * fmtp (Chromium's order).
         */
        public Builder addCodec(Codec codec) {
            formats.add(Integer.toString(codec.payloadType()));
            lines.add(codec.rtpMap().toAttribute());
            codec.feedback().forEach(fb -> lines.add(fb.toAttribute()));
            if (codec.fmtp() != null) {
                lines.add(codec.fmtp().toAttribute());
            }
            return this;
        }

        public Builder addRtcpFeedback(RtcpFeedback feedback) {
            return addAttribute(feedback.toAttribute());
        }

        public Builder addRid(Rid rid) {
            return addAttribute(rid.toAttribute());
        }

        public Builder simulcast(Simulcast simulcast) {
            return setAttribute(simulcast.toAttribute());
        }

        public Builder addSsrcGroup(SsrcGroup group) {
            return addAttribute(group.toAttribute());
        }

        public Builder addSsrc(SsrcAttribute ssrc) {
            return addAttribute(ssrc.toAttribute());
        }

        /** Appends {@code a=ssrc:<ssrc> <attribute>:<value>}, e.g. {@code cname} or {@code msid}. */
        public Builder addSsrc(long ssrc, String attribute, String value) {
            return addSsrc(new SsrcAttribute(ssrc, attribute, value));
        }

        /**
         * The media description.
         *
         * @throws IllegalArgumentException if something added is not valid SDP (an m= line
         *         without formats, a non-numeric RTP payload type, a malformed known attribute)
         */
        public MediaDescription build() {
            List<SdpLine> ordered = new ArrayList<>(lines);
            ordered.sort(Comparator.comparingInt(l -> ORDER.indexOf(l.letter())));
            return new MediaDescription(type, port, portCount, proto, formats, ordered, false);
        }

        private Builder setAttribute(Attribute attribute) {
            return replace(l -> l instanceof Attribute a && a.name().equals(attribute.name()), attribute);
        }

        private Builder replace(Predicate<SdpLine> same, SdpLine line) {
            Objects.requireNonNull(line, "line");
            for (int i = 0; i < lines.size(); i++) {
                if (same.test(lines.get(i))) {
                    lines.set(i, line);
                    lines.subList(i + 1, lines.size()).removeIf(same);
                    return this;
                }
            }
            lines.add(line);
            return this;
        }
    }
}
