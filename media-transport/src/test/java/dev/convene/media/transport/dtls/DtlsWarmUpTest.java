package dev.convene.media.transport.dtls;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DtlsWarmUpTest {

    @Test
    void completesEachHandshakeWithTheGivenCertificateServing() {
        DtlsWarmUp.Result r = DtlsWarmUp.run(DtlsTestPeers.SERVER_CERT, 3);

        assertThat(r.handshakes()).isEqualTo(3);
        assertThat(r.first()).isPositive();
        assertThat(r.last()).isPositive();
    }
}
