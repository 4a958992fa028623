package dev.convene.sfu.net;

/** Receives what arrives on the ICE-TCP port, on the media event loop. */
public interface TcpFrameSink {

    /** One RFC 4571 frame of {@code connection}. {@code buf[0, len)} is reused after the call. */
    void onTcpFrame(TcpMediaConnection connection, byte[] buf, int len);

    /** The connection is gone (closed by the peer, by us, or by an error); nothing more will arrive on it. */
    void onTcpClosed(TcpMediaConnection connection);
}
