package dev.convene.media.transport.ice;

import dev.convene.media.transport.stun.StunClass;
import dev.convene.media.transport.stun.StunErrorCode;
import dev.convene.media.transport.stun.StunMessage;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Objects;
import java.util.Optional;

/**
 * The client's side of checks against an ICE-lite server, for Convene's Java client and
 * tests: the controlling agent that sends Binding requests (RFC 8445 §7.2.2) and validates
 * the answers. It does not pace or retransmit; the caller decides when to send.
 *
 * <p>Not thread-safe.
 */
public final class IceControllingAgent {
    /** Outstanding transactions remembered; older ones are forgotten. */
    public static final int MAX_PENDING = 32;

    private final IceCredentials local;
    private final IceCredentials remote;
    private final SecureRandom random;
    private final long tieBreaker;
    private final ArrayDeque<byte[]> pending = new ArrayDeque<>();

    /** @param remote the server's ufrag and password, from its SDP */
    public IceControllingAgent(IceCredentials local, IceCredentials remote) {
        this(local, remote, new SecureRandom());
    }

    public IceControllingAgent(IceCredentials local, IceCredentials remote, SecureRandom random) {
        this.local = Objects.requireNonNull(local, "local");
        this.remote = Objects.requireNonNull(remote, "remote");
        this.random = random;
        this.tieBreaker = random.nextLong();
    }

    public long tieBreaker() {
        return tieBreaker;
    }

    /**
     * A Binding request: USERNAME {@code remoteUfrag:localUfrag}, PRIORITY, ICE-CONTROLLING,
     * USE-CANDIDATE when nominating, MESSAGE-INTEGRITY with the remote password, FINGERPRINT.
     */
    public byte[] bindingRequest(long priority, boolean nominate) {
        byte[] transactionId = StunMessage.newTransactionId(random);
        StunMessage.Builder b = StunMessage.builder(StunMessage.METHOD_BINDING, StunClass.REQUEST, transactionId)
                .username(remote.ufrag() + ":" + local.ufrag())
                .priority(priority)
                .iceControlling(tieBreaker);
        if (nominate) {
            b.useCandidate();
        }
        byte[] request = b.messageIntegrity(remoteKey()).fingerprint().build();
        if (pending.size() >= MAX_PENDING) {
            pending.removeFirst();
        }
        pending.addLast(transactionId);
        return request;
    }

    /** Validates a datagram received from the server. */
    public ClientCheckResult handleResponse(byte[] buf, int off, int len) {
        Optional<StunMessage> parsed = StunMessage.parse(buf, off, len);
        if (parsed.isEmpty()) {
            return new ClientCheckResult.Ignored("not a well-formed STUN message");
        }
        StunMessage m = parsed.get();
        if (m.method() != StunMessage.METHOD_BINDING
                || (m.messageClass() != StunClass.SUCCESS_RESPONSE && m.messageClass() != StunClass.ERROR_RESPONSE)) {
            return new ClientCheckResult.Ignored("not a binding response");
        }
        if (m.hasFingerprint() && !m.verifyFingerprint()) {
            return new ClientCheckResult.Ignored("wrong FINGERPRINT");
        }
        if (!isPending(m)) {
            return new ClientCheckResult.Ignored("unknown transaction");
        }
        boolean authentic = m.verifyMessageIntegrity(remoteKey());
        if (m.messageClass() == StunClass.SUCCESS_RESPONSE) {
            if (!authentic) {
                return new ClientCheckResult.Ignored("missing or wrong MESSAGE-INTEGRITY");
            }
            return m.xorMappedAddress()
                    .<ClientCheckResult>map(a -> {
                        forget(m);
                        return new ClientCheckResult.Success(a);
                    })
                    .orElseGet(() -> new ClientCheckResult.Ignored("success response without XOR-MAPPED-ADDRESS"));
        }
        if (m.hasMessageIntegrity() && !authentic) {
            return new ClientCheckResult.Ignored("wrong MESSAGE-INTEGRITY on an error response");
        }
        forget(m);
        return m.errorCode()
                .<ClientCheckResult>map(e -> new ClientCheckResult.Failure(e.code(), e.reason()))
                .orElseGet(() -> new ClientCheckResult.Failure(StunErrorCode.BAD_REQUEST, "error response without ERROR-CODE"));
    }

    /** The ICE candidate priority formula (RFC 8445 §5.1.2.1). */
    public static long candidatePriority(int typePreference, int localPreference, int componentId) {
        return ((long) typePreference << 24) + ((long) localPreference << 8) + (256 - componentId);
    }

    private boolean isPending(StunMessage m) {
        for (byte[] id : pending) {
            if (m.hasTransactionId(id)) {
                return true;
            }
        }
        return false;
    }

    private void forget(StunMessage m) {
        for (Iterator<byte[]> it = pending.iterator(); it.hasNext(); ) {
            if (Arrays.equals(it.next(), m.transactionId())) {
                it.remove();
                return;
            }
        }
    }

    private byte[] remoteKey() {
        return remote.password().getBytes(StandardCharsets.UTF_8);
    }
}
