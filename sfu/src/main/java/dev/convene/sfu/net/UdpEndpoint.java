package dev.convene.sfu.net;

/** One socket of the media port, as {@link MediaSocket} drives it: written on the loop, flushed after a read batch. */
interface UdpEndpoint extends MediaEndpoint {

    /** Sends what was written on the loop since the last flush. On the loop only. */
    void flush();

    /** Datagrams that could not be sent (full send buffer, unreachable peer, port closing). */
    long droppedSends();

    void close();
}
