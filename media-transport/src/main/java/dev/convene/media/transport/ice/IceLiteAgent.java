package dev.convene.media.transport.ice;

import dev.convene.media.transport.stun.BindingCheck;
import dev.convene.media.transport.stun.StunClass;
import dev.convene.media.transport.stun.StunErrorCode;
import dev.convene.media.transport.stun.StunMessage;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The SFU's side of ICE for one transport: an ICE-lite, always-controlled agent (RFC 8445
 * §2.5) that answers the peer's connectivity checks and never sends its own.
 *
 * <p>A check is valid when it is a Binding request with a correct FINGERPRINT, a USERNAME of
 * {@code <localUfrag>:<remoteUfrag>} and a MESSAGE-INTEGRITY keyed with the local password. Its
 * source address then becomes a valid address. The selected address is the latest one the
 * peer nominated with USE-CANDIDATE, or, until something is nominated, the first valid one.
 * A nomination from a new address moves the selection: that is how a client that changed
 * network (or ICE-restarted, see {@link #restart}) keeps its session.
 *
 * <p>Consent (RFC 7675): each valid check from the selected address refreshes consent, and so
 * does whatever the caller reports through {@link #refreshConsent}; it expires when there has
 * been none for the consent timeout ({@link #DEFAULT_CONSENT_TIMEOUT} unless given). Before the first
 * selection the agent's creation time counts as the last check, so a peer that never
 * completes a check also expires. Time is passed in, in {@link System#nanoTime()} units.
 *
 * <p>Not thread-safe: confined to the transport's event loop.
 */
public final class IceLiteAgent {
    public static final Duration DEFAULT_CONSENT_TIMEOUT = Duration.ofSeconds(30);
    /** Valid addresses remembered per transport; the least recently checked is forgotten first. */
    public static final int MAX_VALID_ADDRESSES = 8;

    private final long consentTimeoutNanos;
    /** Valid addresses in order of their last check (a value would be boxed per check: presence is all we need). */
    private final Map<InetSocketAddress, Boolean> validAddresses =
            new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<InetSocketAddress, Boolean> eldest) {
                    return size() > MAX_VALID_ADDRESSES;
                }
            };

    private IceCredentials local;
    private String remoteUfrag;
    private InetSocketAddress selected;
    private boolean selectedNominated;
    private long lastConsentNanos;
    /** The allocation-free reader of consent checks from the selected address ({@link #answerConsentCheck}). */
    private final BindingCheck check = new BindingCheck();
    private byte[] localUfragBytes;
    private byte[] remoteUfragBytes;
    private InetSocketAddress encodedSource;
    private byte[] encodedSourceAddress;

    /** An agent that does not check the remote half of USERNAME (until {@link #setRemoteUfrag}). */
    public IceLiteAgent(IceCredentials local, long nowNanos) {
        this(local, null, nowNanos, DEFAULT_CONSENT_TIMEOUT);
    }

    /** @param remoteUfrag the peer's ufrag from its SDP; {@code null} to accept any */
    public IceLiteAgent(IceCredentials local, String remoteUfrag, long nowNanos) {
        this(local, remoteUfrag, nowNanos, DEFAULT_CONSENT_TIMEOUT);
    }

    public IceLiteAgent(IceCredentials local, String remoteUfrag, long nowNanos, Duration consentTimeout) {
        this.local = Objects.requireNonNull(local, "local");
        this.remoteUfrag = remoteUfrag;
        this.lastConsentNanos = nowNanos;
        this.consentTimeoutNanos = consentTimeout.toNanos();
        ufragsChanged();
    }

    private void ufragsChanged() {
        localUfragBytes = local.ufrag().getBytes(StandardCharsets.UTF_8);
        remoteUfragBytes = remoteUfrag == null ? null : remoteUfrag.getBytes(StandardCharsets.UTF_8);
    }

    public IceCredentials localCredentials() {
        return local;
    }

    /** Sets (or, with {@code null}, stops checking) the peer's ufrag. */
    public void setRemoteUfrag(String remoteUfrag) {
        this.remoteUfrag = remoteUfrag;
        ufragsChanged();
    }

    /**
     * An ICE restart: new credentials on both sides. The selected address keeps carrying media
     * (and its consent clock runs on) until a check with the new credentials nominates an address.
     */
    public void restart(IceCredentials newLocal, String newRemoteUfrag) {
        this.local = Objects.requireNonNull(newLocal, "newLocal");
        this.remoteUfrag = newRemoteUfrag;
        this.selectedNominated = false;
        validAddresses.clear();
        ufragsChanged();
    }

    /**
     * Answers a valid check from the selected address — a consent refresh, what a connected
     * peer sends every few seconds — into {@code out}, allocating nothing (ADR 0027). It keeps
     * the selection (the source is the selected address), refreshes consent and marks the
     * selection nominated on USE-CANDIDATE, as {@link #handle} would.
     *
     * @return the response's length in {@code out} (at least 100 bytes long), or -1 when this is
     *     not such a check: {@link #handle} then gives the full treatment, errors included
     */
    public int answerConsentCheck(byte[] buf, int off, int len, InetSocketAddress source, long nowNanos, byte[] out) {
        if (selected == null || !source.equals(selected) || !check.read(buf, off, len)
                || !check.usernameIs(localUfragBytes, remoteUfragBytes) || check.iceControlled()
                || !check.integrityValid(local.password())) {
            return -1;
        }
        validAddresses.put(source, Boolean.TRUE);
        if (check.useCandidate()) {
            selectedNominated = true;
        }
        lastConsentNanos = nowNanos;
        if (source != encodedSource) {
            encodedSource = source;
            encodedSourceAddress = source.getAddress().getAddress();
        }
        return check.writeSuccess(out, encodedSourceAddress, source.getPort(), local.password());
    }

    /** Handles a datagram that the demultiplexer classified as STUN. */
    public BindingOutcome handle(byte[] buf, int off, int len, InetSocketAddress source, long nowNanos) {
        Optional<StunMessage> parsed = StunMessage.parse(buf, off, len);
        if (parsed.isEmpty()) {
            return new BindingOutcome.Dropped("not a well-formed STUN message");
        }
        return handle(parsed.get(), source, nowNanos);
    }

    public BindingOutcome handle(StunMessage message, InetSocketAddress source, long nowNanos) {
        Objects.requireNonNull(source, "source");
        if (!message.isBindingRequest()) {
            return new BindingOutcome.Dropped(message.messageClass() == StunClass.INDICATION
                    ? "binding indication (keepalive)" : "not a binding request");
        }
        if (!message.verifyFingerprint()) {
            return new BindingOutcome.Dropped("missing or wrong FINGERPRINT");
        }
        Optional<String> username = message.username();
        if (username.isEmpty() || !message.hasMessageIntegrity()) {
            return reject(message, StunErrorCode.BAD_REQUEST, "Bad Request", false,
                    "missing USERNAME or MESSAGE-INTEGRITY");
        }
        if (!usernameMatches(username.get())) {
            return reject(message, StunErrorCode.UNAUTHORIZED, "Unauthorized", false, "unknown USERNAME");
        }
        if (!message.verifyMessageIntegrity(passwordKey())) {
            return reject(message, StunErrorCode.UNAUTHORIZED, "Unauthorized", false, "wrong MESSAGE-INTEGRITY");
        }
        if (message.iceControlled().isPresent()) {
            // A lite agent is always controlled and cannot switch roles (RFC 8445 §7.3.1.1).
            return reject(message, StunErrorCode.ROLE_CONFLICT, "Role Conflict", true,
                    "peer claims the controlled role too");
        }
        return accept(message, source, nowNanos);
    }

    /** Whether a check has succeeded, so media has an address to go to. */
    public boolean hasSelectedAddress() {
        return selected != null;
    }

    /** The address media goes to, once a check has succeeded. */
    public Optional<InetSocketAddress> selectedAddress() {
        return Optional.ofNullable(selected);
    }

    /** Whether the peer nominated the selected address (rather than it being merely the first valid one). */
    public boolean isSelectedNominated() {
        return selectedNominated;
    }

    /** Whether {@code address} passed a check since the last restart. */
    public boolean isValidAddress(InetSocketAddress address) {
        return validAddresses.containsKey(address);
    }

    /**
     * Counts something else the peer proved it sent from {@code source} — authenticated SRTP or
     * SRTCP — as consent, when {@code source} is the selected address. RFC 7675 is about a
     * sender's consent checks; a lite agent sends none and only learns that the peer is alive
     * from what the peer sends, of which authenticated media is as good a proof as a check.
     */
    public void refreshConsent(InetSocketAddress source, long nowNanos) {
        if (source.equals(selected)) {
            lastConsentNanos = nowNanos;
        }
    }

    /** True when no valid check from the selected address (or none at all) came for the consent timeout. */
    public boolean consentExpired(long nowNanos) {
        return nowNanos - lastConsentNanos >= consentTimeoutNanos;
    }

    private BindingOutcome accept(StunMessage request, InetSocketAddress source, long nowNanos) {
        validAddresses.put(source, Boolean.TRUE);
        boolean nominated = request.useCandidate();
        boolean changed = false;
        if (nominated) {
            changed = !source.equals(selected);
            selected = source;
            selectedNominated = true;
        } else if (selected == null) {
            selected = source;
            changed = true;
        }
        if (source.equals(selected)) {
            lastConsentNanos = nowNanos;
        }
        byte[] response = StunMessage.builder(StunMessage.METHOD_BINDING, StunClass.SUCCESS_RESPONSE,
                        request.transactionId())
                .xorMappedAddress(source)
                .messageIntegrity(passwordKey())
                .fingerprint()
                .build();
        return new BindingOutcome.Accepted(response, source, nominated, changed);
    }

    private BindingOutcome reject(StunMessage request, int code, String phrase, boolean authenticated, String why) {
        StunMessage.Builder b = StunMessage.builder(StunMessage.METHOD_BINDING, StunClass.ERROR_RESPONSE,
                request.transactionId()).errorCode(code, phrase);
        if (authenticated) {
            b.messageIntegrity(passwordKey());
        }
        return new BindingOutcome.Rejected(b.fingerprint().build(), code, why);
    }

    private boolean usernameMatches(String username) {
        int colon = username.indexOf(':');
        if (colon < 0 || !username.substring(0, colon).equals(local.ufrag())) {
            return false;
        }
        return remoteUfrag == null || username.substring(colon + 1).equals(remoteUfrag);
    }

    private byte[] passwordKey() {
        return local.password().getBytes(StandardCharsets.UTF_8);
    }
}
