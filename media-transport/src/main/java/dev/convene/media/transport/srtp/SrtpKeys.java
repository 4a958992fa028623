package dev.convene.media.transport.srtp;

import java.util.Arrays;
import java.util.Objects;

/**
 * The master keys of one DTLS-SRTP association, split by direction. DTLS exports
 * {@code client_write_key | server_write_key | client_write_salt | server_write_salt}
 * (RFC 5764 §4.2, label "EXTRACTOR-dtls_srtp"); the DTLS server sends with the server's half.
 */
public final class SrtpKeys {
    private final SrtpProfile profile;
    private final byte[] localKey;
    private final byte[] localSalt;
    private final byte[] remoteKey;
    private final byte[] remoteSalt;

    private SrtpKeys(SrtpProfile profile, byte[] localKey, byte[] localSalt, byte[] remoteKey, byte[] remoteSalt) {
        this.profile = profile;
        this.localKey = localKey;
        this.localSalt = localSalt;
        this.remoteKey = remoteKey;
        this.remoteSalt = remoteSalt;
    }

    /**
     * Splits exported keying material of {@link SrtpProfile#keyingMaterialLength()} bytes.
     *
     * @param localIsDtlsServer whether this endpoint was the DTLS server (the SFU normally is)
     */
    public static SrtpKeys fromKeyingMaterial(SrtpProfile profile, byte[] material, boolean localIsDtlsServer) {
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(material, "material");
        if (material.length != profile.keyingMaterialLength()) {
            throw new IllegalArgumentException(profile + " needs " + profile.keyingMaterialLength()
                    + " bytes of keying material, got " + material.length);
        }
        int k = profile.keyLength();
        int s = profile.saltLength();
        byte[] clientKey = Arrays.copyOfRange(material, 0, k);
        byte[] serverKey = Arrays.copyOfRange(material, k, 2 * k);
        byte[] clientSalt = Arrays.copyOfRange(material, 2 * k, 2 * k + s);
        byte[] serverSalt = Arrays.copyOfRange(material, 2 * k + s, 2 * k + 2 * s);
        return localIsDtlsServer
                ? new SrtpKeys(profile, serverKey, serverSalt, clientKey, clientSalt)
                : new SrtpKeys(profile, clientKey, clientSalt, serverKey, serverSalt);
    }

    public SrtpProfile profile() {
        return profile;
    }

    /** The master key we protect (send) with; a copy. */
    public byte[] localMasterKey() {
        return localKey.clone();
    }

    public byte[] localMasterSalt() {
        return localSalt.clone();
    }

    /** The master key we unprotect (receive) with; a copy. */
    public byte[] remoteMasterKey() {
        return remoteKey.clone();
    }

    public byte[] remoteMasterSalt() {
        return remoteSalt.clone();
    }

    /** A context that protects what we send. */
    public SrtpContext newSendContext() {
        return new SrtpContext(profile, localKey, localSalt);
    }

    /** A context that unprotects what we receive. */
    public SrtpContext newReceiveContext() {
        return new SrtpContext(profile, remoteKey, remoteSalt);
    }

    /** Never prints key material. */
    @Override
    public String toString() {
        return "SrtpKeys[" + profile + "]";
    }
}
