package dev.convene.sfu.negotiation;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * One of the SFU's ICE candidates: an address and port clients may send to, with its RFC 8445
 * priority. An ICE-lite agent has host candidates only; an address announced for a 1:1 NAT is
 * one of them too.
 */
public record HostCandidate(String foundation, String transport, String address, int port, long priority) {

    /** RFC 8445 §5.1.2.2: the type preference of host candidates. */
    public static final int HOST_TYPE_PREFERENCE = 126;

    public HostCandidate {
        if (priority < 0 || priority > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("candidate priority must be 0..2^32-1, was " + priority);
        }
    }

    /**
     * UDP host candidates on {@code port}, one per distinct address, in order of preference:
     * the first gets local preference 65535, the next 65534, … (RFC 8445 §5.1.2.1: unique per
     * candidate of a component).
     */
    public static List<HostCandidate> udp(List<InetAddress> addresses, int port) {
        List<HostCandidate> candidates = new ArrayList<>();
        int i = 0;
        for (InetAddress address : new LinkedHashSet<>(addresses)) {
            candidates.add(new HostCandidate(Integer.toString(i + 1), "udp", address.getHostAddress(), port,
                    priority(HOST_TYPE_PREFERENCE, 65535 - i, 1)));
            i++;
        }
        return List.copyOf(candidates);
    }

    /**
     * Passive ICE-TCP host candidates (RFC 6544) on {@code port}, one per distinct address.
     * Local preference (RFC 6544 §4.2): 2^13 × direction-pref (4 for passive host candidates) +
     * other-pref (8191, 8190, … per address), far below every UDP candidate's, so a client takes
     * TCP only when no UDP pair works. Foundations differ from the UDP ones: another transport is
     * another foundation.
     */
    public static List<HostCandidate> tcpPassive(List<InetAddress> addresses, int port) {
        List<HostCandidate> candidates = new ArrayList<>();
        int i = 0;
        for (InetAddress address : new LinkedHashSet<>(addresses)) {
            candidates.add(new HostCandidate("tcp" + (i + 1), "tcp", address.getHostAddress(), port,
                    priority(HOST_TYPE_PREFERENCE, (4 << 13) + 8191 - i, 1)));
            i++;
        }
        return List.copyOf(candidates);
    }

    public boolean isTcp() {
        return "tcp".equals(transport);
    }

    /** RFC 8445 §5.1.2.1: {@code 2^24 * type preference + 2^8 * local preference + (256 - component)}. */
    public static long priority(int typePreference, int localPreference, int component) {
        return ((long) typePreference << 24) | ((long) (localPreference & 0xFFFF) << 8) | (256 - component);
    }
}
