package dev.convene.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.convene.media.transport.dtls.DtlsCertificate;
import dev.convene.media.transport.dtls.DtlsRole;
import dev.convene.sdp.Codec;
import dev.convene.sdp.MediaDescription;
import dev.convene.sdp.SessionDescription;
import dev.convene.sdp.Setup;
import java.net.InetAddress;
import java.net.URI;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One participant, joined as a browser joins: the REST join, the signaling socket, a publisher
 * connection that sends {@link FakeMediaSource} audio and video, and a subscriber connection
 * that answers the SFU's offers and counts what arrives per remote participant and kind.
 *
 * <p>Frames from the server are handled one at a time on the client's own thread, in order;
 * the accessors return snapshots and may be called from any thread.
 */
public final class ConveneClient implements AutoCloseable {

    /**
     * @param timeout       how long each blocking step (joined, publisher answer, connecting) may take
     * @param captureLimit  raw datagrams from the SFU to keep per transport (0: none)
     * @param publishAudio  whether {@link #publish()} sends audio
     * @param publishVideo  whether {@link #publish()} sends video
     * @param passiveDtls   whether our SDP says {@code a=setup:passive} on both connections (as Pion:
     *     the SFU is then the DTLS client), instead of {@code actpass}/{@code active} (as browsers)
     * @param consentChecks whether to keep sending ICE consent checks once connected (Pion does not)
     * @param lossRecovery  whether video is sent with RTX for NACKs and received with NACKs for gaps, as browsers do
     * @param publisherRoute where the publisher transport sends instead of the SFU's candidate (a test's relay)
     * @param subscriberRoute the same for the subscriber transport
     * @param receiverReports whether received streams are reported in RTCP RRs every second, as every WebRTC stack does
     * @param simulcast     whether video is published as three simulcast layers (320×180, 640×360, 1280×720,
     *     signalled with {@code a=ssrc-group:SIM}; without RTX) instead of one 640×360 stream
     * @param resume        whether a socket lost without {@code leave} is reopened and resumed (backoff, within the grace)
     * @param signalingUrls {@code ws://…/v1/signal} of every signaling node to try when resuming, in order from
     *     the one that was lost; empty for the join's own {@code signaling_url}
     */
    public record Options(Duration timeout, int captureLimit, boolean publishAudio, boolean publishVideo,
            boolean passiveDtls, boolean consentChecks, boolean lossRecovery,
            UnaryOperator<InetSocketAddress> publisherRoute, UnaryOperator<InetSocketAddress> subscriberRoute,
            boolean receiverReports, boolean simulcast, boolean resume, List<URI> signalingUrls) {
        public Options {
            signalingUrls = List.copyOf(signalingUrls);
        }

        /** Options that resume on the join's own signaling node. */
        public Options(Duration timeout, int captureLimit, boolean publishAudio, boolean publishVideo, boolean passiveDtls,
                boolean consentChecks, boolean lossRecovery, UnaryOperator<InetSocketAddress> publisherRoute,
                UnaryOperator<InetSocketAddress> subscriberRoute, boolean receiverReports) {
            this(timeout, captureLimit, publishAudio, publishVideo, passiveDtls, consentChecks, lossRecovery, publisherRoute,
                    subscriberRoute, receiverReports, false, true, List.of());
        }

        public static Options defaults() {
            return new Options(Duration.ofSeconds(10), 0, true, true, false, true, true, UnaryOperator.identity(),
                    UnaryOperator.identity(), true, false, true, List.of());
        }

        /** Publishes video as three simulcast layers (see {@link Options}). */
        public Options withSimulcast() {
            return new Options(timeout, captureLimit, publishAudio, publishVideo, passiveDtls, consentChecks, lossRecovery,
                    publisherRoute, subscriberRoute, receiverReports, true, resume, signalingUrls);
        }

        /** A client that does not come back when its socket is lost (the server ends it after the grace). */
        public Options withoutResume() {
            return new Options(timeout, captureLimit, publishAudio, publishVideo, passiveDtls, consentChecks, lossRecovery,
                    publisherRoute, subscriberRoute, receiverReports, simulcast, false, signalingUrls);
        }

        /** The signaling nodes to resume on, e.g. every node behind a load balancer. */
        public Options withSignalingUrls(List<URI> urls) {
            return new Options(timeout, captureLimit, publishAudio, publishVideo, passiveDtls, consentChecks, lossRecovery,
                    publisherRoute, subscriberRoute, receiverReports, simulcast, resume, urls);
        }

        /** Keeps up to {@code limit} raw datagrams and RTP arrivals per transport. */
        public Options withCapture(int limit) {
            return new Options(timeout, limit, publishAudio, publishVideo, passiveDtls, consentChecks, lossRecovery,
                    publisherRoute, subscriberRoute, receiverReports, simulcast, resume, signalingUrls);
        }

        public Options withTimeout(Duration t) {
            return new Options(t, captureLimit, publishAudio, publishVideo, passiveDtls, consentChecks, lossRecovery,
                    publisherRoute, subscriberRoute, receiverReports, simulcast, resume, signalingUrls);
        }

        /** Offers and answers {@code a=setup:passive}, as Pion does: the SFU is the DTLS client on both connections. */
        public Options withPassiveDtls() {
            return new Options(timeout, captureLimit, publishAudio, publishVideo, true, consentChecks, lossRecovery,
                    publisherRoute, subscriberRoute, receiverReports, simulcast, resume, signalingUrls);
        }

        /** Stops ICE consent checks once connected, as Pion does; media alone shows we are alive. */
        public Options withoutConsentChecks() {
            return new Options(timeout, captureLimit, publishAudio, publishVideo, passiveDtls, false, lossRecovery,
                    publisherRoute, subscriberRoute, receiverReports, simulcast, resume, signalingUrls);
        }

        public Options withLossRecovery(boolean on) {
            return new Options(timeout, captureLimit, publishAudio, publishVideo, passiveDtls, consentChecks, on,
                    publisherRoute, subscriberRoute, receiverReports, simulcast, resume, signalingUrls);
        }

        /** Sends the publisher transport's datagrams via {@code route.apply(sfuAddress)}. */
        public Options withPublisherRoute(UnaryOperator<InetSocketAddress> route) {
            return new Options(timeout, captureLimit, publishAudio, publishVideo, passiveDtls, consentChecks, lossRecovery,
                    route, subscriberRoute, receiverReports, simulcast, resume, signalingUrls);
        }

        /** Sends the subscriber transport's datagrams via {@code route.apply(sfuAddress)}. */
        public Options withSubscriberRoute(UnaryOperator<InetSocketAddress> route) {
            return new Options(timeout, captureLimit, publishAudio, publishVideo, passiveDtls, consentChecks, lossRecovery,
                    publisherRoute, route, receiverReports, simulcast, resume, signalingUrls);
        }

        /** Sends no RTCP receiver reports: with no consent checks and no media, such a client sends nothing at all. */
        public Options withoutReceiverReports() {
            return new Options(timeout, captureLimit, publishAudio, publishVideo, passiveDtls, consentChecks, lossRecovery,
                    publisherRoute, subscriberRoute, false, simulcast, resume, signalingUrls);
        }

        DtlsRole dtlsRole() {
            return passiveDtls ? DtlsRole.SERVER : DtlsRole.CLIENT;
        }
    }

    private static final Logger log = LoggerFactory.getLogger(ConveneClient.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int MAX_FRAMES_KEPT = 10_000;

    private final JoinGrant grant;
    private final Options options;
    private final ClientResources resources;
    /**
     * Every transport of this client, across migrations, presents this one certificate (ADR 0029):
     * a migrate then costs the client no key generation, as a browser keeps its peer connection's.
     */
    private final DtlsCertificate certificate;
    private final InetAddress bindAddress = InetAddress.getLoopbackAddress();
    private final ExecutorService events;
    private final long sdpSessionId = RANDOM.nextLong() & Long.MAX_VALUE;
    /** The API's HTTP client, reused for every socket so {@code wss://} trusts what {@code https://} does. */
    private volatile java.net.http.HttpClient http;
    private volatile SignalingSession signaling;
    private volatile ObjectNode joined;
    /** The token of the last {@code joined}/{@code resumed}, for the next resume. */
    private volatile String resumeToken;
    private volatile ConnectionState connectionState = ConnectionState.CONNECTED;
    private final java.util.concurrent.atomic.AtomicInteger resumes = new java.util.concurrent.atomic.AtomicInteger();
    private volatile long lastResumeMillis = -1;
    private final java.util.concurrent.atomic.AtomicInteger migrations = new java.util.concurrent.atomic.AtomicInteger();
    private volatile long migratedAtNanos;
    private final java.util.concurrent.atomic.AtomicBoolean resuming = new java.util.concurrent.atomic.AtomicBoolean();

    private final List<ObjectNode> frames = new ArrayList<>();
    private final Map<String, String> participants = new ConcurrentHashMap<>();
    private final List<ChatMessage> chat = new ArrayList<>();
    /** The server's reply to each subscriber answer we sent, in order. */
    private final List<CompletableFuture<ObjectNode>> answerAcks = new java.util.concurrent.CopyOnWriteArrayList<>();

    private volatile MediaTransportClient publisher;
    private volatile FakeMediaSource source;
    private volatile List<FakeMediaSource> simulcastSources = List.of();
    /** The picture widths of the simulcast layers, lowest first (16:9), as Chrome's q/h/f of a 720p camera. */
    private static final int[] SIMULCAST_WIDTHS = {320, 640, 1280};
    private volatile List<LocalTrack> localTracks = List.of();
    private long publisherVersion = 1;

    // Written on the events thread only.
    private volatile MediaTransportClient subscriber;
    private volatile Map<String, RemoteTrack> remoteTracks = Map.of();
    private final Map<Long, RemoteTrack> tracksBySsrc = new ConcurrentHashMap<>();
    private long subscriberVersion = 1;
    private volatile boolean left;
    private volatile boolean closed;
    private volatile MediaTransportClient.RtpObserver subscriberRtpObserver;
    private volatile List<String> activeSpeakers = List.of();
    private volatile int audioLevel = FakeMediaSource.AUDIO_LEVEL_SILENCE;
    private final List<java.util.function.Consumer<List<String>>> speakerListeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();
    /** The last {@code layers} message per published track: which layers the SFU wants, lowest first. */
    private final Map<String, List<Boolean>> layersRequested = new ConcurrentHashMap<>();
    /**
     * The {@code subscribe-settings} we asked for, by publisher and source ({@code PA_…/camera}):
     * track ids change when a migrate republishes them on another SFU, who and what do not.
     */
    private final Map<String, SubscribeSetting> subscribeSettings = new ConcurrentHashMap<>();
    /** The track id each remembered setting was last sent for, by the same key. */
    private final Map<String, String> subscribeSettingsSentFor = new ConcurrentHashMap<>();
    private volatile int lastN;

    private record SubscribeSetting(int maxWidth, int maxHeight, boolean paused) {}

    private ConveneClient(JoinGrant grant, Options options, ClientResources resources) {
        this.grant = grant;
        this.options = options;
        this.resources = java.util.Objects.requireNonNull(resources, "resources");
        this.certificate = resources.certificate();
        this.events = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "convene-client-" + grant.participantId());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Reserves a seat ({@code GET …/join}), opens the signaling socket and sends {@code join};
     * returns once {@code joined} arrived.
     *
     * @throws ApiException       if the REST join is refused
     * @throws SignalingException if the socket fails or {@code join} is answered with an error
     */
    public static ConveneClient join(ConveneApi api, String accessToken, String meetingId, String displayName,
            Options options) {
        return join(api, accessToken, meetingId, displayName, options, ClientResources.DEDICATED);
    }

    /** As {@link #join(ConveneApi, String, String, String, Options)}, sharing {@code resources} with other clients. */
    public static ConveneClient join(ConveneApi api, String accessToken, String meetingId, String displayName,
            Options options, ClientResources resources) {
        JoinGrant grant = api.join(accessToken, meetingId, displayName);
        ConveneClient client = new ConveneClient(grant, options, resources);
        try {
            client.open(api.httpClient());
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
        return client;
    }

    /** Opens the socket with the API's HTTP client, so {@code wss://} trusts what the API's {@code https://} trusts. */
    private void open(java.net.http.HttpClient http) {
        this.http = http;
        signaling = SignalingSession.open(grant.socketUri(), http, socketListener(), options.timeout());
        ObjectNode reply = await(signaling.request(signaling.newFrame("join")), "joined");
        joined = reply;
        resumeToken = reply.path("resume_token").asText(null);
        log.info("event=client_joined meeting={} participant={} others={}", grant.meetingId(), grant.participantId(),
                reply.path("participants").size());
    }

    /** Where the signaling socket stands. */
    public enum ConnectionState { CONNECTED, RECONNECTING, FAILED }

    private SignalingSession.Listener socketListener() {
        return new SignalingSession.Listener() {
            @Override
            public void onFrame(ObjectNode frame) {
                onServerFrame(frame);
            }

            @Override
            public void onClosed(int code, String reason) {
                log.info("event=client_signal_closed participant={} code={} reason=\"{}\"",
                        grant.participantId(), code, reason);
                if (ResumeLoop.shouldResume(code) && options.resume() && !left && !closed && resumeToken != null
                        && resuming.compareAndSet(false, true)) {
                    connectionState = ConnectionState.RECONNECTING;
                    Thread.ofVirtual().name("convene-resume-" + grant.participantId()).start(() -> resume(code));
                }
            }
        };
    }

    /** Reopens the socket on the first node that answers and resumes; media keeps flowing meanwhile. */
    private void resume(int lostWith) {
        try {
            resumeOnce(lostWith);
        } finally {
            resuming.set(false);
        }
    }

    private void resumeOnce(int lostWith) {
        long started = System.nanoTime();
        List<URI> urls = new ArrayList<>(options.signalingUrls().isEmpty() ? List.of(grant.signalingUrl())
                : options.signalingUrls());
        ResumeLoop.Outcome outcome = new ResumeLoop(urls, grant.signalingUrl()).run(
                url -> SignalingSession.open(url, http, socketListener(), options.timeout()),
                session -> {
                    // Frames right behind `resumed` (the SFU's subscriber offer sent again, or `migrate`
                    // and the new session's offer) run on the events thread, maybe before this thread
                    // is back from the wait: their answers must go out on this socket, not the lost one.
                    signaling = session;
                    ObjectNode frame = session.newFrame("resume").put("token", resumeToken);
                    return await(session.request(frame), "resumed");
                },
                () -> left || closed);
        if (outcome.session() != null) {
            signaling = outcome.session();
            resumeToken = outcome.reply().path("resume_token").asText(resumeToken);
            lastResumeMillis = Duration.ofNanos(System.nanoTime() - started).toMillis();
            resumes.incrementAndGet();
            connectionState = ConnectionState.CONNECTED;
            log.info("event=client_resumed participant={} lost_with={} url={} after_ms={} attempts={}",
                    grant.participantId(), lostWith, outcome.url(), lastResumeMillis, outcome.attempts());
        } else {
            connectionState = ConnectionState.FAILED;
            log.warn("event=client_resume_failed participant={} lost_with={} attempts={} reason=\"{}\"",
                    grant.participantId(), lostWith, outcome.attempts(), outcome.failure());
        }
    }

    public ConnectionState connectionState() {
        return connectionState;
    }

    /** Times the socket was lost and resumed. */
    public int resumeCount() {
        return resumes.get();
    }

    /** From losing the socket to {@code resumed}, for the last resume; -1 before any. */
    public long lastResumeMillis() {
        return lastResumeMillis;
    }

    public String participantId() {
        return grant.participantId();
    }

    public String meetingId() {
        return grant.meetingId();
    }

    public String displayName() {
        return grant.displayName();
    }

    public JoinGrant grant() {
        return grant;
    }

    /**
     * The server's reply to every subscriber answer sent so far, in order: each completes with
     * the {@code ack} frame, or exceptionally with the {@code error} (a {@link SignalingException}).
     */
    public List<CompletableFuture<ObjectNode>> subscriberAnswerReplies() {
        return List.copyOf(answerAcks);
    }

    /** The {@code joined} frame the server answered our {@code join} with. */
    public ObjectNode joinedFrame() {
        return joined.deepCopy();
    }

    public SignalingSession signaling() {
        return signaling;
    }

    // ---------------------------------------------------------------- publishing

    /**
     * Publishes microphone audio and camera video (as {@link Options} say): one {@code publish}
     * per m-line, the publisher {@code offer}, the SFU's {@code answer}; then connects the
     * publisher transport and starts the fake media. Returns once media is being sent.
     *
     * @throws SignalingException     if the offer is refused ({@code bad_sdp})
     * @throws MediaConnectException  if the publisher transport does not connect in time
     */
    public synchronized List<LocalTrack> publish() {
        if (publisher != null) {
            throw new IllegalStateException("already publishing");
        }
        MediaTransportClient transport = MediaTransportClient.open(grant.participantId() + "/pub", bindAddress, certificate,
                resources.receiveLoop());
        if (!options.receiverReports()) {
            transport.disableReceiverReports();
        }
        if (options.captureLimit() > 0) {
            transport.captureDatagrams(options.captureLimit());
            transport.recordArrivals(options.captureLimit());
        }
        publisher = transport;
        long audioSsrc = randomSsrc();
        long videoSsrc;
        do {
            videoSsrc = randomSsrc();
        } while (videoSsrc == audioSsrc);
        long rtxSsrc;
        do {
            rtxSsrc = randomSsrc();
        } while (rtxSsrc == audioSsrc || rtxSsrc == videoSsrc);
        boolean simulcast = options.publishVideo() && options.simulcast();
        List<Long> layerSsrcs = new ArrayList<>();
        if (simulcast) {
            layerSsrcs.add(videoSsrc);
            while (layerSsrcs.size() < SIMULCAST_WIDTHS.length) {
                long s = randomSsrc();
                if (s != audioSsrc && s != rtxSsrc && !layerSsrcs.contains(s)) {
                    layerSsrcs.add(s);
                }
            }
        }
        List<LocalTrack> tracks = new ArrayList<>();
        if (options.publishAudio()) {
            tracks.add(new LocalTrack(Integer.toString(tracks.size()), "audio", "microphone", audioSsrc, 0,
                    ClientSdp.OPUS_PAYLOAD_TYPE, null));
        }
        if (options.publishVideo()) {
            tracks.add(new LocalTrack(Integer.toString(tracks.size()), "video", "camera", videoSsrc,
                    options.lossRecovery() && !simulcast ? rtxSsrc : 0, ClientSdp.VP8_PAYLOAD_TYPE, null));
        }
        if (tracks.isEmpty()) {
            throw new IllegalStateException("the options publish neither audio nor video");
        }
        for (LocalTrack t : tracks) {
            signaling.send(signaling.newFrame("publish").put("mid", t.mid()).put("kind", t.kind()).put("source", t.source()));
        }
        String streamId = "stream-" + grant.participantId();
        String offer = ClientSdp.publisherOffer(sdpSessionId, publisherVersion++, transport, streamId,
                "cname-" + grant.participantId(), tracks, options.passiveDtls() ? Setup.PASSIVE : Setup.ACTPASS,
                layerSsrcs);
        ObjectNode reply = await(requestRetryingBusy(() -> signaling.newFrame("offer").put("pc", "publisher").put("sdp", offer)),
                "publisher answer");
        SessionDescription answer = ClientSdp.parse(reply.path("sdp").asText());
        Map<String, Integer> accepted = ClientSdp.acceptedPayloadTypes(answer);
        Map<String, String> trackIds = new LinkedHashMap<>();
        for (JsonNode t : reply.path("tracks")) {
            trackIds.put(t.path("mid").asText(), t.path("track_id").asText());
        }
        List<LocalTrack> published = new ArrayList<>();
        int audioPt = -1;
        int videoPt = -1;
        for (LocalTrack t : tracks) {
            Integer pt = accepted.get(t.mid());
            if (pt == null) {
                log.warn("event=client_track_rejected participant={} mid={} kind={}", grant.participantId(), t.mid(), t.kind());
                continue;
            }
            published.add(t.withPayloadType(pt).withTrackId(trackIds.get(t.mid())));
            if (t.kind().equals("audio")) {
                audioPt = pt;
            } else {
                videoPt = pt;
                int rtxPt = ClientSdp.acceptedRtxPayloadType(answer, t.mid(), pt);
                if (rtxPt >= 0 && t.rtxSsrc() != 0) {
                    transport.enableRetransmission(t.ssrc(), t.rtxSsrc(), rtxPt);
                }
            }
        }
        localTracks = List.copyOf(published);
        FakeMediaSource media = simulcast
                ? new FakeMediaSource(transport::sendRtp, transport::sendRtcp, audioSsrc, videoSsrc, SIMULCAST_WIDTHS[0],
                        SIMULCAST_WIDTHS[0] * 9 / 16, resources)
                : new FakeMediaSource(transport::sendRtp, transport::sendRtcp, audioSsrc, videoSsrc, FakeMediaSource.WIDTH,
                        FakeMediaSource.HEIGHT, resources);
        media.setAudioLevel(audioLevel);
        source = media;
        // The upper layers: video-only sources of their own, as an encoder's simulcast streams are.
        List<FakeMediaSource> layers = new ArrayList<>();
        for (int i = 1; i < layerSsrcs.size(); i++) {
            layers.add(new FakeMediaSource(transport::sendRtp, transport::sendRtcp, audioSsrc, layerSsrcs.get(i),
                    SIMULCAST_WIDTHS[i], SIMULCAST_WIDTHS[i] * 9 / 16, resources));
        }
        simulcastSources = List.copyOf(layers);
        transport.onKeyframeRequest(ssrc -> {
            if (ssrc == media.videoSsrc()) {
                media.requestKeyframe();
            }
            for (FakeMediaSource layer : layers) {
                if (ssrc == layer.videoSsrc()) {
                    layer.requestKeyframe();
                }
            }
        });
        transport.connect(routed(ClientSdp.remoteTransport(answer), options.publisherRoute()), options.timeout(),
                options.dtlsRole(), options.consentChecks());
        media.start(audioPt, videoPt);
        for (FakeMediaSource layer : layers) {
            layer.start(-1, videoPt);
        }
        return localTracks;
    }

    /** The tracks we publish, with the ids the SFU gave them. */
    public List<LocalTrack> localTracks() {
        return localTracks;
    }

    public Optional<FakeMediaSource> mediaSource() {
        return Optional.ofNullable(source);
    }

    /** With {@link Options#simulcast()}: the sources of the layers above the first, lowest first. */
    public List<FakeMediaSource> simulcastSources() {
        return simulcastSources;
    }

    /**
     * Sends {@code subscribe-settings} for a track this client receives: the largest picture
     * worth sending it (0: no limit), and whether it is paused.
     */
    public void setSubscribeSettings(String trackId, int maxWidth, int maxHeight, boolean paused) {
        for (RemoteTrack t : remoteTracks.values()) {
            if (t.trackId().equals(trackId)) {
                // Kept for the track that replaces this one on the next SFU after a migrate.
                subscribeSettings.put(settingKey(t), new SubscribeSetting(maxWidth, maxHeight, paused));
                subscribeSettingsSentFor.put(settingKey(t), trackId);
            }
        }
        sendSubscribeSettings(trackId, new SubscribeSetting(maxWidth, maxHeight, paused));
    }

    private void sendSubscribeSettings(String trackId, SubscribeSetting s) {
        signaling.send(signaling.newFrame("subscribe-settings").put("track_id", trackId).put("max_width", s.maxWidth())
                .put("max_height", s.maxHeight()).put("paused", s.paused()));
    }

    /** Sends {@code subscribe-settings} with {@code last_n}: receive video from at most {@code n} participants. */
    public void setLastN(int n) {
        lastN = n;
        signaling.send(signaling.newFrame("subscribe-settings").put("last_n", n));
    }

    private static String settingKey(RemoteTrack t) {
        return t.participantId() + "/" + t.source();
    }

    /**
     * After a migrate the new SFU knows none of our settings, and the tracks it offers have new
     * ids: each remembered setting goes again for the track that now carries that publisher's
     * source, once, as it first appears in an offer. On the events thread.
     */
    private void resendSubscribeSettings(Map<String, RemoteTrack> carried) {
        for (RemoteTrack t : carried.values()) {
            String key = settingKey(t);
            SubscribeSetting s = subscribeSettings.get(key);
            if (s != null && !t.trackId().equals(subscribeSettingsSentFor.get(key))) {
                subscribeSettingsSentFor.put(key, t.trackId());
                sendSubscribeSettings(t.trackId(), s);
                log.info("event=client_subscribe_settings_resent participant={} publisher={} source={} track={}",
                        grant.participantId(), t.participantId(), t.source(), t.trackId());
            }
        }
    }

    /** The level of this client's fake microphone from now on, in dBov (0 loudest, -127 silence). */
    public void setAudioLevel(int dBov) {
        FakeMediaSource s = source;
        if (s == null) {
            throw new IllegalStateException("not publishing");
        }
        s.setAudioLevel(dBov);
        // Kept for the source a migration publishes anew with.
        audioLevel = dBov;
    }

    /** The last {@code active-speakers} list: participant ids, the dominant speaker first. */
    public List<String> activeSpeakers() {
        return activeSpeakers;
    }

    /** Calls {@code listener} with each {@code active-speakers} list, on the client's event thread. */
    public void onActiveSpeakers(java.util.function.Consumer<List<String>> listener) {
        speakerListeners.add(listener);
    }

    /**
     * What the SFU last asked of each published track ({@code layers}, dynacast): track id →
     * whether each layer is sent, lowest first. Tracks it never spoke of are absent (all sent).
     */
    public Map<String, List<Boolean>> layersRequested() {
        return Map.copyOf(layersRequested);
    }

    public Optional<MediaTransportClient> publisherTransport() {
        return Optional.ofNullable(publisher);
    }

    public Optional<MediaTransportClient> subscriberTransport() {
        return Optional.ofNullable(subscriber);
    }

    // ---------------------------------------------------------------- what we see

    /** Sees every RTP packet the subscriber connection receives, from its first on (load tests). */
    public void observeSubscriberRtp(MediaTransportClient.RtpObserver observer) {
        subscriberRtpObserver = observer;
        MediaTransportClient sub = subscriber;
        if (sub != null) {
            sub.observeRtp(observer);
        }
    }

    /** The others in the meeting now: participant id → display name. */
    public Map<String, String> participants() {
        return Map.copyOf(participants);
    }

    /** What the subscriber connection carries now, by mid (idle m-lines are left out). */
    public Map<String, RemoteTrack> remoteTracks() {
        return remoteTracks;
    }

    /**
     * Everything received on the subscriber connection from one participant's tracks of one
     * kind ({@code audio}/{@code video}), over all SSRCs that ever carried them.
     */
    public ReceivedStream received(String participantId, String kind) {
        MediaTransportClient sub = subscriber;
        ReceivedStream total = ReceivedStream.NONE;
        if (sub == null) {
            return total;
        }
        for (RemoteTrack t : tracksBySsrc.values()) {
            if (t.participantId().equals(participantId) && t.kind().equals(kind)) {
                total = total.plus(sub.receivedStream(t.ssrc()));
            }
        }
        return total;
    }

    /** Chat messages received, our own echoes included, in order. */
    public List<ChatMessage> chatMessages() {
        synchronized (chat) {
            return List.copyOf(chat);
        }
    }

    /** Every frame the server sent, in order (copies). */
    public List<ObjectNode> frames() {
        synchronized (frames) {
            return frames.stream().map(ObjectNode::deepCopy).toList();
        }
    }

    /** The frames of one {@code type} the server sent, in order (copies). */
    public List<ObjectNode> frames(String type) {
        synchronized (frames) {
            return frames.stream().filter(f -> type.equals(f.path("type").asText())).map(ObjectNode::deepCopy).toList();
        }
    }

    // ---------------------------------------------------------------- actions

    /** Sends a chat message; returns our own copy as the server echoed it. */
    public ChatMessage sendChat(String text) {
        ObjectNode echo = await(signaling.request(signaling.newFrame("chat").put("text", text)), "chat echo");
        return chatOf(echo);
    }

    /** Sends {@code leave} and waits for the server to close the socket; then stops media. */
    public void leave() {
        if (left) {
            return;
        }
        left = true;
        if (signaling != null && signaling.isOpen()) {
            try {
                signaling.send(signaling.newFrame("leave"));
                signaling.closeFuture().get(options.timeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (SignalingException | ExecutionException | TimeoutException e) {
                log.info("event=client_leave_unclean participant={} error={}", grant.participantId(), e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        stopMedia();
    }

    /** Leaves if still in the meeting, and frees every thread and socket. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            leave();
        } finally {
            stopMedia();
            if (signaling != null) {
                signaling.close();
            }
            events.shutdownNow();
        }
    }

    private void stopMedia() {
        FakeMediaSource s = source;
        if (s != null) {
            s.close();
        }
        for (FakeMediaSource layer : simulcastSources) {
            layer.close();
        }
        MediaTransportClient p = publisher;
        if (p != null) {
            p.close();
        }
        MediaTransportClient sub = subscriber;
        if (sub != null) {
            sub.close();
        }
    }

    // ---------------------------------------------------------------- frames, on the events thread

    private void onServerFrame(ObjectNode frame) {
        synchronized (frames) {
            if (frames.size() < MAX_FRAMES_KEPT) {
                frames.add(frame);
            }
        }
        try {
            events.execute(() -> handle(frame));
        } catch (RejectedExecutionException e) {
            // Closed: nothing more to do with frames.
        }
    }

    private void handle(ObjectNode frame) {
        try {
            switch (frame.path("type").asText()) {
                case "joined" -> {
                    for (JsonNode p : frame.path("participants")) {
                        participants.put(p.path("participant_id").asText(), p.path("display_name").asText());
                    }
                    for (JsonNode c : frame.path("chat")) {
                        addChat(chatOf(c));
                    }
                }
                case "resumed" -> {
                    // What happened while the socket was gone: the snapshot is the truth.
                    Map<String, String> now = new java.util.HashMap<>();
                    for (JsonNode p : frame.path("participants")) {
                        now.put(p.path("participant_id").asText(), p.path("display_name").asText());
                    }
                    participants.keySet().retainAll(now.keySet());
                    participants.putAll(now);
                    for (JsonNode c : frame.path("chat")) {
                        ChatMessage m = chatOf(c);
                        synchronized (chat) {
                            if (chat.stream().noneMatch(x -> x.messageId().equals(m.messageId()))) {
                                chat.add(m);
                            }
                        }
                    }
                }
                case "migrate" -> onMigrate(frame);
                case "participant-joined" -> {
                    JsonNode p = frame.path("participant");
                    participants.put(p.path("participant_id").asText(), p.path("display_name").asText());
                }
                case "participant-left" -> participants.remove(frame.path("participant_id").asText());
                case "active-speakers" -> {
                    List<String> ids = new ArrayList<>();
                    frame.path("speakers").forEach(id -> ids.add(id.asText()));
                    activeSpeakers = List.copyOf(ids);
                    for (var l : speakerListeners) {
                        l.accept(activeSpeakers);
                    }
                }
                case "layers" -> applyLayers(frame);
                case "chat" -> addChat(chatOf(frame));
                case "offer" -> {
                    if ("subscriber".equals(frame.path("pc").asText())) {
                        onSubscriberOffer(frame);
                    }
                }
                case "error" -> log.info("event=client_error_frame participant={} code={} message=\"{}\" request_id={}",
                        grant.participantId(), frame.path("code").asText(), frame.path("message").asText(),
                        frame.path("request_id").asText(null));
                default -> { }
            }
        } catch (RuntimeException e) {
            log.warn("event=client_frame_failed participant={} type={} error={}", grant.participantId(),
                    frame.path("type").asText(), e.toString(), e);
        }
    }

    /**
     * The SFU died and the meeting moved (ADR 0019): both transports go, the subscriber one comes
     * back with the new SFU's first offer, and what we published is published again there. The
     * participant id, the people list and chat stay as they are.
     */
    private void onMigrate(ObjectNode frame) {
        if (closed || left) {
            return;
        }
        migratedAtNanos = System.nanoTime();
        migrations.incrementAndGet();
        resumeToken = frame.path("resume_token").asText(resumeToken);
        if (lastN > 0) {
            // A setting of the session, not of a track: the new session starts from the SFU's default.
            signaling.send(signaling.newFrame("subscribe-settings").put("last_n", lastN));
        }
        boolean wasPublishing = publisher != null;
        MediaTransportClient sub = subscriber;
        subscriber = null;
        remoteTracks = Map.of();
        if (sub != null) {
            sub.close();
        }
        log.info("event=client_migrating participant={} republish={}", grant.participantId(), wasPublishing);
        if (wasPublishing) {
            // Not on the events thread: publishing waits for the answer, which arrives on it.
            Thread.ofVirtual().name("convene-republish-" + grant.participantId()).start(this::republish);
        }
    }

    /** How long a client keeps trying to publish again on the new SFU after {@code migrate}. */
    static final Duration REPUBLISH_FOR = Duration.ofSeconds(20);

    private synchronized void republish() {
        long deadline = System.nanoTime() + REPUBLISH_FOR.toNanos();
        for (int attempt = 1; ; attempt++) {
            dropPublisher();
            if (closed || left) {
                return;
            }
            try {
                publish();
                return;
            } catch (RuntimeException e) {
                // The new SFU may be busy or its control connection briefly down: try again, bounded.
                log.warn("event=client_republish_failed participant={} attempt={} error=\"{}\"", grant.participantId(),
                        attempt, e.getMessage());
                if (System.nanoTime() > deadline) {
                    return;
                }
                try {
                    wait(Math.min(2_000, 100L << Math.min(attempt, 5)));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void dropPublisher() {
        FakeMediaSource s = source;
        if (s != null) {
            s.close();
        }
        for (FakeMediaSource layer : simulcastSources) {
            layer.close();
        }
        MediaTransportClient p = publisher;
        publisher = null;
        localTracks = List.of();
        if (p != null) {
            p.close();
        }
    }

    /** Times the server moved this client to another SFU ({@code migrate}). */
    public int migrationCount() {
        return migrations.get();
    }

    /** {@link System#nanoTime()} when the last {@code migrate} arrived; 0 before any. */
    public long migratedAtNanos() {
        return migratedAtNanos;
    }

    /** Dynacast: pauses the fake encoder of each layer the SFU switched off, as the web client does. */
    private void applyLayers(ObjectNode frame) {
        List<Boolean> active = new ArrayList<>();
        frame.path("layers").forEach(l -> active.add(l.path("active").asBoolean(true)));
        layersRequested.put(frame.path("track_id").asText(), List.copyOf(active));
        FakeMediaSource main = source;
        List<FakeMediaSource> upper = simulcastSources;
        for (int i = 0; i < active.size(); i++) {
            FakeMediaSource layer = i == 0 ? main : i - 1 < upper.size() ? upper.get(i - 1) : null;
            if (layer != null) {
                layer.setVideoPaused(!active.get(i));
            }
        }
        log.info("event=client_layers participant={} track={} active={}", grant.participantId(),
                frame.path("track_id").asText(), active);
    }

    private void onSubscriberOffer(ObjectNode frame) {
        if (closed || left) {
            return;
        }
        SessionDescription offer = ClientSdp.parse(frame.path("sdp").asText());
        MediaTransportClient transport = subscriber;
        boolean fresh = transport == null;
        if (fresh) {
            transport = MediaTransportClient.open(grant.participantId() + "/sub", bindAddress, certificate,
                    resources.receiveLoop());
            if (!options.receiverReports()) {
                transport.disableReceiverReports();
            }
            if (options.captureLimit() > 0) {
                transport.captureDatagrams(options.captureLimit());
                transport.recordArrivals(options.captureLimit());
            }
            transport.observeRtp(subscriberRtpObserver);
            subscriber = transport;
        }
        transport.setVp8PayloadTypes(vp8PayloadTypes(offer));
        transport.enableTransportFeedback(ClientSdp.transportCcExtensionId(offer));
        if (options.lossRecovery()) {
            transport.enableLossRecovery(ClientSdp.nackPayloadTypes(offer), ClientSdp.rtxPayloadTypes(offer),
                    ClientSdp.rtxSsrcs(offer));
        }
        Map<String, Long> ssrcs = ClientSdp.ssrcsByMid(offer);
        log.debug("event=client_subscriber_offer participant={} fresh={} tracks={}", grant.participantId(), fresh,
                frame.path("tracks").size());
        Map<String, RemoteTrack> carried = new LinkedHashMap<>();
        for (JsonNode t : frame.path("tracks")) {
            String mid = t.path("mid").asText();
            RemoteTrack track = new RemoteTrack(mid, t.path("participant_id").asText(), t.path("track_id").asText(),
                    t.path("kind").asText(), t.path("source").asText(), ssrcs.getOrDefault(mid, -1L));
            carried.put(mid, track);
            if (track.ssrc() >= 0) {
                tracksBySsrc.put(track.ssrc(), track);
            }
        }
        remoteTracks = Map.copyOf(carried);
        String answer = ClientSdp.subscriberAnswer(sdpSessionId, subscriberVersion++, offer, transport,
                options.passiveDtls() ? Setup.PASSIVE : Setup.ACTIVE);
        // Names the offer answered, so a late answer to a replaced session's offer answers nothing (ADR 0028).
        String offerId = frame.path("offer_id").asText(null);
        CompletableFuture<ObjectNode> ack = requestRetryingBusy(() -> {
            ObjectNode answerFrame = signaling.newFrame("answer").put("pc", "subscriber").put("sdp", answer);
            if (offerId != null) {
                answerFrame.put("offer_id", offerId);
            }
            return answerFrame;
        });
        answerAcks.add(ack);
        // The SFU subscribed us to these tracks before offering them, so settings for them apply now.
        resendSubscribeSettings(carried);
        if (fresh) {
            MediaTransportClient.Remote remote = routed(ClientSdp.remoteTransport(offer), options.subscriberRoute());
            MediaTransportClient t = transport;
            DtlsRole role = options.dtlsRole();
            Thread.ofVirtual().name("convene-client-connect-" + grant.participantId()).start(() -> {
                try {
                    t.connect(remote, options.timeout(), role, options.consentChecks());
                } catch (MediaConnectException e) {
                    log.warn("event=client_subscriber_connect_failed participant={} error=\"{}\"",
                            grant.participantId(), e.getMessage());
                }
            });
        }
    }

    /** Attempts of a request the server answered with {@code internal_error}, and the pause between them. */
    static final int BUSY_ATTEMPTS = 3;
    static final Duration BUSY_BACKOFF = Duration.ofMillis(500);

    /**
     * Sends a request built by {@code frame}, again (at most {@link #BUSY_ATTEMPTS} in all) when
     * the server answers {@code internal_error}: a server whose media loop is too busy to answer
     * in time refuses without applying anything (its task is cancelled), so the same offer or
     * answer may be sent again; without this a subscriber whose answer met a busy moment never
     * gets media (the SFU still waits for an answer to its offer). Any other reply is final.
     */
    private CompletableFuture<ObjectNode> requestRetryingBusy(java.util.function.Supplier<ObjectNode> frame) {
        CompletableFuture<ObjectNode> result = new CompletableFuture<>();
        attempt(frame, 1, result);
        return result;
    }

    private void attempt(java.util.function.Supplier<ObjectNode> frame, int attempt, CompletableFuture<ObjectNode> result) {
        signaling.request(frame.get()).whenComplete((reply, error) -> {
            Throwable cause = error instanceof java.util.concurrent.CompletionException c ? c.getCause() : error;
            if (cause instanceof SignalingException s && "internal_error".equals(s.code()) && attempt < BUSY_ATTEMPTS
                    && !closed && !left) {
                log.info("event=client_request_retry participant={} type={} attempt={}", grant.participantId(),
                        frame.get().path("type").asText(), attempt + 1);
                CompletableFuture.delayedExecutor(BUSY_BACKOFF.toMillis(), TimeUnit.MILLISECONDS)
                        .execute(() -> attempt(frame, attempt + 1, result));
            } else if (error != null) {
                result.completeExceptionally(cause);
            } else {
                result.complete(reply);
            }
        });
    }

    private static Set<Integer> vp8PayloadTypes(SessionDescription offer) {
        Set<Integer> pts = new HashSet<>();
        for (MediaDescription m : offer.media()) {
            for (Codec c : m.codecs()) {
                if (c.name().equalsIgnoreCase("VP8")) {
                    pts.add(c.payloadType());
                }
            }
        }
        return pts;
    }

    private void addChat(ChatMessage m) {
        synchronized (chat) {
            chat.add(m);
        }
    }

    private static ChatMessage chatOf(JsonNode c) {
        return new ChatMessage(c.path("message_id").asText(), c.path("participant_id").asText(),
                c.path("display_name").asText(), c.path("text").asText(), c.path("sent_at").asText());
    }

    private ObjectNode await(CompletableFuture<ObjectNode> reply, String what) {
        try {
            return reply.get(options.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SignalingException("interrupted", "interrupted while waiting for " + what, null);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SignalingException s) {
                throw s;
            }
            throw new SignalingException("failed", what + ": " + e.getCause(), null);
        } catch (TimeoutException e) {
            throw new SignalingException("timeout", "no " + what + " within " + options.timeout().toMillis() + " ms", null);
        }
    }

    private static MediaTransportClient.Remote routed(MediaTransportClient.Remote remote,
            UnaryOperator<InetSocketAddress> route) {
        return new MediaTransportClient.Remote(route.apply(remote.address()), remote.ice(), remote.fingerprint());
    }

    private static long randomSsrc() {
        long ssrc;
        do {
            ssrc = RANDOM.nextInt() & 0xFFFF_FFFFL;
        } while (ssrc == 0);
        return ssrc;
    }

    @Override
    public String toString() {
        return "ConveneClient[" + grant.participantId() + " " + grant.displayName() + "]";
    }
}
