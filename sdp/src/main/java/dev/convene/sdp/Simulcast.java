package dev.convene.sdp;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code a=simulcast:send <streams> [recv <streams>]} (RFC 8853), e.g. {@code send q;h;f}.
 * Streams are separated by {@code ;}; a stream may list alternative rids separated by
 * {@code ,}; a rid starting with {@code ~} is paused.
 *
 * @param send the streams sent, each a list of alternatives (empty when there is no send part)
 * @param recv the streams received, likewise
 */
public record Simulcast(List<List<Alternative>> send, List<List<Alternative>> recv) {
    /** One rid in a simulcast stream list. */
    public record Alternative(String rid, boolean paused) {
        public Alternative {
            if (!Rid.isRidId(rid)) {
                throw new IllegalArgumentException("simulcast rid must be letters, digits, '-' or '_', was " + Syntax.show(rid));
            }
        }

        @Override
        public String toString() {
            return paused ? "~" + rid : rid;
        }
    }

    public Simulcast {
        send = copy(send);
        recv = copy(recv);
        if (send.isEmpty() && recv.isEmpty()) {
            throw new IllegalArgumentException("simulcast needs a send or a recv stream list");
        }
    }

    /** {@code send a;b;c}: one stream per rid, none paused. */
    public static Simulcast send(List<String> rids) {
        return new Simulcast(streams(rids), List.of());
    }

    /** {@code recv a;b;c}: one stream per rid, none paused. */
    public static Simulcast recv(List<String> rids) {
        return new Simulcast(List.of(), streams(rids));
    }

    public static Simulcast parse(String value) throws SdpParseException {
        List<String> f = Syntax.fields(value, "simulcast");
        if (f.size() != 2 && f.size() != 4) {
            throw new SdpParseException("malformed simulcast " + Syntax.show(value)
                    + ": expected send|recv <rid list> [send|recv <rid list>]");
        }
        List<List<Alternative>> send = null;
        List<List<Alternative>> recv = null;
        for (int i = 0; i < f.size(); i += 2) {
            List<List<Alternative>> streams = parseStreams(f.get(i + 1), value);
            switch (f.get(i)) {
                case "send" -> {
                    if (send != null) {
                        throw new SdpParseException("simulcast " + Syntax.show(value) + " has two send lists");
                    }
                    send = streams;
                }
                case "recv" -> {
                    if (recv != null) {
                        throw new SdpParseException("simulcast " + Syntax.show(value) + " has two recv lists");
                    }
                    recv = streams;
                }
                default -> throw new SdpParseException("simulcast direction " + Syntax.show(f.get(i)) + " is not send or recv");
            }
        }
        return new Simulcast(send == null ? List.of() : send, recv == null ? List.of() : recv);
    }

    /** The first rid of every sent stream, in order. */
    public List<String> sendRids() {
        return send.stream().map(s -> s.getFirst().rid()).toList();
    }

    /** The first rid of every received stream, in order. */
    public List<String> recvRids() {
        return recv.stream().map(s -> s.getFirst().rid()).toList();
    }

    /** What an answerer mirrors: the offer's send list becomes the answer's recv list and back. */
    public Simulcast reverse() {
        return new Simulcast(recv, send);
    }

    public String toValue() {
        StringBuilder out = new StringBuilder();
        if (!send.isEmpty()) {
            out.append("send ").append(format(send));
        }
        if (!recv.isEmpty()) {
            out.append(out.isEmpty() ? "" : " ").append("recv ").append(format(recv));
        }
        return out.toString();
    }

    public Attribute toAttribute() {
        return Attribute.of("simulcast", toValue());
    }

    private static List<List<Alternative>> parseStreams(String list, String whole) throws SdpParseException {
        List<List<Alternative>> streams = new ArrayList<>();
        for (String stream : list.split(";", -1)) {
            List<Alternative> alternatives = new ArrayList<>();
            for (String alt : stream.split(",", -1)) {
                boolean paused = alt.startsWith("~");
                String rid = paused ? alt.substring(1) : alt;
                if (!Rid.isRidId(rid)) {
                    throw new SdpParseException("simulcast " + Syntax.show(whole) + " has a bad rid " + Syntax.show(alt));
                }
                alternatives.add(new Alternative(rid, paused));
            }
            streams.add(alternatives);
        }
        return streams;
    }

    private static String format(List<List<Alternative>> streams) {
        StringBuilder out = new StringBuilder();
        for (List<Alternative> stream : streams) {
            if (!out.isEmpty()) {
                out.append(';');
            }
            for (int i = 0; i < stream.size(); i++) {
                out.append(i == 0 ? "" : ",").append(stream.get(i));
            }
        }
        return out.toString();
    }

    private static List<List<Alternative>> streams(List<String> rids) {
        return rids.stream().map(r -> List.of(new Alternative(r, false))).toList();
    }

    private static List<List<Alternative>> copy(List<List<Alternative>> streams) {
        List<List<Alternative>> out = new ArrayList<>();
        for (List<Alternative> s : streams) {
            if (s.isEmpty()) {
                throw new IllegalArgumentException("a simulcast stream needs at least one rid");
            }
            out.add(List.copyOf(s));
        }
        return List.copyOf(out);
    }
}
