package dev.convene.loadtest;

import dev.convene.client.ConveneApi;
import dev.convene.client.ConveneClient;
import dev.convene.client.FakeMediaSource;
import dev.convene.client.MediaTransportClient;
import dev.convene.client.RemoteTrack;

/** One participant with media: a {@link ConveneClient} with a {@link LatencyProbe} on what it receives. */
final class MediaBot implements AutoCloseable {

    final ConveneClient client;
    final String meetingId;
    final boolean publisher;
    /** REST join to {@code joined}, and publish to media flowing, in milliseconds. */
    final double joinMillis;
    double publishMillis = Double.NaN;

    private MediaBot(ConveneClient client, String meetingId, boolean publisher, double joinMillis) {
        this.client = client;
        this.meetingId = meetingId;
        this.publisher = publisher;
        this.joinMillis = joinMillis;
    }

    static MediaBot join(ConveneApi api, String meetingId, String name, boolean publisher, ConveneClient.Options options,
            MediaStats stats, int lastN) {
        String token = api.guestToken(name).accessToken();
        long t0 = System.nanoTime();
        ConveneClient client = ConveneClient.join(api, token, meetingId, name, options);
        double joinMillis = (System.nanoTime() - t0) / 1e6;
        MediaBot bot = new MediaBot(client, meetingId, publisher, joinMillis);
        client.observeSubscriberRtp(new LatencyProbe(stats, bot::kindOf));
        ClientFeatures.afterJoin(client, lastN);
        return bot;
    }

    void publish(int index) {
        long t0 = System.nanoTime();
        client.publish();
        publishMillis = (System.nanoTime() - t0) / 1e6;
        ClientFeatures.afterPublish(client, index);
    }

    private String kindOf(long ssrc) {
        for (RemoteTrack t : client.remoteTracks().values()) {
            if (t.ssrc() == ssrc) {
                return t.kind();
            }
        }
        return null;
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

    boolean receivesAudioFrom(String participantId) {
        return client.received(participantId, "audio").packets() > 0;
    }

    @Override
    public void close() {
        client.close();
    }
}
