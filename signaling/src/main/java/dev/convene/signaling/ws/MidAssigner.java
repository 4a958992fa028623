package dev.convene.signaling.ws;

import dev.convene.sfu.TrackDeclaration;
import dev.convene.sfu.TrackInfo;
import dev.convene.sfu.TrackKind;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds the publisher m-line ({@code mid}) of each track a publisher offer added. The SFU
 * contract's {@link TrackInfo} carries no mid, so this matches on what the client declared with
 * {@code publish} (kind and source), and for undeclared tracks on the sending m-lines of the
 * offer in order, by kind. A pure function of its inputs.
 */
final class MidAssigner {

    private MidAssigner() {}

    /** A sending m-line of an offer. */
    record MLine(String mid, TrackKind kind) {}

    /** @return track id → mid for every added track a mid was found for */
    static Map<String, String> assign(List<TrackInfo> added, Collection<TrackDeclaration> declared,
            Set<String> midsInUse, String sdpOffer) {
        Map<String, String> result = new HashMap<>();
        Set<String> used = new HashSet<>(midsInUse);
        List<TrackInfo> unmatched = new ArrayList<>();
        for (TrackInfo track : added) {
            TrackDeclaration match = null;
            for (TrackDeclaration d : declared) {
                if (!used.contains(d.mid()) && d.kind() == track.kind() && d.source() == track.source()) {
                    match = d;
                    break;
                }
            }
            if (match == null) {
                unmatched.add(track);
            } else {
                used.add(match.mid());
                result.put(track.trackId(), match.mid());
            }
        }
        if (!unmatched.isEmpty()) {
            Set<String> declaredMids = new HashSet<>();
            declared.forEach(d -> declaredMids.add(d.mid()));
            List<MLine> lines = sendingMLines(sdpOffer);
            for (TrackInfo track : unmatched) {
                for (MLine line : lines) {
                    if (!used.contains(line.mid()) && !declaredMids.contains(line.mid()) && line.kind() == track.kind()) {
                        used.add(line.mid());
                        result.put(track.trackId(), line.mid());
                        break;
                    }
                }
            }
        }
        return result;
    }

    /** The audio and video m-lines of an SDP that send (sendrecv, sendonly or no direction), with their mids. */
    static List<MLine> sendingMLines(String sdp) {
        List<MLine> lines = new ArrayList<>();
        if (sdp == null) {
            return lines;
        }
        TrackKind kind = null;
        String mid = null;
        boolean sending = true;
        for (String raw : sdp.split("\r?\n")) {
            String line = raw.strip();
            if (line.startsWith("m=")) {
                addIfUsable(lines, kind, mid, sending);
                kind = line.startsWith("m=audio") ? TrackKind.AUDIO : line.startsWith("m=video") ? TrackKind.VIDEO : null;
                mid = null;
                sending = true;
            } else if (line.startsWith("a=mid:")) {
                mid = line.substring("a=mid:".length()).strip();
            } else if (line.equals("a=recvonly") || line.equals("a=inactive")) {
                sending = false;
            }
        }
        addIfUsable(lines, kind, mid, sending);
        return lines;
    }

    private static void addIfUsable(List<MLine> lines, TrackKind kind, String mid, boolean sending) {
        if (kind != null && mid != null && !mid.isEmpty() && sending) {
            lines.add(new MLine(mid, kind));
        }
    }
}
