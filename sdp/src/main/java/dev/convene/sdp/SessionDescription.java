package dev.convene.sdp;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A whole SDP (RFC 8866): {@code v=}, {@code o=}, {@code s=}, the session-level lines in
 * their order, and the media descriptions. Immutable. {@link #toString()} is the SDP text
 * with CRLF line ends; for a description parsed from Chromium it is the input, byte for byte.
 *
 * <p>Make one with {@link SdpParser#parse(String)} or {@link #builder()}.
 */
public final class SessionDescription {
    private final Origin origin;
    private final String sessionName;
    private final List<SdpLine> lines;
    private final List<MediaDescription> media;

    /** @param linesChecked true when the parser has already checked every session-level line */
    SessionDescription(Origin origin, String sessionName, List<SdpLine> lines, List<MediaDescription> media,
                       boolean linesChecked) {
        this.origin = Objects.requireNonNull(origin, "origin");
        this.sessionName = Syntax.requireLineText(sessionName, "session name");
        this.lines = List.copyOf(lines);
        boolean timing = false;
        for (SdpLine line : this.lines) {
            timing |= line instanceof Timing;
            if (!linesChecked && line instanceof Attribute a) {
                try {
                    KnownAttributes.check(a);
                } catch (SdpParseException e) {
                    throw Syntax.invalid(e);
                }
            }
        }
        if (!timing) {
            throw new IllegalArgumentException("a session description needs a t= line");
        }
        List<Attribute> sessionAttributes = attributes();
        List<MediaDescription> inSession = new ArrayList<>();
        Set<String> mids = new HashSet<>();
        for (MediaDescription m : media) {
            m.mid().ifPresent(mid -> {
                if (!mids.add(mid)) {
                    throw new IllegalArgumentException("two media descriptions have mid " + Syntax.show(mid));
                }
            });
            inSession.add(m.inSession(sessionAttributes));
        }
        this.media = List.copyOf(inSession);
    }

    /** A builder with {@code v=0}, {@code s=-}, {@code t=0 0} and no origin yet. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding everything of this description. */
    public Builder toBuilder() {
        Builder b = new Builder().origin(origin).sessionName(sessionName);
        b.lines.clear();
        b.lines.addAll(lines);
        b.media.addAll(media);
        return b;
    }

    /** Always 0: the only SDP version there is. */
    public int version() {
        return 0;
    }

    public Origin origin() {
        return origin;
    }

    public String sessionName() {
        return sessionName;
    }

    /** The session-level lines between {@code s=} and the first {@code m=}, in order. */
    public List<SdpLine> lines() {
        return lines;
    }

    /** The first {@code t=} line. */
    public Timing timing() {
        return lines.stream().filter(Timing.class::isInstance).map(Timing.class::cast).findFirst().orElseThrow();
    }

    public Optional<Connection> connection() {
        return lines.stream().filter(Connection.class::isInstance).map(Connection.class::cast).findFirst();
    }

    public List<Bandwidth> bandwidths() {
        return lines.stream().filter(Bandwidth.class::isInstance).map(Bandwidth.class::cast).toList();
    }

    /** The session-level {@code a=} lines, in order. */
    public List<Attribute> attributes() {
        return lines.stream().filter(Attribute.class::isInstance).map(Attribute.class::cast).toList();
    }

    public List<Attribute> attributes(String name) {
        return attributes().stream().filter(a -> a.name().equals(name)).toList();
    }

    public Optional<Attribute> findAttribute(String name) {
        return attributes(name).stream().findFirst();
    }

    public boolean hasAttribute(String name) {
        return findAttribute(name).isPresent();
    }

    /** The value of the first session-level {@code a=name:value}; empty if absent or a flag. */
    public Optional<String> attributeValue(String name) {
        return findAttribute(name).map(Attribute::value);
    }

    /** The {@code a=group} lines. */
    public List<Group> groups() {
        return attributes("group").stream().map(a -> KnownAttributes.checked(Group::parse, a.value())).toList();
    }

    /** The first {@code a=group:BUNDLE}. */
    public Optional<Group> bundleGroup() {
        return groups().stream().filter(Group::isBundle).findFirst();
    }

    /** True when the session says {@code a=ice-lite}. */
    public boolean isIceLite() {
        return hasAttribute("ice-lite");
    }

    /** The session-level fingerprints (media descriptions fall back to these). */
    public List<Fingerprint> fingerprints() {
        return attributes("fingerprint").stream().map(a -> KnownAttributes.checked(Fingerprint::parse, a.value())).toList();
    }

    /** The media descriptions, in order. */
    public List<MediaDescription> media() {
        return media;
    }

    /** The media description with this {@code a=mid}. */
    public Optional<MediaDescription> media(String mid) {
        return media.stream().filter(m -> m.mid().filter(mid::equals).isPresent()).findFirst();
    }

    /** The mids of the media descriptions that have one, in order. */
    public List<String> mids() {
        return media.stream().map(MediaDescription::mid).flatMap(Optional::stream).toList();
    }

    /** The SDP text, each line ending in CRLF. */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder(1024);
        out.append("v=0\r\n").append(origin).append("\r\n").append("s=").append(sessionName).append("\r\n");
        for (SdpLine line : lines) {
            out.append(line).append("\r\n");
        }
        for (MediaDescription m : media) {
            m.appendTo(out);
        }
        return out.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SessionDescription s && origin.equals(s.origin) && sessionName.equals(s.sessionName)
                && lines.equals(s.lines) && media.equals(s.media);
    }

    @Override
    public int hashCode() {
        return Objects.hash(origin, sessionName, lines, media);
    }

    /**
     * Builds a session description. Session-level lines keep the order they are added in,
     * sorted by kind into RFC 8866 order ({@code i u e p c b t r z k a}).
     */
    public static final class Builder {
        /** RFC 8866 order; r= lines rank with the t= line they follow. */
        private static final String ORDER = "iuepcbtzka";

        private Origin origin;
        private String sessionName = "-";
        private final List<SdpLine> lines = new ArrayList<>(List.of(Timing.UNBOUNDED));
        private final List<MediaDescription> media = new ArrayList<>();

        private Builder() {}

        public Builder origin(Origin origin) {
            this.origin = Objects.requireNonNull(origin, "origin");
            return this;
        }

        public Builder sessionName(String sessionName) {
            this.sessionName = Objects.requireNonNull(sessionName, "sessionName");
            return this;
        }

        /** Replaces the {@code t=} line(s). */
        public Builder timing(Timing timing) {
            return replace(l -> l instanceof Timing, timing);
        }

        public Builder connection(Connection connection) {
            return replace(l -> l instanceof Connection, connection);
        }

        public Builder addBandwidth(Bandwidth bandwidth) {
            lines.add(Objects.requireNonNull(bandwidth, "bandwidth"));
            return this;
        }

        /** Appends any session-level line. */
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

        public Builder removeAttributes(String name) {
            lines.removeIf(l -> l instanceof Attribute a && a.name().equals(name));
            return this;
        }

        /** Sets {@code a=group:BUNDLE <mids>}, replacing an earlier BUNDLE group. */
        public Builder bundle(List<String> mids) {
            return replace(l -> l instanceof Attribute a && a.name().equals("group") && a.value() != null
                    && (a.value().equals(Group.BUNDLE) || a.value().startsWith(Group.BUNDLE + " ")),
                    Group.bundle(mids).toAttribute());
        }

        public Builder addGroup(Group group) {
            return addAttribute(group.toAttribute());
        }

        /** Adds {@code a=ice-lite}, as the SFU's descriptions carry. */
        public Builder iceLite() {
            return replace(l -> l instanceof Attribute a && a.name().equals("ice-lite"), Attribute.flag("ice-lite"));
        }

        /** Sets a session-level fingerprint, replacing earlier ones. */
        public Builder fingerprint(Fingerprint fingerprint) {
            return replace(l -> l instanceof Attribute a && a.name().equals("fingerprint"), fingerprint.toAttribute());
        }

        public Builder addMedia(MediaDescription mediaDescription) {
            media.add(Objects.requireNonNull(mediaDescription, "mediaDescription"));
            return this;
        }

        /** Replaces the media descriptions. */
        public Builder media(List<MediaDescription> newMedia) {
            media.clear();
            newMedia.forEach(this::addMedia);
            return this;
        }

        /**
         * The session description.
         *
         * @throws IllegalStateException    if no origin was set
         * @throws IllegalArgumentException if a line is not valid or two m-lines share a mid
         */
        public SessionDescription build() {
            if (origin == null) {
                throw new IllegalStateException("a session description needs an origin (o= line)");
            }
            List<SdpLine> ordered = new ArrayList<>(lines);
            ordered.sort(Comparator.comparingInt(l -> ORDER.indexOf(l.letter() == 'r' ? 't' : l.letter())));
            return new SessionDescription(origin, sessionName, ordered, media, false);
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
