package dev.convene.server;

import dev.convene.sfu.SfuConfig;
import java.util.Locale;

/** {@code --media-tcp-port}: a port, {@code off}, or (unset) the same number as the UDP media port. */
final class MediaTcpPortOption {

    private MediaTcpPortOption() {}

    static int parse(String value, int mediaPort) {
        if (value == null || value.isBlank()) {
            return mediaPort;
        }
        String v = value.strip().toLowerCase(Locale.ROOT);
        if (v.equals("off") || v.equals("false") || v.equals("none")) {
            return SfuConfig.TCP_DISABLED;
        }
        try {
            int port = Integer.parseInt(v);
            if (port >= 0 && port <= 65_535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // falls through to the message below
        }
        throw new IllegalArgumentException("--media-tcp-port is a port (0-65535) or off, not '" + value + "'");
    }
}
