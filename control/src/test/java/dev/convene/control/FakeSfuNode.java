package dev.convene.control;

import dev.convene.sfu.ParticipantListener;
import dev.convene.sfu.ParticipantSession;
import dev.convene.sfu.PublishResult;
import dev.convene.sfu.SdpRejectedException;
import dev.convene.sfu.SubscribedTrack;
import dev.convene.sfu.TrackDeclaration;
import dev.convene.sfu.TrackInfo;
import dev.convene.sfu.TrackKind;
import dev.convene.sfu.SfuNode;
import dev.convene.sfu.TrackSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** An {@link SfuNode} that records what reaches it and lets a test push events and stall calls. */
final class FakeSfuNode implements SfuNode {

    static final String REJECT_MARKER = "a=x-reject";

    private final String nodeId;
    final List<FakeSession> sessions = new CopyOnWriteArrayList<>();
    static final String STALL_MARKER = "a=x-stall";
    /** Publisher offers containing {@link #STALL_MARKER} wait here until the test releases it. */
    final CountDownLatch stall = new CountDownLatch(1);

    FakeSfuNode(String nodeId) {
        this.nodeId = nodeId;
    }

    @Override
    public String nodeId() {
        return nodeId;
    }

    @Override
    public ParticipantSession join(String meetingId, String participantId, ParticipantListener listener) {
        FakeSession s = new FakeSession(meetingId, participantId, listener, stall);
        sessions.add(s);
        return s;
    }

    FakeSession session(String participantId) {
        for (FakeSession s : sessions) {
            if (s.participantId.equals(participantId)) {
                return s;
            }
        }
        throw new AssertionError("no session for " + participantId);
    }

    long openSessions() {
        return sessions.stream().filter(s -> !s.closed).count();
    }

    static final class FakeSession implements ParticipantSession {
        final String meetingId;
        final String participantId;
        final ParticipantListener listener;
        final List<TrackDeclaration> declared = new CopyOnWriteArrayList<>();
        final List<String> offers = new CopyOnWriteArrayList<>();
        final List<String> answers = new CopyOnWriteArrayList<>();
        final List<String> unpublished = new CopyOnWriteArrayList<>();
        final Map<String, Boolean> muted = new ConcurrentHashMap<>();
        final Map<String, dev.convene.sfu.SubscribeSettings> subscribeSettings = new ConcurrentHashMap<>();
        final List<TrackInfo> tracks = new CopyOnWriteArrayList<>();
        volatile boolean closed;
        volatile int closeCalls;
        private final CountDownLatch stall;

        FakeSession(String meetingId, String participantId, ParticipantListener listener, CountDownLatch stall) {
            this.meetingId = meetingId;
            this.participantId = participantId;
            this.listener = listener;
            this.stall = stall;
        }

        @Override
        public String participantId() {
            return participantId;
        }

        @Override
        public void declareTrack(TrackDeclaration declaration) {
            declared.add(declaration);
        }

        @Override
        public PublishResult onPublisherOffer(String sdpOffer) throws SdpRejectedException {
            offers.add(sdpOffer);
            if (sdpOffer.contains(REJECT_MARKER)) {
                throw new SdpRejectedException("no usable codec on m-line 0 (offered: G722)");
            }
            if (sdpOffer.contains(STALL_MARKER)) {
                try {
                    stall.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            List<TrackInfo> added = new ArrayList<>();
            TrackInfo t = new TrackInfo("TR_" + participantId + "_" + offers.size(), participantId, "0", TrackKind.AUDIO,
                    TrackSource.MICROPHONE, false);
            added.add(t);
            tracks.add(t);
            return new PublishResult("answer-for:" + sdpOffer, added, List.of());
        }

        @Override
        public void onSubscriberAnswer(String sdpAnswer) throws SdpRejectedException {
            if (sdpAnswer.contains(REJECT_MARKER)) {
                throw new SdpRejectedException("answer does not match the offer");
            }
            answers.add(sdpAnswer);
        }

        @Override
        public void unpublish(String trackId) {
            unpublished.add(trackId);
        }

        @Override
        public void setSubscribeSettings(String trackId, dev.convene.sfu.SubscribeSettings settings) {
            subscribeSettings.put(trackId, settings);
        }

        @Override
        public void setMuted(String trackId, boolean m) {
            muted.put(trackId, m);
        }

        @Override
        public List<TrackInfo> publishedTracks() {
            return List.copyOf(tracks);
        }

        /** What this fake reports as the others' tracks: set by tests. */
        final List<TrackInfo> othersTracks = new CopyOnWriteArrayList<>();

        @Override
        public List<TrackInfo> roomTracks() {
            return List.copyOf(othersTracks);
        }

        @Override
        public void close() {
            closeCalls++;
            closed = true;
        }

        void pushOffer(String sdp, List<SubscribedTrack> carried) {
            listener.onSubscriberOffer(sdp, carried);
        }

        void failMedia(String reason) {
            closed = true;
            listener.onMediaFailed(reason);
        }
    }
}
