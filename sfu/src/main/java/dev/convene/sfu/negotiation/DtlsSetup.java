package dev.convene.sfu.negotiation;

import dev.convene.media.transport.dtls.DtlsRole;
import dev.convene.sdp.Setup;
import dev.convene.sfu.SdpRejectedException;

/**
 * Which side of DTLS the SFU plays, from the peer's {@code a=setup} (RFC 8842 §5). The SFU
 * prefers to be the server (it answers {@code passive} to {@code actpass}) but is the client
 * when the peer says {@code passive}, as Pion's answers do.
 */
public final class DtlsSetup {

    private DtlsSetup() {}

    /** The SFU's role when answering an offer with {@code remoteSetup} (null when the offer has none). */
    public static DtlsRole forOffer(String remoteSetup) throws SdpRejectedException {
        return switch (remoteSetup == null ? "actpass" : remoteSetup) {
            case "actpass", "active" -> DtlsRole.SERVER;
            case "passive" -> DtlsRole.CLIENT;
            default -> throw new SdpRejectedException("a=setup:" + remoteSetup + " is not supported (use actpass)");
        };
    }

    /**
     * The SFU's role after its {@code actpass} offer is answered with {@code remoteSetup}; an
     * answer without {@code a=setup} is {@code active}, the RFC 4145 default.
     */
    public static DtlsRole forAnswer(String remoteSetup) throws SdpRejectedException {
        return switch (remoteSetup == null ? "active" : remoteSetup) {
            case "active" -> DtlsRole.SERVER;
            case "passive" -> DtlsRole.CLIENT;
            default -> throw new SdpRejectedException("an answer must say a=setup:active or a=setup:passive, not "
                    + remoteSetup);
        };
    }

    /** What the SFU writes in its answer for {@code role}. */
    public static Setup answerSetup(DtlsRole role) {
        return role == DtlsRole.SERVER ? Setup.PASSIVE : Setup.ACTIVE;
    }
}
