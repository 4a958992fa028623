package dev.convene.media.transport.dtls;

import dev.convene.media.transport.srtp.SrtpProfile;
import java.io.IOException;
import java.util.Hashtable;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.DefaultTlsServer;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.TlsCredentialedSigner;
import org.bouncycastle.tls.TlsSRTPUtils;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.UseSRTPData;

/**
 * BouncyCastle's server callbacks set up as a WebRTC peer expects (RFC 8827, RFC 5764):
 * DTLS 1.2 only, ECDHE-ECDSA AEAD suites, extended master secret required, use_srtp, and a
 * CertificateRequest so the browser proves the key behind its SDP fingerprint.
 */
@SuppressWarnings("rawtypes") // BouncyCastle's extension maps are raw Hashtables.
final class DtlsServerPeer extends DefaultTlsServer {

    private final DtlsSrtpNegotiation negotiation;
    private SrtpProfile chosen;

    DtlsServerPeer(DtlsSrtpNegotiation negotiation) {
        super(negotiation.crypto());
        this.negotiation = negotiation;
    }

    @Override
    protected ProtocolVersion[] getSupportedVersions() {
        return ProtocolVersion.DTLSv12.only();
    }

    @Override
    protected int[] getSupportedCipherSuites() {
        return TlsUtils.getSupportedCipherSuites(getCrypto(), DtlsSrtpNegotiation.SERVER_CIPHER_SUITES);
    }

    /** RFC 8827's mandatory AES-128-GCM suite first, whatever order the client lists. */
    @Override
    protected boolean preferLocalCipherSuites() {
        return true;
    }

    @Override
    public boolean requiresExtendedMasterSecret() {
        return true;
    }

    /** Trust comes from the SDP fingerprint, not from how the peer's certificate was signed. */
    @Override
    public boolean shouldCheckSigAlgOfPeerCerts() {
        return false;
    }

    @Override
    public int getHandshakeTimeoutMillis() {
        return negotiation.handshakeTimeoutMillis();
    }

    @Override
    public void processClientExtensions(Hashtable clientExtensions) throws IOException {
        super.processClientExtensions(clientExtensions);
        chosen = negotiation.chooseForServer(TlsSRTPUtils.getUseSRTPExtension(clientExtensions));
    }

    @Override
    public Hashtable getServerExtensions() throws IOException {
        Hashtable extensions = super.getServerExtensions();
        // RFC 5764 §4.1.1: exactly one profile, and no MKI (browsers never use one).
        TlsSRTPUtils.addUseSRTPExtension(extensions, new UseSRTPData(new int[] {chosen.id()}, TlsUtils.EMPTY_BYTES));
        return extensions;
    }

    @Override
    public CertificateRequest getCertificateRequest() {
        return new CertificateRequest(DtlsSrtpNegotiation.CLIENT_CERTIFICATE_TYPES,
                DtlsSrtpNegotiation.peerSignatureAlgorithms(negotiation.crypto()), null);
    }

    @Override
    public void notifyClientCertificate(Certificate clientCertificate) throws IOException {
        negotiation.verifyPeerCertificate(clientCertificate);
    }

    @Override
    protected TlsCredentialedSigner getECDSASignerCredentials() throws IOException {
        return negotiation.signer(context, context.getSecurityParametersHandshake().getClientSigAlgs());
    }

    @Override
    public void notifyHandshakeComplete() throws IOException {
        super.notifyHandshakeComplete();
        negotiation.handshakeComplete(context);
    }

    @Override
    public void notifyAlertReceived(short alertLevel, short alertDescription) {
        negotiation.alertReceived(alertLevel, alertDescription);
    }
}
