package dev.convene.media.transport.ice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.convene.media.transport.stun.StunClass;
import dev.convene.media.transport.stun.StunErrorCode;
import dev.convene.media.transport.stun.StunMessage;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class IceLiteAgentTest {
    private static final long SECOND = Duration.ofSeconds(1).toNanos();
    private static final long PRIORITY = IceControllingAgent.candidatePriority(126, 65535, 1);

    private final IceCredentials server = new IceCredentials("srvUfrag", "serverPasswordIs24Chars+");
    private final IceCredentials client = new IceCredentials("cli1", "clientPasswordOf22Chars");
    private final InetSocketAddress home = address("192.0.2.10", 40000);
    private final InetSocketAddress mobile = address("2001:db8::7", 51000);

    private static InetSocketAddress address(String ip, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByName(ip), port);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private IceControllingAgent clientAgent() {
        return new IceControllingAgent(client, server, new SecureRandom());
    }

    private static BindingOutcome send(IceLiteAgent agent, byte[] request, InetSocketAddress from, long now) {
        return agent.handle(request, 0, request.length, from, now);
    }

    @Test
    void aValidCheckIsAnsweredAndTheClientAcceptsTheAnswer() {
        IceLiteAgent agent = new IceLiteAgent(server, client.ufrag(), 0);
        IceControllingAgent peer = clientAgent();
        byte[] request = peer.bindingRequest(PRIORITY, false);

        BindingOutcome outcome = send(agent, request, home, SECOND);
        assertThat(outcome).isInstanceOf(BindingOutcome.Accepted.class);
        BindingOutcome.Accepted ok = (BindingOutcome.Accepted) outcome;
        assertThat(ok.nominated()).isFalse();
        assertThat(ok.selectedChanged()).isTrue();
        assertThat(agent.selectedAddress()).hasValue(home);
        assertThat(agent.isSelectedNominated()).isFalse();

        StunMessage response = StunMessage.parse(ok.response(), 0, ok.response().length).orElseThrow();
        assertThat(response.messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
        assertThat(response.transactionId()).isEqualTo(StunMessage.parse(request, 0, request.length)
                .orElseThrow().transactionId());
        assertThat(response.xorMappedAddress()).hasValue(home);
        assertThat(response.verifyMessageIntegrity(server.password().getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(response.verifyFingerprint()).isTrue();

        assertThat(peer.handleResponse(ok.response(), 0, ok.response().length))
                .isEqualTo(new ClientCheckResult.Success(home));
        assertThat(peer.handleResponse(ok.response(), 0, ok.response().length))
                .as("a transaction completes once").isInstanceOf(ClientCheckResult.Ignored.class);
    }

    @Test
    void theClientRequestCarriesWhatIceRequires() {
        IceControllingAgent peer = clientAgent();
        byte[] request = peer.bindingRequest(PRIORITY, true);
        StunMessage m = StunMessage.parse(request, 0, request.length).orElseThrow();
        assertThat(m.isBindingRequest()).isTrue();
        assertThat(m.username()).hasValue("srvUfrag:cli1");
        assertThat(m.priority()).hasValue(PRIORITY);
        assertThat(m.iceControlling()).hasValue(peer.tieBreaker());
        assertThat(m.useCandidate()).isTrue();
        assertThat(m.verifyMessageIntegrity(server.password().getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(m.verifyFingerprint()).isTrue();
        assertThat(IceControllingAgent.candidatePriority(126, 65535, 1)).isEqualTo(2130706431L);
    }

    @Test
    void nominationSelectsAndANewNominatedAddressMovesTheSelection() {
        IceLiteAgent agent = new IceLiteAgent(server, client.ufrag(), 0);
        IceControllingAgent peer = clientAgent();

        var first = (BindingOutcome.Accepted) send(agent, peer.bindingRequest(PRIORITY, true), home, SECOND);
        assertThat(first.nominated()).isTrue();
        assertThat(first.selectedChanged()).isTrue();
        assertThat(agent.isSelectedNominated()).isTrue();

        // A plain check from elsewhere is valid but does not move a nominated selection.
        var probe = (BindingOutcome.Accepted) send(agent, peer.bindingRequest(PRIORITY, false), mobile, 2 * SECOND);
        assertThat(probe.selectedChanged()).isFalse();
        assertThat(agent.selectedAddress()).hasValue(home);
        assertThat(agent.isValidAddress(mobile)).isTrue();

        // The same peer nominates its new address: media follows (warm reconnect).
        var moved = (BindingOutcome.Accepted) send(agent, peer.bindingRequest(PRIORITY, true), mobile, 3 * SECOND);
        assertThat(moved.selectedChanged()).isTrue();
        assertThat(agent.selectedAddress()).hasValue(mobile);

        var again = (BindingOutcome.Accepted) send(agent, peer.bindingRequest(PRIORITY, true), mobile, 4 * SECOND);
        assertThat(again.selectedChanged()).isFalse();
    }

    @Test
    void aNominationReplacesAnUnnominatedFirstChoice() {
        IceLiteAgent agent = new IceLiteAgent(server, 0);
        IceControllingAgent peer = clientAgent();
        send(agent, peer.bindingRequest(PRIORITY, false), home, SECOND);
        assertThat(agent.selectedAddress()).hasValue(home);
        var nominated = (BindingOutcome.Accepted) send(agent, peer.bindingRequest(PRIORITY, true), mobile, SECOND);
        assertThat(nominated.selectedChanged()).isTrue();
        assertThat(agent.selectedAddress()).hasValue(mobile);
    }

    @Test
    void authenticatedMediaFromTheSelectedAddressKeepsConsentForAsLongAsTheConfiguredTimeout() {
        long t0 = 500 * SECOND;
        IceLiteAgent agent = new IceLiteAgent(server, client.ufrag(), t0, java.time.Duration.ofSeconds(90));
        IceControllingAgent peer = clientAgent();
        agent.refreshConsent(home, t0 + 80 * SECOND);
        assertThat(agent.consentExpired(t0 + 90 * SECOND)).as("media before any check selects nothing").isTrue();

        send(agent, peer.bindingRequest(PRIORITY, true), home, t0 + SECOND);
        // No more checks (as Pion, once connected): media alone, every 20 s, for 5 minutes.
        for (long s = 21; s <= 301; s += 20) {
            agent.refreshConsent(home, t0 + s * SECOND);
            assertThat(agent.consentExpired(t0 + (s + 19) * SECOND)).as("at %d s", s + 19).isFalse();
        }
        // Media from another address proves nothing about the selected pair.
        agent.refreshConsent(mobile, t0 + 330 * SECOND);
        assertThat(agent.consentExpired(t0 + 390 * SECOND)).isFalse();
        assertThat(agent.consentExpired(t0 + 391 * SECOND)).isTrue();
    }

    @Test
    void consentExpiresThirtySecondsAfterTheLastValidCheckFromTheSelectedAddress() {
        long t0 = 1_000 * SECOND; // nanoTime has an arbitrary origin
        IceLiteAgent agent = new IceLiteAgent(server, client.ufrag(), t0);
        IceControllingAgent peer = clientAgent();
        assertThat(agent.consentExpired(t0 + 29 * SECOND)).isFalse();
        assertThat(agent.consentExpired(t0 + 30 * SECOND)).as("never connected").isTrue();

        send(agent, peer.bindingRequest(PRIORITY, true), home, t0 + 10 * SECOND);
        assertThat(agent.consentExpired(t0 + 39 * SECOND)).isFalse();
        // Checks from a non-selected address do not keep the selected one alive.
        send(agent, peer.bindingRequest(PRIORITY, false), mobile, t0 + 35 * SECOND);
        assertThat(agent.consentExpired(t0 + 40 * SECOND)).isTrue();
        // A fresh check from the selected address renews consent.
        send(agent, peer.bindingRequest(PRIORITY, false), home, t0 + 41 * SECOND);
        assertThat(agent.consentExpired(t0 + 70 * SECOND)).isFalse();
        assertThat(agent.consentExpired(t0 + 71 * SECOND)).isTrue();
    }

    @Test
    void failedChecksRefreshNothing() {
        IceLiteAgent agent = new IceLiteAgent(server, client.ufrag(), 0);
        IceControllingAgent peer = clientAgent();
        send(agent, peer.bindingRequest(PRIORITY, true), home, SECOND);
        IceControllingAgent impostor = new IceControllingAgent(client,
                new IceCredentials(server.ufrag(), "notTheServerPassword123"), new SecureRandom());
        for (long t = 2; t < 40; t++) {
            send(agent, impostor.bindingRequest(PRIORITY, true), mobile, t * SECOND);
        }
        assertThat(agent.selectedAddress()).hasValue(home);
        assertThat(agent.isValidAddress(mobile)).isFalse();
        assertThat(agent.consentExpired(31 * SECOND)).isTrue();
    }

    @Test
    void wrongPasswordGets401WithoutIntegrity() {
        IceLiteAgent agent = new IceLiteAgent(server, client.ufrag(), 0);
        IceControllingAgent impostor = new IceControllingAgent(client,
                new IceCredentials(server.ufrag(), "notTheServerPassword123"), new SecureRandom());
        byte[] request = impostor.bindingRequest(PRIORITY, true);
        var rejected = (BindingOutcome.Rejected) send(agent, request, home, 0);
        assertThat(rejected.errorCode()).isEqualTo(StunErrorCode.UNAUTHORIZED);
        assertThat(rejected.reason()).contains("MESSAGE-INTEGRITY");
        StunMessage response = StunMessage.parse(rejected.response(), 0, rejected.response().length).orElseThrow();
        assertThat(response.messageClass()).isEqualTo(StunClass.ERROR_RESPONSE);
        assertThat(response.errorCode().orElseThrow().code()).isEqualTo(401);
        assertThat(response.hasMessageIntegrity()).isFalse();
        assertThat(response.verifyFingerprint()).isTrue();
        assertThat(agent.selectedAddress()).isEmpty();

        // The client reports it as a failure of its check.
        assertThat(impostor.handleResponse(rejected.response(), 0, rejected.response().length))
                .isEqualTo(new ClientCheckResult.Failure(401, "Unauthorized"));
    }

    @Test
    void wrongUfragsGet401() {
        IceLiteAgent agent = new IceLiteAgent(server, client.ufrag(), 0);
        IceControllingAgent otherServer = new IceControllingAgent(client,
                new IceCredentials("someone", server.password()), new SecureRandom());
        var r1 = (BindingOutcome.Rejected) send(agent, otherServer.bindingRequest(PRIORITY, false), home, 0);
        assertThat(r1.errorCode()).isEqualTo(401);
        assertThat(r1.reason()).contains("USERNAME");

        IceControllingAgent otherClient = new IceControllingAgent(new IceCredentials("zzzz", client.password()),
                server, new SecureRandom());
        var r2 = (BindingOutcome.Rejected) send(agent, otherClient.bindingRequest(PRIORITY, false), home, 0);
        assertThat(r2.errorCode()).isEqualTo(401);

        agent.setRemoteUfrag(null);
        assertThat(send(agent, otherClient.bindingRequest(PRIORITY, false), home, 0))
                .as("remote ufrag not checked").isInstanceOf(BindingOutcome.Accepted.class);
    }

    @Test
    void missingUsernameOrIntegrityGets400() {
        IceLiteAgent agent = new IceLiteAgent(server, 0);
        byte[] noUsername = StunMessage.builder(StunMessage.METHOD_BINDING, StunClass.REQUEST,
                StunMessage.newTransactionId()).priority(PRIORITY)
                .messageIntegrity(server.password().getBytes(StandardCharsets.UTF_8)).fingerprint().build();
        var r1 = (BindingOutcome.Rejected) send(agent, noUsername, home, 0);
        assertThat(r1.errorCode()).isEqualTo(StunErrorCode.BAD_REQUEST);

        byte[] noIntegrity = StunMessage.builder(StunMessage.METHOD_BINDING, StunClass.REQUEST,
                StunMessage.newTransactionId()).username("srvUfrag:cli1").fingerprint().build();
        var r2 = (BindingOutcome.Rejected) send(agent, noIntegrity, home, 0);
        assertThat(r2.errorCode()).isEqualTo(400);
        StunMessage response = StunMessage.parse(r2.response(), 0, r2.response().length).orElseThrow();
        assertThat(response.errorCode().orElseThrow().code()).isEqualTo(400);
    }

    @Test
    void aPeerClaimingTheControlledRoleGets487() {
        IceLiteAgent agent = new IceLiteAgent(server, 0);
        byte[] request = StunMessage.builder(StunMessage.METHOD_BINDING, StunClass.REQUEST,
                        StunMessage.newTransactionId())
                .username("srvUfrag:cli1").priority(PRIORITY).iceControlled(42)
                .messageIntegrity(server.password().getBytes(StandardCharsets.UTF_8)).fingerprint().build();
        var rejected = (BindingOutcome.Rejected) send(agent, request, home, 0);
        assertThat(rejected.errorCode()).isEqualTo(StunErrorCode.ROLE_CONFLICT);
        StunMessage response = StunMessage.parse(rejected.response(), 0, rejected.response().length).orElseThrow();
        assertThat(response.verifyMessageIntegrity(server.password().getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(agent.selectedAddress()).isEmpty();
    }

    @Test
    void indicationsResponsesAndBadFingerprintsAreDropped() {
        IceLiteAgent agent = new IceLiteAgent(server, 0);
        byte[] indication = StunMessage.builder(StunMessage.METHOD_BINDING, StunClass.INDICATION,
                StunMessage.newTransactionId()).fingerprint().build();
        assertThat(send(agent, indication, home, 0)).isInstanceOf(BindingOutcome.Dropped.class);

        byte[] response = StunMessage.builder(StunMessage.METHOD_BINDING, StunClass.SUCCESS_RESPONSE,
                StunMessage.newTransactionId()).fingerprint().build();
        assertThat(send(agent, response, home, 0)).isInstanceOf(BindingOutcome.Dropped.class);

        byte[] request = clientAgent().bindingRequest(PRIORITY, true);
        request[request.length - 1] ^= 1;
        assertThat(send(agent, request, home, 0)).isEqualTo(new BindingOutcome.Dropped("missing or wrong FINGERPRINT"));

        byte[] noFingerprint = StunMessage.builder(StunMessage.METHOD_BINDING, StunClass.REQUEST,
                StunMessage.newTransactionId()).username("srvUfrag:cli1")
                .messageIntegrity(server.password().getBytes(StandardCharsets.UTF_8)).build();
        assertThat(send(agent, noFingerprint, home, 0)).isInstanceOf(BindingOutcome.Dropped.class);
        assertThat(agent.selectedAddress()).isEmpty();
    }

    @Test
    void restartSwitchesCredentialsAndKeepsMediaUntilANewNomination() {
        IceLiteAgent agent = new IceLiteAgent(server, client.ufrag(), 0);
        send(agent, clientAgent().bindingRequest(PRIORITY, true), home, SECOND);

        IceCredentials newServer = IceCredentials.random();
        IceCredentials newClient = IceCredentials.random();
        agent.restart(newServer, newClient.ufrag());
        assertThat(agent.selectedAddress()).hasValue(home);

        assertThat(send(agent, clientAgent().bindingRequest(PRIORITY, true), home, 2 * SECOND))
                .as("old credentials no longer work").isInstanceOf(BindingOutcome.Rejected.class);

        IceControllingAgent restarted = new IceControllingAgent(newClient, newServer, new SecureRandom());
        var moved = (BindingOutcome.Accepted) send(agent, restarted.bindingRequest(PRIORITY, true), mobile, 3 * SECOND);
        assertThat(moved.selectedChanged()).isTrue();
        assertThat(agent.selectedAddress()).hasValue(mobile);
        assertThat(agent.consentExpired(32 * SECOND)).isFalse();
    }

    @Test
    void theClientIgnoresForgedOrUnsolicitedResponses() {
        IceLiteAgent agent = new IceLiteAgent(server, 0);
        IceControllingAgent peer = clientAgent();
        var ok = (BindingOutcome.Accepted) send(agent, peer.bindingRequest(PRIORITY, false), home, 0);

        byte[] forged = StunMessage.builder(StunMessage.METHOD_BINDING, StunClass.SUCCESS_RESPONSE,
                        StunMessage.parse(ok.response(), 0, ok.response().length).orElseThrow().transactionId())
                .xorMappedAddress(mobile)
                .messageIntegrity("someOtherPasswordEntirely".getBytes(StandardCharsets.UTF_8)).fingerprint().build();
        assertThat(peer.handleResponse(forged, 0, forged.length)).isInstanceOf(ClientCheckResult.Ignored.class);

        byte[] stranger = StunMessage.builder(StunMessage.METHOD_BINDING, StunClass.SUCCESS_RESPONSE,
                StunMessage.newTransactionId()).xorMappedAddress(home)
                .messageIntegrity(server.password().getBytes(StandardCharsets.UTF_8)).fingerprint().build();
        assertThat(peer.handleResponse(stranger, 0, stranger.length))
                .isEqualTo(new ClientCheckResult.Ignored("unknown transaction"));

        assertThat(peer.handleResponse(ok.response(), 0, ok.response().length))
                .isEqualTo(new ClientCheckResult.Success(home));
    }

    @Test
    void garbageNeverThrows() {
        IceLiteAgent agent = new IceLiteAgent(server, client.ufrag(), 0);
        IceControllingAgent peer = clientAgent();
        Random random = new Random(8445);
        byte[] valid = peer.bindingRequest(PRIORITY, true);
        byte[] buf = new byte[512];
        for (int i = 0; i < 20_000; i++) {
            int len;
            if (random.nextBoolean()) {
                len = valid.length;
                System.arraycopy(valid, 0, buf, 0, len);
                buf[random.nextInt(len)] ^= (byte) (1 + random.nextInt(255));
            } else {
                len = random.nextInt(buf.length);
                random.nextBytes(buf);
            }
            BindingOutcome outcome = agent.handle(buf, 0, len, home, i);
            assertThat(outcome).isNotInstanceOf(BindingOutcome.Accepted.class);
            peer.handleResponse(buf, 0, len);
        }
        assertThat(agent.selectedAddress()).isEmpty();
    }

    /** Two agents that saw the same first check from {@code from}: one for each path. */
    private IceLiteAgent[] twins(InetSocketAddress from, IceControllingAgent peer) {
        IceLiteAgent general = new IceLiteAgent(server, client.ufrag(), 0);
        IceLiteAgent inPlace = new IceLiteAgent(server, client.ufrag(), 0);
        byte[] first = peer.bindingRequest(PRIORITY, false);
        assertThat(send(general, first, from, SECOND)).isInstanceOf(BindingOutcome.Accepted.class);
        assertThat(send(inPlace, first, from, SECOND)).isInstanceOf(BindingOutcome.Accepted.class);
        return new IceLiteAgent[] {general, inPlace};
    }

    @Test
    void aConsentCheckFromTheSelectedAddressIsAnsweredInPlaceWithTheGeneralPathsBytes() {
        for (InetSocketAddress from : new InetSocketAddress[] {home, mobile}) {
            IceControllingAgent peer = clientAgent();
            IceLiteAgent[] agents = twins(from, peer);
            for (boolean nominate : new boolean[] {false, true}) {
                byte[] check = peer.bindingRequest(PRIORITY, nominate);
                // At an odd offset in a larger array, as a receive buffer would hold it.
                byte[] held = new byte[check.length + 7];
                System.arraycopy(check, 0, held, 3, check.length);
                byte[] out = new byte[256];
                int n = agents[1].answerConsentCheck(held, 3, check.length, from, 5 * SECOND, out);
                BindingOutcome.Accepted general = (BindingOutcome.Accepted) send(agents[0], check, from, 5 * SECOND);
                assertThat(java.util.Arrays.copyOf(out, n)).as("%s nominate=%s", from, nominate)
                        .isEqualTo(general.response());
                assertThat(peer.handleResponse(out, 0, n)).isEqualTo(new ClientCheckResult.Success(from));
                assertThat(agents[1].isSelectedNominated()).isEqualTo(agents[0].isSelectedNominated())
                        .isEqualTo(nominate);
                assertThat(agents[1].consentExpired(5 * SECOND + IceLiteAgent.DEFAULT_CONSENT_TIMEOUT.toNanos() - 1))
                        .as("consent refreshed").isFalse();
            }
        }
    }

    @Test
    void anythingButAValidCheckFromTheSelectedAddressIsLeftToTheGeneralPath() {
        IceControllingAgent peer = clientAgent();
        IceLiteAgent agent = twins(home, peer)[1];
        byte[] out = new byte[256];
        byte[] check = peer.bindingRequest(PRIORITY, false);
        assertThat(agent.answerConsentCheck(check, 0, check.length, mobile, SECOND, out)).as("another address")
                .isEqualTo(-1);
        byte[] tampered = check.clone();
        tampered[tampered.length - 30] ^= 1;
        assertThat(agent.answerConsentCheck(tampered, 0, tampered.length, home, SECOND, out)).as("fingerprint")
                .isEqualTo(-1);
        IceControllingAgent stranger = new IceControllingAgent(client, new IceCredentials("srvUfrag",
                "anotherPasswordOf24Chars"), new SecureRandom());
        byte[] forged = stranger.bindingRequest(PRIORITY, false);
        assertThat(agent.answerConsentCheck(forged, 0, forged.length, home, SECOND, out)).as("integrity")
                .isEqualTo(-1);
        byte[] controlled = StunMessage.builder(StunMessage.METHOD_BINDING, StunClass.REQUEST,
                        StunMessage.newTransactionId()).username("srvUfrag:cli1").iceControlled(7)
                .messageIntegrity(server.password().getBytes(StandardCharsets.UTF_8)).fingerprint().build();
        assertThat(agent.answerConsentCheck(controlled, 0, controlled.length, home, SECOND, out)).as("role conflict")
                .isEqualTo(-1);
        assertThat(send(agent, controlled, home, SECOND)).isInstanceOf(BindingOutcome.Rejected.class);
        byte[] otherRemote = StunMessage.builder(StunMessage.METHOD_BINDING, StunClass.REQUEST,
                        StunMessage.newTransactionId()).username("srvUfrag:cli2")
                .messageIntegrity(server.password().getBytes(StandardCharsets.UTF_8)).fingerprint().build();
        assertThat(agent.answerConsentCheck(otherRemote, 0, otherRemote.length, home, SECOND, out)).as("username")
                .isEqualTo(-1);
        IceLiteAgent fresh = new IceLiteAgent(server, client.ufrag(), 0);
        assertThat(fresh.answerConsentCheck(check, 0, check.length, home, SECOND, out)).as("nothing selected yet")
                .isEqualTo(-1);
    }

    @Test
    void answeringConsentChecksInPlaceAllocatesNothingOnceWarm() {
        assumeTrue(java.lang.management.ManagementFactory.getThreadMXBean()
                instanceof com.sun.management.ThreadMXBean);
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());
        IceControllingAgent peer = clientAgent();
        IceLiteAgent agent = twins(home, peer)[1];
        byte[] check = peer.bindingRequest(PRIORITY, true);
        byte[] out = new byte[256];
        for (int i = 0; i < 20_000; i++) {
            assertThat(agent.answerConsentCheck(check, 0, check.length, home, SECOND, out)).isPositive();
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        int answered = 0;
        for (int i = 0; i < 10_000; i++) {
            answered += agent.answerConsentCheck(check, 0, check.length, home, SECOND, out) > 0 ? 1 : 0;
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(answered).isEqualTo(10_000);
        assertThat(allocated).as("bytes for 10,000 answered checks").isLessThan(1_000);
    }
}
