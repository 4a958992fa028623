package dev.convene.sdp;

import java.util.List;

/**
 * A {@code c=<nettype> <addrtype> <address>} line, e.g. {@code c=IN IP4 0.0.0.0}. The address
 * is kept as written (it may carry a multicast {@code /ttl}).
 */
public record Connection(String netType, String addressType, String address) implements SdpLine {
    public Connection {
        Syntax.requireToken(netType, "network type");
        Syntax.requireToken(addressType, "address type");
        Syntax.requireToken(address, "connection address");
    }

    /** {@code IN IP4 address}, or {@code IN IP6 address} when the address contains a colon. */
    public static Connection of(String address) {
        return new Connection("IN", address.indexOf(':') >= 0 ? "IP6" : "IP4", address);
    }

    static Connection parse(String content) throws SdpParseException {
        List<String> f = Syntax.fields(content, "c= line");
        if (f.size() != 3) {
            throw new SdpParseException("malformed c= line " + Syntax.show(content)
                    + ": expected <nettype> <addrtype> <address>");
        }
        return new Connection(f.get(0), f.get(1), f.get(2));
    }

    @Override
    public char letter() {
        return 'c';
    }

    @Override
    public String content() {
        return netType + " " + addressType + " " + address;
    }

    @Override
    public String toString() {
        return "c=" + content();
    }
}
