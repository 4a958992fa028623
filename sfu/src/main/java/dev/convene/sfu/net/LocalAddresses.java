package dev.convene.sfu.net;

import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Which of a host's addresses the media port listens on when it is bound to the wildcard
 * address: every address a client elsewhere could reach — IPv4, and IPv6 global or unique
 * local — but not link-local ones (they need a scope a remote peer cannot name) and not
 * loopback, unless loopback is all the host has.
 */
public final class LocalAddresses {

    private LocalAddresses() {}

    /** The usable addresses of this host's interfaces that are up, in candidate order. */
    public static List<InetAddress> ofThisHost() {
        List<InetAddress> all = new ArrayList<>();
        try {
            for (NetworkInterface nic : NetworkInterface.networkInterfaces().toList()) {
                if (nic.isUp()) {
                    all.addAll(nic.inetAddresses().toList());
                }
            }
        } catch (SocketException e) {
            throw new UncheckedIOException("cannot list the network interfaces", e);
        }
        return usable(all);
    }

    /**
     * The usable ones of {@code addresses}, deduplicated, ordered: IPv6 global first (as RFC 8421
     * advises for dual-stack hosts), then IPv4, then IPv6 unique local. Loopback addresses only
     * when there is nothing else.
     */
    public static List<InetAddress> usable(Collection<InetAddress> addresses) {
        List<InetAddress> routable = new ArrayList<>(new LinkedHashSet<>(addresses.stream()
                .filter(a -> !a.isLoopbackAddress() && !a.isAnyLocalAddress() && !a.isMulticastAddress()
                        && !a.isLinkLocalAddress() && !(a instanceof Inet6Address v6 && v6.isSiteLocalAddress()))
                .map(LocalAddresses::withoutScope)
                .toList()));
        if (routable.isEmpty()) {
            return List.copyOf(new LinkedHashSet<>(addresses.stream().filter(InetAddress::isLoopbackAddress)
                    .map(LocalAddresses::withoutScope).toList()));
        }
        routable.sort(Comparator.comparingInt(LocalAddresses::rank));
        return List.copyOf(routable);
    }

    /** Whether {@code address} is an IPv6 unique local address (fc00::/7, RFC 4193). */
    static boolean isUniqueLocal(InetAddress address) {
        return address instanceof Inet6Address && (address.getAddress()[0] & 0xFE) == 0xFC;
    }

    private static int rank(InetAddress address) {
        if (address instanceof Inet4Address) {
            return 1;
        }
        return isUniqueLocal(address) ? 2 : 0;
    }

    private static InetAddress withoutScope(InetAddress address) {
        if (address instanceof Inet6Address v6 && v6.getScopeId() != 0) {
            try {
                return InetAddress.getByAddress(v6.getAddress());
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
        return address;
    }
}
