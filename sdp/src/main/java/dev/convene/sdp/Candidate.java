package dev.convene.sdp;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.SequencedMap;

/**
 * An ICE candidate (RFC 8839 §5.1):
 * {@code <foundation> <component> <transport> <priority> <address> <port> typ <type>
 * [raddr <address>] [rport <port>] *(<extension name> <extension value>)}, e.g.
 * {@code 3016394298 1 udp 2122194687 127.0.0.1 42504 typ host generation 0 network-id 3}.
 *
 * @param relatedAddress {@code raddr}, or {@code null}
 * @param relatedPort    {@code rport}, or {@code null}
 * @param extensions     the remaining name/value pairs in order, e.g. {@code generation}, {@code tcptype}
 */
public record Candidate(String foundation, int component, String transport, long priority,
                        String address, int port, String type,
                        String relatedAddress, Integer relatedPort,
                        SequencedMap<String, String> extensions) {
    public static final String HOST = "host";

    public Candidate {
        if (foundation == null || foundation.isEmpty() || foundation.length() > 32 || !Syntax.isToken(foundation)) {
            throw new IllegalArgumentException("candidate foundation must be 1 to 32 visible characters, was "
                    + Syntax.show(foundation));
        }
        if (component < 1 || component > 256) {
            throw new IllegalArgumentException("candidate component must be 1..256, was " + component);
        }
        Syntax.requireToken(transport, "candidate transport");
        if (priority < 0 || priority > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("candidate priority must be 0..2^32-1, was " + priority);
        }
        Syntax.requireToken(address, "candidate address");
        requirePort(port);
        Syntax.requireToken(type, "candidate type");
        if (relatedAddress != null) {
            Syntax.requireToken(relatedAddress, "candidate raddr");
        }
        if (relatedPort != null) {
            requirePort(relatedPort);
        }
        LinkedHashMap<String, String> copy = new LinkedHashMap<>();
        extensions.forEach((k, v) -> copy.put(Syntax.requireToken(k, "candidate extension name"),
                Syntax.requireToken(v, "candidate extension value")));
        extensions = Collections.unmodifiableSequencedMap(copy);
    }

    /**
     * A host candidate as an ICE-lite server writes it: component 1, the RFC 8445 host
     * priority for the given local preference, and no extensions.
     */
    public static Candidate host(String foundation, String transport, String address, int port, int localPreference) {
        long priority = (126L << 24) | ((long) (localPreference & 0xFFFF) << 8) | (256 - 1);
        return new Candidate(foundation, 1, transport, priority, address, port, HOST, null, null, new LinkedHashMap<>());
    }

    /**
     * Parses a candidate given as an attribute value, as {@code candidate:…} (the form of
     * {@code RTCIceCandidate.candidate} in trickle messages), or as {@code a=candidate:…}.
     */
    public static Candidate parse(String text) throws SdpParseException {
        Objects.requireNonNull(text, "text");
        String value = text;
        if (value.startsWith("a=")) {
            value = value.substring(2);
        }
        if (value.startsWith("candidate:")) {
            value = value.substring("candidate:".length());
        }
        List<String> f = Syntax.fields(value, "candidate");
        if (f.size() < 8 || !"typ".equals(f.get(6))) {
            throw new SdpParseException("malformed candidate " + Syntax.show(text)
                    + ": expected <foundation> <component> <transport> <priority> <address> <port> typ <type> …");
        }
        if (f.get(0).length() > 32) {
            throw new SdpParseException("candidate foundation " + Syntax.show(f.get(0)) + " is longer than 32 characters");
        }
        int component = Syntax.integer(f.get(1), 1, 256, "candidate component");
        long priority = Syntax.unsigned(f.get(3), 0xFFFF_FFFFL, "candidate priority");
        int port = Syntax.integer(f.get(5), 0, 65535, "candidate port");
        String relatedAddress = null;
        Integer relatedPort = null;
        LinkedHashMap<String, String> extensions = new LinkedHashMap<>();
        if ((f.size() - 8) % 2 != 0) {
            throw new SdpParseException("candidate " + Syntax.show(text) + " has an extension " + Syntax.show(f.getLast())
                    + " without a value");
        }
        for (int i = 8; i < f.size(); i += 2) {
            String name = f.get(i);
            String v = f.get(i + 1);
            switch (name) {
                case "raddr" -> relatedAddress = v;
                case "rport" -> relatedPort = Syntax.integer(v, 0, 65535, "candidate rport");
                default -> extensions.putIfAbsent(name, v);
            }
        }
        return new Candidate(f.get(0), component, f.get(2), priority, f.get(4), port, f.get(7),
                relatedAddress, relatedPort, extensions);
    }

    public boolean isUdp() {
        return transport.toLowerCase(Locale.ROOT).equals("udp");
    }

    /** The attribute value, without the {@code candidate:} prefix. */
    public String toValue() {
        StringBuilder out = new StringBuilder()
                .append(foundation).append(' ').append(component).append(' ').append(transport).append(' ')
                .append(priority).append(' ').append(address).append(' ').append(port).append(" typ ").append(type);
        if (relatedAddress != null) {
            out.append(" raddr ").append(relatedAddress);
        }
        if (relatedPort != null) {
            out.append(" rport ").append(relatedPort);
        }
        extensions.forEach((k, v) -> out.append(' ').append(k).append(' ').append(v));
        return out.toString();
    }

    public Attribute toAttribute() {
        return Attribute.of("candidate", toValue());
    }

    private static void requirePort(int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, was " + port);
        }
    }
}
