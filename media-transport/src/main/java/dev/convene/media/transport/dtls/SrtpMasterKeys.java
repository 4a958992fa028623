package dev.convene.media.transport.dtls;

import dev.convene.media.transport.srtp.SrtpProfile;
import java.util.Arrays;

/**
 * The SRTP master keys and salts of one DTLS-SRTP association, seen from one side: "local"
 * protects what this side sends, "remote" unprotects what it receives.
 *
 * <p>RFC 5764 §4.2 lays the exported keying material out as
 * {@code client_write_SRTP_master_key | server_write_SRTP_master_key |
 * client_write_SRTP_master_salt | server_write_SRTP_master_salt}; the DTLS client writes with
 * the client halves. Arrays are copied in and out.
 */
public record SrtpMasterKeys(byte[] localKey, byte[] localSalt, byte[] remoteKey, byte[] remoteSalt) {

    public SrtpMasterKeys {
        localKey = localKey.clone();
        localSalt = localSalt.clone();
        remoteKey = remoteKey.clone();
        remoteSalt = remoteSalt.clone();
    }

    /**
     * Splits keying material exported with label {@code EXTRACTOR-dtls_srtp}.
     *
     * @param isServer whether this side was the DTLS server
     * @throws IllegalArgumentException if the material is not {@code profile.keyingMaterialLength()} long
     */
    public static SrtpMasterKeys split(SrtpProfile profile, byte[] keyingMaterial, boolean isServer) {
        int keyLength = profile.keyLength();
        int saltLength = profile.saltLength();
        if (keyingMaterial.length != profile.keyingMaterialLength()) {
            throw new IllegalArgumentException(profile + " needs " + profile.keyingMaterialLength()
                    + " bytes of keying material, got " + keyingMaterial.length);
        }
        int clientKey = 0;
        int serverKey = keyLength;
        int clientSalt = 2 * keyLength;
        int serverSalt = 2 * keyLength + saltLength;
        byte[] ck = Arrays.copyOfRange(keyingMaterial, clientKey, clientKey + keyLength);
        byte[] sk = Arrays.copyOfRange(keyingMaterial, serverKey, serverKey + keyLength);
        byte[] cs = Arrays.copyOfRange(keyingMaterial, clientSalt, clientSalt + saltLength);
        byte[] ss = Arrays.copyOfRange(keyingMaterial, serverSalt, serverSalt + saltLength);
        return isServer ? new SrtpMasterKeys(sk, ss, ck, cs) : new SrtpMasterKeys(ck, cs, sk, ss);
    }

    @Override
    public byte[] localKey() {
        return localKey.clone();
    }

    @Override
    public byte[] localSalt() {
        return localSalt.clone();
    }

    @Override
    public byte[] remoteKey() {
        return remoteKey.clone();
    }

    @Override
    public byte[] remoteSalt() {
        return remoteSalt.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SrtpMasterKeys other
                && Arrays.equals(localKey, other.localKey)
                && Arrays.equals(localSalt, other.localSalt)
                && Arrays.equals(remoteKey, other.remoteKey)
                && Arrays.equals(remoteSalt, other.remoteSalt);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(localKey) * 31 + Arrays.hashCode(remoteKey);
    }

    /** Never prints key material. */
    @Override
    public String toString() {
        return "SrtpMasterKeys[key=" + localKey.length + "B, salt=" + localSalt.length + "B]";
    }
}
