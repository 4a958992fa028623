package dev.convene.client;

import dev.convene.media.transport.dtls.DtlsRole;
import dev.convene.sdp.MediaDescription;
import dev.convene.sdp.SessionDescription;
import dev.convene.sdp.Setup;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WHIP (RFC 9725) publisher or WHEP player, as OBS or a broadcaster speaks it: one HTTP POST
 * of an SDP offer with a bearer token, the answer's ICE-lite candidate, DTLS and SRTP; DELETE on
 * the session's {@code Location} ends it. Publishing sends {@link FakeMediaSource} audio and
 * video; playing counts what arrives, per SSRC.
 */
public final class WhipClient implements AutoCloseable {

    /** The payload types a player offers: not the SFU's own numbers, so a player proves it gets its own. */
    public static final int PLAYER_OPUS_PAYLOAD_TYPE = 109;
    public static final int PLAYER_VP8_PAYLOAD_TYPE = 100;
    public static final int PLAYER_RTX_PAYLOAD_TYPE = 101;

    private final HttpClient http;
    private final String token;
    private final URI resource;
    private final String etag;
    private final SessionDescription answer;
    private final MediaTransportClient transport;
    private final FakeMediaSource source;
    private Vp8FileSource video;

    private WhipClient(HttpClient http, String token, URI resource, String etag, SessionDescription answer,
            MediaTransportClient transport, FakeMediaSource source) {
        this.http = http;
        this.token = token;
        this.resource = resource;
        this.etag = etag;
        this.answer = answer;
        this.transport = transport;
        this.source = source;
    }

    /** The answer to a POST that did not create a session: its status and problem {@code code}. */
    public static final class RefusedException extends RuntimeException {
        private final int status;
        private final String body;

        RefusedException(int status, String body) {
            super("refused with " + status + ": " + body);
            this.status = status;
            this.body = body;
        }

        public int status() {
            return status;
        }

        public String body() {
            return body;
        }
    }

    /**
     * Publishes audio and video to {@code endpoint} ({@code …/v1/meetings/{id}/whip}): one offer with
     * both sendonly m-lines, bundled; returns once the transport is connected and media flows.
     *
     * @throws RefusedException if the endpoint answers anything but 201
     */
    public static WhipClient publish(HttpClient http, URI endpoint, String bearerToken, Duration timeout) {
        return publish(http, endpoint, bearerToken, timeout, null);
    }

    /**
     * As above; with {@code vp8Ivf} the video is that IVF file's VP8 frames, looped (decodable, for
     * browsers), instead of {@link FakeMediaSource}'s filler.
     */
    public static WhipClient publish(HttpClient http, URI endpoint, String bearerToken, Duration timeout,
            java.io.InputStream vp8Ivf) {
        MediaTransportClient transport = MediaTransportClient.open("whip", InetAddress.getLoopbackAddress());
        try {
            long audioSsrc = randomSsrc();
            long videoSsrc;
            do {
                videoSsrc = randomSsrc();
            } while (videoSsrc == audioSsrc);
            long rtxSsrc;
            do {
                rtxSsrc = randomSsrc();
            } while (rtxSsrc == audioSsrc || rtxSsrc == videoSsrc);
            List<LocalTrack> tracks = List.of(
                    new LocalTrack("0", "audio", "microphone", audioSsrc, 0, ClientSdp.OPUS_PAYLOAD_TYPE, null),
                    new LocalTrack("1", "video", "camera", videoSsrc, rtxSsrc, ClientSdp.VP8_PAYLOAD_TYPE, null));
            String offer = ClientSdp.publisherOffer(randomSsrc(), 1, transport, "whip-stream", "whip-cname", tracks);
            HttpResponse<String> created = post(http, endpoint, bearerToken, offer);
            SessionDescription answer = ClientSdp.parse(created.body());
            Map<String, Integer> accepted = ClientSdp.acceptedPayloadTypes(answer);
            int rtxPt = ClientSdp.acceptedRtxPayloadType(answer, "1", accepted.getOrDefault("1", -1));
            if (rtxPt >= 0) {
                transport.enableRetransmission(videoSsrc, rtxSsrc, rtxPt);
            }
            FakeMediaSource media = new FakeMediaSource(transport::sendRtp, transport::sendRtcp, audioSsrc, videoSsrc);
            Vp8FileSource file = vp8Ivf == null ? null : new Vp8FileSource(vp8Ivf, transport::sendRtp, videoSsrc);
            long fileSsrc = videoSsrc;
            transport.onKeyframeRequest(ssrc -> {
                if (ssrc == fileSsrc && file != null) {
                    file.requestKeyframe();
                } else if (ssrc == media.videoSsrc()) {
                    media.requestKeyframe();
                }
            });
            WhipClient client = new WhipClient(http, bearerToken, resource(endpoint, created), created.headers()
                    .firstValue("ETag").orElse(null), answer, transport, media);
            client.video = file;
            transport.connect(ClientSdp.remoteTransport(answer), timeout, dtlsRole(answer), true);
            int videoPt = accepted.getOrDefault("1", -1);
            media.start(accepted.getOrDefault("0", -1), file == null ? videoPt : -1);
            if (file != null && videoPt >= 0) {
                file.start(videoPt);
            }
            return client;
        } catch (RuntimeException e) {
            transport.close();
            throw e;
        }
    }

    /**
     * Plays from {@code endpoint} ({@code …/whep} or {@code …/whep/participants/{pid}}): a recvonly
     * audio and video offer under the {@code PLAYER_*} payload types; returns once connected.
     *
     * @throws RefusedException if the endpoint answers anything but 201
     */
    public static WhipClient play(HttpClient http, URI endpoint, String bearerToken, Duration timeout) {
        MediaTransportClient transport = MediaTransportClient.open("whep", InetAddress.getLoopbackAddress());
        try {
            String offer = ClientSdp.playerOffer(randomSsrc(), transport, PLAYER_OPUS_PAYLOAD_TYPE,
                    PLAYER_VP8_PAYLOAD_TYPE, PLAYER_RTX_PAYLOAD_TYPE);
            HttpResponse<String> created = post(http, endpoint, bearerToken, offer);
            SessionDescription answer = ClientSdp.parse(created.body());
            transport.setVp8PayloadTypes(Set.of(PLAYER_VP8_PAYLOAD_TYPE));
            transport.enableLossRecovery(ClientSdp.nackPayloadTypes(answer), ClientSdp.rtxPayloadTypes(answer),
                    ClientSdp.rtxSsrcs(answer));
            WhipClient client = new WhipClient(http, bearerToken, resource(endpoint, created), created.headers()
                    .firstValue("ETag").orElse(null), answer, transport, null);
            transport.connect(ClientSdp.remoteTransport(answer), timeout, dtlsRole(answer), true);
            // As a browser's decoder does when it starts: a key frame sent before DTLS finished never arrived.
            for (long ssrc : ClientSdp.ssrcsByMid(answer).values()) {
                transport.sendPli(ssrc);
            }
            return client;
        } catch (RuntimeException e) {
            transport.close();
            throw e;
        }
    }

    /** The session's resource ({@code Location}, resolved against the endpoint). */
    public URI resource() {
        return resource;
    }

    public String etag() {
        return etag;
    }

    public SessionDescription answer() {
        return answer;
    }

    public MediaTransportClient transport() {
        return transport;
    }

    /** What a publisher sends; null for a player. */
    public FakeMediaSource source() {
        return source;
    }

    /** The SSRC the answer announces on m-line {@code mid} (a player's incoming streams), or -1. */
    public long announcedSsrc(String mid) {
        return ClientSdp.ssrcsByMid(answer).getOrDefault(mid, -1L);
    }

    /** {@code PATCH} on the resource with an SDP fragment; returns the status. */
    public int patch(String contentType, String fragment, String ifMatch) {
        HttpRequest.Builder request = HttpRequest.newBuilder(resource)
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", contentType)
                .method("PATCH", HttpRequest.BodyPublishers.ofString(fragment));
        if (ifMatch != null) {
            request.header("If-Match", ifMatch);
        }
        return send(http, request.build()).statusCode();
    }

    /** {@code DELETE} on the resource (ends the session on the server); returns the status. */
    public int delete() {
        return send(http, HttpRequest.newBuilder(resource).header("Authorization", "Bearer " + token).DELETE().build())
                .statusCode();
    }

    /** Stops the media and the transport; the server's session is left to {@link #delete} (or to ICE consent). */
    @Override
    public void close() {
        if (video != null) {
            video.close();
        }
        if (source != null) {
            source.close();
        }
        transport.close();
    }

    private static HttpResponse<String> post(HttpClient http, URI endpoint, String token, String offer) {
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint)
                .header("Content-Type", "application/sdp")
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(offer));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> answer = send(http, request.build());
        if (answer.statusCode() != 201) {
            throw new RefusedException(answer.statusCode(), answer.body());
        }
        return answer;
    }

    private static URI resource(URI endpoint, HttpResponse<String> created) {
        String location = created.headers().firstValue("Location")
                .orElseThrow(() -> new IllegalStateException("201 without a Location"));
        return endpoint.resolve(location);
    }

    /** RFC 5763: the answerer's {@code active} makes it the DTLS client, so we serve. */
    private static DtlsRole dtlsRole(SessionDescription answer) {
        return answer.media().stream().filter(m -> !m.isRejected()).map(MediaDescription::setup)
                .flatMap(java.util.Optional::stream).findFirst()
                .filter(s -> s == Setup.ACTIVE).map(s -> DtlsRole.SERVER).orElse(DtlsRole.CLIENT);
    }

    private static HttpResponse<String> send(HttpClient http, HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static long randomSsrc() {
        return ThreadLocalRandom.current().nextLong(1, 0xFFFFFFFFL);
    }
}
