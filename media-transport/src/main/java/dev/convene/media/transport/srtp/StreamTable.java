package dev.convene.media.transport.srtp;

/**
 * SSRC → {@link SrtpStream}, open addressing on primitive keys so that a lookup neither
 * boxes nor allocates. Entries are never removed; the table refuses to grow past its limit.
 */
final class StreamTable {
    private final int limit;
    private int[] keys = new int[16];
    private SrtpStream[] values = new SrtpStream[16];
    private int size;
    private int lastKey;
    private SrtpStream last;

    StreamTable(int limit) {
        this.limit = limit;
    }

    SrtpStream get(int ssrc) {
        if (last != null && lastKey == ssrc) {
            return last;
        }
        int m = keys.length - 1;
        for (int i = hash(ssrc) & m; ; i = (i + 1) & m) {
            SrtpStream v = values[i];
            if (v == null) {
                return null;
            }
            if (keys[i] == ssrc) {
                lastKey = ssrc;
                last = v;
                return v;
            }
        }
    }

    /** Adds a stream for an SSRC that {@link #get} did not find; false when full. */
    boolean add(int ssrc, SrtpStream stream) {
        if (size >= limit) {
            return false;
        }
        if ((size + 1) * 2 > keys.length) {
            grow();
        }
        insert(keys, values, ssrc, stream);
        size++;
        return true;
    }

    int size() {
        return size;
    }

    private void grow() {
        int[] nk = new int[keys.length * 2];
        SrtpStream[] nv = new SrtpStream[values.length * 2];
        for (int i = 0; i < keys.length; i++) {
            if (values[i] != null) {
                insert(nk, nv, keys[i], values[i]);
            }
        }
        keys = nk;
        values = nv;
    }

    private static void insert(int[] k, SrtpStream[] v, int ssrc, SrtpStream stream) {
        int m = k.length - 1;
        int i = hash(ssrc) & m;
        while (v[i] != null) {
            i = (i + 1) & m;
        }
        k[i] = ssrc;
        v[i] = stream;
    }

    private static int hash(int ssrc) {
        int h = ssrc * 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}
