package dev.convene.signaling.testing;

import dev.convene.sfu.ParticipantListener;
import dev.convene.sfu.ParticipantSession;
import dev.convene.sfu.PublishResult;
import dev.convene.sfu.SdpRejectedException;
import dev.convene.sfu.SfuNode;
import dev.convene.sfu.SubscribedTrack;
import dev.convene.sfu.TrackDeclaration;
import dev.convene.sfu.TrackInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An SFU that answers with canned SDP. A publisher offer publishes one track per declared mid
 * not yet published, and unpublishes declared tracks whose mid the offer no longer has. An SDP
 * containing {@code reject} is refused. Tests trigger subscriber offers through {@link #listener}.
 */
public final class FakeSfuNode implements SfuNode {

    public static final String NODE_ID = "sfu-test-1";
    public static final String ANSWER_SDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=fake-answer\r\n";

    private final Map<String, FakeSession> sessions = new ConcurrentHashMap<>();
    private final AtomicInteger trackSeq = new AtomicInteger();
    private final AtomicInteger joins = new AtomicInteger();

    @Override
    public String nodeId() {
        return NODE_ID;
    }

    @Override
    public ParticipantSession join(String meetingId, String participantId, ParticipantListener listener) {
        joins.incrementAndGet();
        FakeSession s = new FakeSession(meetingId, participantId, listener);
        sessions.put(participantId, s);
        return s;
    }

    public FakeSession session(String participantId) {
        FakeSession s = sessions.get(participantId);
        if (s == null) {
            throw new IllegalStateException("no session for " + participantId);
        }
        return s;
    }

    public ParticipantListener listener(String participantId) {
        return session(participantId).listener;
    }

    public int joins() {
        return joins.get();
    }

    public final class FakeSession implements ParticipantSession {
        public final String meetingId;
        public final String participantId;
        final ParticipantListener listener;
        public final List<TrackDeclaration> declarations = new CopyOnWriteArrayList<>();
        public final List<String> subscriberAnswers = new CopyOnWriteArrayList<>();
        public final List<String> unpublished = new CopyOnWriteArrayList<>();
        public final Map<String, Boolean> muted = new ConcurrentHashMap<>();
        public final Map<String, dev.convene.sfu.SubscribeSettings> subscribeSettings = new ConcurrentHashMap<>();
        private final Map<String, TrackInfo> publishedByMid = new ConcurrentHashMap<>();
        public volatile boolean closed;

        FakeSession(String meetingId, String participantId, ParticipantListener listener) {
            this.meetingId = meetingId;
            this.participantId = participantId;
            this.listener = listener;
        }

        @Override
        public String participantId() {
            return participantId;
        }

        @Override
        public void declareTrack(TrackDeclaration declaration) {
            declarations.add(declaration);
        }

        @Override
        public synchronized PublishResult onPublisherOffer(String sdpOffer) throws SdpRejectedException {
            if (sdpOffer.contains("reject")) {
                throw new SdpRejectedException("no DTLS fingerprint in the offer");
            }
            List<TrackInfo> added = new ArrayList<>();
            List<TrackInfo> removed = new ArrayList<>();
            for (TrackDeclaration d : declarations) {
                boolean inOffer = sdpOffer.contains("a=mid:" + d.mid() + "\r\n");
                if (inOffer && !publishedByMid.containsKey(d.mid())) {
                    TrackInfo t = new TrackInfo("TR_" + trackSeq.incrementAndGet(), participantId, d.mid(), d.kind(), d.source(), false);
                    publishedByMid.put(d.mid(), t);
                    added.add(t);
                } else if (!inOffer && publishedByMid.containsKey(d.mid())) {
                    removed.add(publishedByMid.remove(d.mid()));
                }
            }
            return new PublishResult(ANSWER_SDP, added, removed);
        }

        @Override
        public void onSubscriberAnswer(String sdpAnswer) throws SdpRejectedException {
            if (sdpAnswer.contains("reject")) {
                throw new SdpRejectedException("answer does not match the offer");
            }
            subscriberAnswers.add(sdpAnswer);
        }

        @Override
        public void unpublish(String trackId) {
            unpublished.add(trackId);
            publishedByMid.values().removeIf(t -> t.trackId().equals(trackId));
        }

        @Override
        public void setSubscribeSettings(String trackId, dev.convene.sfu.SubscribeSettings settings) {
            subscribeSettings.put(trackId, settings);
        }

        @Override
        public void setMuted(String trackId, boolean mute) {
            muted.put(trackId, mute);
        }

        @Override
        public List<TrackInfo> publishedTracks() {
            return List.copyOf(publishedByMid.values());
        }

        @Override
        public List<TrackInfo> roomTracks() {
            List<TrackInfo> tracks = new ArrayList<>();
            for (FakeSession s : sessions.values()) {
                if (s != this && !s.closed && s.meetingId.equals(meetingId)) {
                    for (TrackInfo t : s.publishedTracks()) {
                        boolean mute = s.muted.getOrDefault(t.trackId(), t.muted());
                        tracks.add(new TrackInfo(t.trackId(), t.participantId(), t.mid(), t.kind(), t.source(), mute));
                    }
                }
            }
            return tracks;
        }

        @Override
        public void close() {
            closed = true;
        }

        /** Makes the SFU send this participant a subscriber offer carrying the given tracks. */
        public void offerToSubscriber(String sdp, List<SubscribedTrack> tracks) {
            listener.onSubscriberOffer(sdp, tracks);
        }
    }
}
