package dev.convene.control;

import dev.convene.sfu.SfuUnavailableException;

/**
 * A control call that did not get an answer from the SFU: the connection is down or was lost,
 * the SFU did not reply in time, or it replied with an error other than a rejected SDP.
 * {@link #code()} is the wire error code ({@code unknown_session}, {@code internal}, ...) or one of
 * {@link #UNAVAILABLE}, {@link #CONNECTION_LOST}, {@link #TIMEOUT} for failures on this side.
 */
public final class SfuControlException extends SfuUnavailableException {

    public static final String UNAVAILABLE = "unavailable";
    public static final String CONNECTION_LOST = "connection_lost";
    public static final String TIMEOUT = "timeout";

    private final String code;

    public SfuControlException(String code, String message) {
        super(message);
        this.code = code;
    }

    public SfuControlException(String code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
