package dev.convene.sfu.net;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * The media port's peers as {@link InetSocketAddress} objects, one per (address, port), so a
 * datagram's sender is named without building an address object per packet: the socket reads
 * the sender as numbers and asks here for the one object that stands for it. The other way, a
 * destination is encoded once per address object (an {@code Inet6Address} hands out its bytes
 * only as a fresh copy). Both tables are fixed-size and forget the oldest entry of a full probe
 * run, so a flood of spoofed sources costs allocation, never memory. Loop-confined.
 */
final class PeerAddresses {

    /** Slots per table; a power of two, several times the peers one port serves at once. */
    static final int SLOTS = 4096;
    private static final int PROBES = 8;
    static final int IPV4 = 4;
    static final int IPV6 = 6;

    // Senders: family (0 = empty), address (IPv4 in lo), port and scope, and the object.
    private final int[] family = new int[SLOTS];
    private final long[] hi = new long[SLOTS];
    private final long[] lo = new long[SLOTS];
    private final int[] port = new int[SLOTS];
    private final int[] scope = new int[SLOTS];
    private final InetSocketAddress[] address = new InetSocketAddress[SLOTS];

    // Destinations, keyed by the identity of the address object.
    private final InetSocketAddress[] encodedFor = new InetSocketAddress[SLOTS];
    private final int[] encodedFamily = new int[SLOTS];
    private final long[] encodedHi = new long[SLOTS];
    private final long[] encodedLo = new long[SLOTS];
    private final int[] encodedScope = new int[SLOTS];

    private int next;

    /** The sender {@code ipv4:port} ({@code ipv4} as the 32-bit number, network order). */
    InetSocketAddress ipv4(int ipv4, int port) {
        return find(IPV4, 0, ipv4 & 0xFFFF_FFFFL, port, 0);
    }

    /** The sender {@code [hi lo]%scope:port} ({@code hi}/{@code lo} the address's two halves, network order). */
    InetSocketAddress ipv6(long hi, long lo, int scope, int port) {
        return find(IPV6, hi, lo, port, scope);
    }

    private InetSocketAddress find(int fam, long h, long l, int p, int s) {
        int home = mix(h * 31 + l, p);
        for (int i = 0; i < PROBES; i++) {
            int slot = (home + i) & (SLOTS - 1);
            if (family[slot] == 0) {
                return store(slot, fam, h, l, p, s);
            }
            if (family[slot] == fam && lo[slot] == l && hi[slot] == h && port[slot] == p && scope[slot] == s) {
                return address[slot];
            }
        }
        // A full run: replace one of its slots in turn.
        next = (next + 1) % PROBES;
        return store((home + next) & (SLOTS - 1), fam, h, l, p, s);
    }

    private InetSocketAddress store(int slot, int fam, long h, long l, int p, int s) {
        InetSocketAddress a = new InetSocketAddress(fam == IPV4 ? ipv4Address((int) l) : ipv6Address(h, l, s), p);
        family[slot] = fam;
        hi[slot] = h;
        lo[slot] = l;
        port[slot] = p;
        scope[slot] = s;
        address[slot] = a;
        return a;
    }

    /**
     * Encodes {@code to} for sending and returns its slot: read it back with
     * {@link #encodedFamily}, {@link #encodedHi}, {@link #encodedLo}, {@link #encodedScope}
     * (the port is {@code to.getPort()}). Throws for an unresolved address.
     */
    int encode(InetSocketAddress to) {
        int home = mix(System.identityHashCode(to), 0);
        for (int i = 0; i < PROBES; i++) {
            int slot = (home + i) & (SLOTS - 1);
            InetSocketAddress k = encodedFor[slot];
            if (k == to) {
                return slot;
            }
            if (k == null) {
                return encodeInto(slot, to);
            }
        }
        next = (next + 1) % PROBES;
        return encodeInto((home + next) & (SLOTS - 1), to);
    }

    private int encodeInto(int slot, InetSocketAddress to) {
        InetAddress a = to.getAddress();
        if (a == null) {
            throw new IllegalArgumentException("unresolved address " + to);
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            encodedFamily[slot] = IPV4;
            encodedHi[slot] = 0;
            encodedLo[slot] = bigEndian(b, 0, 4);
            encodedScope[slot] = 0;
        } else {
            encodedFamily[slot] = IPV6;
            encodedHi[slot] = bigEndian(b, 0, 8);
            encodedLo[slot] = bigEndian(b, 8, 8);
            encodedScope[slot] = Math.max(0, ((Inet6Address) a).getScopeId());
        }
        encodedFor[slot] = to;
        return slot;
    }

    int encodedFamily(int slot) {
        return encodedFamily[slot];
    }

    long encodedHi(int slot) {
        return encodedHi[slot];
    }

    long encodedLo(int slot) {
        return encodedLo[slot];
    }

    int encodedScope(int slot) {
        return encodedScope[slot];
    }

    private static int mix(long key, int p) {
        long x = (key ^ ((long) p << 32)) * 0x9E37_79B9_7F4A_7C15L;
        return (int) (x >>> 40);
    }

    private static long bigEndian(byte[] b, int off, int len) {
        long v = 0;
        for (int i = 0; i < len; i++) {
            v = (v << 8) | (b[off + i] & 0xFF);
        }
        return v;
    }

    private static InetAddress ipv4Address(int ipv4) {
        byte[] b = {(byte) (ipv4 >>> 24), (byte) (ipv4 >>> 16), (byte) (ipv4 >>> 8), (byte) ipv4};
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // four bytes are always an address
        }
    }

    private static InetAddress ipv6Address(long hi, long lo, int scope) {
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (hi >>> (56 - 8 * i));
            b[8 + i] = (byte) (lo >>> (56 - 8 * i));
        }
        try {
            // An IPv4-mapped address comes back as an Inet4Address, as the JDK's own sockets report it.
            return scope != 0 ? Inet6Address.getByAddress(null, b, scope) : InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
