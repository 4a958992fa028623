package dev.convene.signaling.turn;

import java.util.List;

/**
 * One entry of {@code ice_servers} in the join answer, shaped as WebRTC's {@code RTCIceServer}
 * so a browser passes it to {@code RTCPeerConnection} unchanged.
 */
public record IceServer(List<String> urls, String username, String credential) {

    public IceServer {
        urls = List.copyOf(urls);
    }

    @Override
    public String toString() {
        return "IceServer[urls=" + urls + ", username=" + username + ", credential=***]";
    }
}
