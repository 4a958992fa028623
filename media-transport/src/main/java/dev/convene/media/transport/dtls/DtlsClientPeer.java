package dev.convene.media.transport.dtls;

import java.io.IOException;
import java.util.Hashtable;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.ClientCertificateType;
import org.bouncycastle.tls.DefaultTlsClient;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsExtensionsUtils;
import org.bouncycastle.tls.TlsSRTPUtils;
import org.bouncycastle.tls.TlsServerCertificate;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.util.Arrays;

/**
 * BouncyCastle's client callbacks for the {@code a=setup:active} side: offers use_srtp and
 * DTLS 1.2 only, checks the server's certificate against the SDP fingerprint, and answers
 * the server's CertificateRequest with our ECDSA certificate.
 */
@SuppressWarnings("rawtypes") // BouncyCastle's extension maps are raw Hashtables.
final class DtlsClientPeer extends DefaultTlsClient {

    private final DtlsSrtpNegotiation negotiation;

    DtlsClientPeer(DtlsSrtpNegotiation negotiation) {
        super(negotiation.crypto());
        this.negotiation = negotiation;
    }

    @Override
    protected ProtocolVersion[] getSupportedVersions() {
        return ProtocolVersion.DTLSv12.only();
    }

    @Override
    protected int[] getSupportedCipherSuites() {
        return TlsUtils.getSupportedCipherSuites(getCrypto(), DtlsSrtpNegotiation.CLIENT_CIPHER_SUITES);
    }

    @Override
    public boolean requiresExtendedMasterSecret() {
        return true;
    }

    @Override
    public boolean shouldCheckSigAlgOfPeerCerts() {
        return false;
    }

    @Override
    public int getHandshakeTimeoutMillis() {
        return negotiation.handshakeTimeoutMillis();
    }

    @Override
    public Hashtable getClientExtensions() throws IOException {
        Hashtable extensions = TlsExtensionsUtils.ensureExtensionsInitialised(super.getClientExtensions());
        TlsSRTPUtils.addUseSRTPExtension(extensions, negotiation.offer());
        return extensions;
    }

    @Override
    public void processServerExtensions(Hashtable serverExtensions) throws IOException {
        super.processServerExtensions(serverExtensions);
        negotiation.acceptFromServer(serverExtensions == null ? null : TlsSRTPUtils.getUseSRTPExtension(serverExtensions));
    }

    @Override
    public TlsAuthentication getAuthentication() {
        return new TlsAuthentication() {
            @Override
            public void notifyServerCertificate(TlsServerCertificate serverCertificate) throws IOException {
                negotiation.verifyPeerCertificate(serverCertificate.getCertificate());
            }

            @Override
            public TlsCredentials getClientCredentials(CertificateRequest request) throws IOException {
                if (!Arrays.contains(request.getCertificateTypes(), ClientCertificateType.ecdsa_sign)) {
                    return null; // An empty Certificate; the server decides whether that is fatal.
                }
                return negotiation.signer(context, request.getSupportedSignatureAlgorithms());
            }
        };
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
