package dev.convene.loadtest;

import dev.convene.client.ClientResources;
import dev.convene.client.ConveneApi;
import dev.convene.client.ConveneClient;
import dev.convene.client.FakeMediaSource;
import dev.convene.client.MediaTransportClient;
import dev.convene.client.RemoteTrack;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** One participant with media: a {@link ConveneClient} with a {@link LatencyProbe} on what it receives. */
final class MediaBot implements AutoCloseable {

    final ConveneClient client;
    final String meetingId;
    final boolean publisher;
    /** Its place in its meeting, in join order. */
    final int index;
    /** REST join to {@code joined}, and publish to media flowing, in milliseconds. */
    final double joinMillis;
    double publishMillis = Double.NaN;
    /** Whether its fake microphone is at a speaking level (the others murmur or are silent). */
    volatile boolean loud;
    private final LatencyProbe probe;
    /** Video tracks already told the tile size (events of many threads may ask at once). */
    private final Set<String> tiled = new HashSet<>();

    private MediaBot(ConveneClient client, String meetingId, boolean publisher, int index, double joinMillis,
            MediaStats stats) {
        this.client = client;
        this.meetingId = meetingId;
        this.publisher = publisher;
        this.index = index;
        this.joinMillis = joinMillis;
        this.probe = new LatencyProbe(stats, this::kindOf);
    }

    static MediaBot join(ConveneApi api, String meetingId, String name, boolean publisher, int index,
            ConveneClient.Options options, ClientResources resources, MediaStats stats, int lastN) {
        String token = api.guestToken(name).accessToken();
        long t0 = System.nanoTime();
        ConveneClient client = ConveneClient.join(api, token, meetingId, name, options, resources);
        double joinMillis = (System.nanoTime() - t0) / 1e6;
        MediaBot bot = new MediaBot(client, meetingId, publisher, index, joinMillis, stats);
        client.observeSubscriberRtp(bot.probe);
        ClientFeatures.afterJoin(client, lastN);
        return bot;
    }

    void publish(int loudPublishers, boolean silentDtx) {
        long t0 = System.nanoTime();
        client.publish();
        publishMillis = (System.nanoTime() - t0) / 1e6;
        loud = ClientFeatures.afterPublish(client, index, loudPublishers, silentDtx);
    }

    /** Turns its microphone up to a speaking level (the active-speaker check). */
    void speakUp(int rank) {
        client.setAudioLevel(ClientFeatures.speakingLevel(rank));
        loud = true;
    }

    private String kindOf(long ssrc) {
        for (RemoteTrack t : client.remoteTracks().values()) {
            if (t.ssrc() == ssrc) {
                return t.kind();
            }
        }
        return null;
    }

    /** The participant whose track arrives on {@code ssrc} here, null if none now. */
    String participantOf(long ssrc) {
        for (RemoteTrack t : client.remoteTracks().values()) {
            if (t.ssrc() == ssrc) {
                return t.participantId();
            }
        }
        return null;
    }

    /** Asks for every video track received and not asked for yet at {@code width}×{@code height}: a grid tile. */
    void applyTiles(int width, int height) {
        if (width <= 0) {
            return;
        }
        for (RemoteTrack t : client.remoteTracks().values()) {
            if (t.kind().equals("video")) {
                boolean fresh;
                synchronized (tiled) {
                    fresh = tiled.add(t.trackId());
                }
                if (fresh) {
                    client.setSubscribeSettings(t.trackId(), width, height, false);
                }
            }
        }
    }

    long rtpSent() {
        return client.publisherTransport().map(t -> t.stats().rtpOut()).orElse(0L);
    }

    long audioSent() {
        return client.mediaSource().map(FakeMediaSource::audioPacketsSent).orElse(0L);
    }

    long rtpReceived() {
        return client.subscriberTransport().map(MediaTransportClient::stats).map(s -> s.srtpIn()).orElse(0L);
    }

    /** SRTP bytes received that carried media (probe padding left out), for the bitrate-vs-estimate check. */
    long mediaBytesReceived() {
        return client.subscriberTransport().map(t -> t.srtpBytesIn() - t.paddingBytesIn()).orElse(0L);
    }

    /** The SFU's latest estimate of this bot's downlink (RTCP APP CVBW), -1 before the first. */
    long downlinkEstimateBps() {
        return client.subscriberTransport().map(MediaTransportClient::downlinkEstimateBps).orElse(-1L);
    }

    /** Whether its transports are connected: the subscriber one only if anyone else publishes ({@code receives}). */
    boolean connected(boolean receives) {
        boolean sub = !receives || client.subscriberTransport().map(MediaTransportClient::isConnected).orElse(false);
        boolean pub = !publisher || client.publisherTransport().map(MediaTransportClient::isConnected).orElse(false);
        return sub && pub;
    }

    /** Whether the server ended it (its socket closed) or one of its transports failed to connect. */
    boolean failed() {
        boolean socketGone = client.signaling() == null || !client.signaling().isOpen();
        boolean subFailed = client.subscriberTransport().map(t -> t.connected().isCompletedExceptionally()).orElse(false);
        boolean pubFailed = client.publisherTransport().map(t -> t.connected().isCompletedExceptionally()).orElse(false);
        return socketGone || subFailed || pubFailed;
    }

    boolean receivesAudioFrom(String participantId) {
        return client.received(participantId, "audio").packets() > 0;
    }

    /** Audio or video streams that brought packets, ever or inside the window. */
    int streams(boolean video, boolean window) {
        return probe.streams(video, window);
    }

    /** Participants whose video arrived here inside the window. */
    void videoSendersInWindow(Set<String> into) {
        probe.forEachStream(true, true, ssrc -> {
            String p = participantOf(ssrc);
            if (p != null) {
                into.add(p);
            }
        });
    }

    /** Whether every layer of its video is paused at its encoder (dynacast), as the SFU's last {@code layers} asked. */
    boolean videoPausedAtPublisher() {
        if (!publisher) {
            return false;
        }
        Map<String, List<Boolean>> asked = client.layersRequested();
        boolean askedAllOff = !asked.isEmpty() && asked.values().stream().allMatch(l -> l.stream().noneMatch(b -> b));
        boolean sourcesOff = client.mediaSource().map(FakeMediaSource::videoPaused).orElse(false)
                && client.simulcastSources().stream().allMatch(FakeMediaSource::videoPaused);
        return askedAllOff && sourcesOff;
    }

    @Override
    public void close() {
        client.close();
    }
}
