package dev.convene.sfu.negotiation;

import dev.convene.sdp.Candidate;
import dev.convene.sdp.Connection;
import dev.convene.sdp.Direction;
import dev.convene.sdp.Extmap;
import dev.convene.sdp.Fingerprint;
import dev.convene.sdp.Fmtp;
import dev.convene.sdp.MediaDescription;
import dev.convene.sdp.Msid;
import dev.convene.sdp.Origin;
import dev.convene.sdp.RtcpFeedback;
import dev.convene.sdp.RtpMap;
import dev.convene.sdp.SdpParseException;
import dev.convene.sdp.SdpParser;
import dev.convene.sdp.SessionDescription;
import dev.convene.sdp.Setup;
import dev.convene.sdp.SsrcGroup;
import dev.convene.sfu.SdpRejectedException;
import dev.convene.sfu.TrackKind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SequencedMap;
import java.util.Set;

/**
 * The only place the SFU touches SDP: reads clients' offers and answers into the small
 * records of this package, and writes the SFU's answers and offers from them.
 */
public final class SdpTranslator {

    private static final String SFU_STREAM_PREFIX = "convene";
    /** The audio level extension's id towards subscribers: Chrome's own choice for it, so most packets need no renumbering. */
    public static final int SUBSCRIBER_AUDIO_LEVEL_ID = 1;
    /**
     * The id of the transport-wide sequence number in subscriber offers, on every m-line (one
     * BUNDLE transport numbers all its packets). 3, as Chrome numbers it in its own offers.
     */
    public static final int SUBSCRIBER_TRANSPORT_CC_ID = 3;

    private SdpTranslator() {}

    public static PublisherOffer readPublisherOffer(String sdp) throws SdpRejectedException {
        SessionDescription description = parse(sdp);
        List<OfferedMedia> media = new ArrayList<>();
        Set<String> mids = new HashSet<>();
        for (MediaDescription m : description.media()) {
            String mid = m.mid().orElseThrow(() -> new SdpRejectedException("every m-line needs a=mid (Unified Plan)"));
            if (!mids.add(mid)) {
                throw new SdpRejectedException("mid '" + mid + "' appears twice");
            }
            media.add(readMedia(m, mid));
        }
        if (media.isEmpty()) {
            throw new SdpRejectedException("the offer has no m-lines");
        }
        return new PublisherOffer(transportParams(description), media);
    }

    public static SubscriberAnswer readSubscriberAnswer(String sdp) throws SdpRejectedException {
        // One m-line per track the subscriber may receive: a meeting's worth, not a publisher's few.
        SessionDescription description = parse(sdp, SdpParser.Limits.MEETING);
        Map<String, Set<Integer>> payloadTypes = new HashMap<>();
        int transportCc = 0;
        for (MediaDescription m : description.media()) {
            if (!m.isRejected() && m.mid().isPresent()) {
                int id = m.extmap(OfferedMedia.TRANSPORT_CC_URI).map(Extmap::id).orElse(0);
                if (id >= 1 && id <= 14) {
                    transportCc = id;
                }
                try {
                    payloadTypes.put(m.mid().get(), Set.copyOf(m.payloadTypes()));
                } catch (NumberFormatException e) {
                    throw new SdpRejectedException("m-line " + m.mid().get() + " has a payload type that is not a number");
                }
            }
        }
        return new SubscriberAnswer(transportParams(description), payloadTypes, transportCc);
    }

    /**
     * @param candidates the SFU's candidates, most preferred first; the first also names the
     *     origin and connection address
     * @param setup what the answer says the SFU's DTLS role is
     */
    public static String writePublisherAnswer(TransportParams local, List<HostCandidate> candidates, Setup setup,
            List<AnsweredMedia> media) {
        HostCandidate candidate = candidates.getFirst();
        SessionDescription.Builder session = SessionDescription.builder()
                .origin(Origin.of(Long.toString(System.nanoTime() & Long.MAX_VALUE), 2, candidate.address()))
                .iceLite();
        List<String> bundle = new ArrayList<>();
        for (AnsweredMedia answered : media) {
            OfferedMedia offered = answered.offered();
            if (!answered.accepted()) {
                session.addMedia(MediaDescription.builder(offered.mediaType(), 0, offered.proto())
                        .formats(offered.formats())
                        .connection(Connection.of(candidate.address()))
                        .mid(offered.mid())
                        .direction(Direction.INACTIVE)
                        .build());
                continue;
            }
            bundle.add(offered.mid());
            MediaDescription.Builder m = mediaSection(offered.mediaType(), local, candidate, setup)
                    .mid(offered.mid());
            List<String> uris = offered.ridSimulcast()
                    ? List.of(OfferedMedia.SDES_MID_URI, OfferedMedia.RID_URI, OfferedMedia.REPAIRED_RID_URI)
                    : List.of(OfferedMedia.SDES_MID_URI, OfferedMedia.AUDIO_LEVEL_URI);
            for (String uri : uris) {
                Integer id = offered.extensionIds().get(uri);
                if (id != null) {
                    m.addExtmap(Extmap.of(id, uri));
                }
            }
            Integer transportCc = offered.extensionIds().get(OfferedMedia.TRANSPORT_CC_URI);
            if (transportCc != null && answered.codec().feedback().contains(SfuCodecs.TRANSPORT_CC)) {
                // The SFU sends this publisher transport-cc feedback (ADR 0031).
                m.addExtmap(Extmap.of(transportCc, OfferedMedia.TRANSPORT_CC_URI));
            }
            m.direction(Direction.RECVONLY);
            if (offered.ridSimulcast()) {
                // RFC 8853 §5.3: the answer mirrors the offered send streams as recv; Chrome sends
                // simulcast only when it sees them.
                List<String> rids = offered.layers().stream().map(OfferedLayer::rid).toList();
                for (String rid : rids) {
                    m.addRid(dev.convene.sdp.Rid.recv(rid));
                }
                m.simulcast(dev.convene.sdp.Simulcast.recv(rids));
            }
            addCodec(m, answered.codec());
            if (answered.rtxPayloadType() >= 0) {
                addCodec(m, SfuCodecs.rtx(answered.codec(), answered.rtxPayloadType()));
            }
            addCandidates(m, candidates);
            session.addMedia(m.build());
        }
        if (!bundle.isEmpty()) {
            session.bundle(bundle);
        }
        return session.build().toString();
    }

    public static String writeSubscriberOffer(long sessionId, long version, TransportParams local,
            List<HostCandidate> candidates, List<SubscriberLine> lines) {
        HostCandidate candidate = candidates.getFirst();
        SessionDescription.Builder session = SessionDescription.builder()
                .origin(Origin.of(Long.toString(sessionId), version, candidate.address()))
                .iceLite()
                .addAttribute("msid-semantic", " WMS *");
        List<String> bundle = new ArrayList<>();
        for (SubscriberLine line : lines) {
            bundle.add(line.mid());
            String type = line.kind() == TrackKind.AUDIO ? MediaDescription.AUDIO : MediaDescription.VIDEO;
            MediaDescription.Builder m = mediaSection(type, local, candidate, Setup.ACTPASS).mid(line.mid());
            m.addExtmap(Extmap.of(SUBSCRIBER_TRANSPORT_CC_ID, OfferedMedia.TRANSPORT_CC_URI));
            addCodec(m, withTransportCc(line.codec()));
            int rtxPayloadType = SfuCodecs.rtxPayloadType(line.codec());
            if (rtxPayloadType >= 0) {
                addCodec(m, SfuCodecs.rtx(line.codec(), rtxPayloadType));
            }
            if (line.kind() == TrackKind.AUDIO) {
                // Forwarded audio carries its publisher's level (RFC 6464), renumbered to this id.
                m.addExtmap(Extmap.of(SUBSCRIBER_AUDIO_LEVEL_ID, OfferedMedia.AUDIO_LEVEL_URI));
            }
            if (line.idle()) {
                m.direction(Direction.INACTIVE);
            } else {
                m.direction(Direction.SENDONLY);
                m.msid(new Msid(line.streamId(), line.trackId()));
                m.addSsrc(line.ssrc(), "cname", SFU_STREAM_PREFIX + "-" + line.streamId());
                m.addSsrc(line.ssrc(), "msid", line.streamId() + " " + line.trackId());
                if (line.rtxSsrc() != 0) {
                    m.addSsrcGroup(SsrcGroup.fid(line.ssrc(), line.rtxSsrc()));
                    m.addSsrc(line.rtxSsrc(), "cname", SFU_STREAM_PREFIX + "-" + line.streamId());
                    m.addSsrc(line.rtxSsrc(), "msid", line.streamId() + " " + line.trackId());
                }
            }
            addCandidates(m, candidates);
            session.addMedia(m.build());
        }
        session.bundle(bundle);
        return session.build().toString();
    }

    /**
     * The answer to a WHEP player's offer: each line it accepted sends one track (msid and SSRCs
     * as in a subscriber offer), under the player's payload types; the others are inactive.
     */
    public static String writePlayerAnswer(TransportParams local, List<HostCandidate> candidates, Setup setup,
            List<PlayerLine> lines) {
        HostCandidate candidate = candidates.getFirst();
        SessionDescription.Builder session = SessionDescription.builder()
                .origin(Origin.of(Long.toString(System.nanoTime() & Long.MAX_VALUE), 2, candidate.address()))
                .iceLite()
                .addAttribute("msid-semantic", " WMS *");
        List<String> bundle = new ArrayList<>();
        for (PlayerLine player : lines) {
            OfferedMedia offered = player.offered();
            SubscriberLine line = player.line();
            if (line == null) {
                session.addMedia(MediaDescription.builder(offered.mediaType(), 0, offered.proto())
                        .formats(offered.formats())
                        .connection(Connection.of(candidate.address()))
                        .mid(offered.mid())
                        .direction(Direction.INACTIVE)
                        .build());
                continue;
            }
            bundle.add(line.mid());
            MediaDescription.Builder m = mediaSection(offered.mediaType(), local, candidate, setup).mid(line.mid());
            addCodec(m, line.codec());
            if (player.rtxPayloadType() >= 0) {
                addCodec(m, SfuCodecs.rtx(line.codec(), player.rtxPayloadType()));
            }
            m.direction(Direction.SENDONLY);
            m.msid(new Msid(line.streamId(), line.trackId()));
            m.addSsrc(line.ssrc(), "cname", SFU_STREAM_PREFIX + "-" + line.streamId());
            m.addSsrc(line.ssrc(), "msid", line.streamId() + " " + line.trackId());
            if (line.rtxSsrc() != 0 && player.rtxPayloadType() >= 0) {
                m.addSsrcGroup(SsrcGroup.fid(line.ssrc(), line.rtxSsrc()));
                m.addSsrc(line.rtxSsrc(), "cname", SFU_STREAM_PREFIX + "-" + line.streamId());
                m.addSsrc(line.rtxSsrc(), "msid", line.streamId() + " " + line.trackId());
            }
            addCandidates(m, candidates);
            session.addMedia(m.build());
        }
        if (!bundle.isEmpty()) {
            session.bundle(bundle);
        }
        return session.build().toString();
    }

    private static SessionDescription parse(String sdp) throws SdpRejectedException {
        return parse(sdp, SdpParser.Limits.DEFAULT);
    }

    private static SessionDescription parse(String sdp, SdpParser.Limits limits) throws SdpRejectedException {
        if (sdp == null || sdp.isBlank()) {
            throw new SdpRejectedException("the SDP is empty");
        }
        try {
            return SdpParser.parse(sdp, limits);
        } catch (SdpParseException e) {
            throw new SdpRejectedException("malformed SDP: " + e.getMessage(), e);
        }
    }

    private static OfferedMedia readMedia(MediaDescription m, String mid) {
        TrackKind kind = switch (m.type()) {
            case MediaDescription.AUDIO -> TrackKind.AUDIO;
            case MediaDescription.VIDEO -> TrackKind.VIDEO;
            default -> null;
        };
        boolean sending = kind != null && !m.isRejected() && m.direction().sends();
        List<Codec> codecs = new ArrayList<>();
        for (dev.convene.sdp.Codec c : m.codecs()) {
            List<String> feedback = c.feedback().stream()
                    .map(f -> f.parameter() == null ? f.type() : f.type() + " " + f.parameter())
                    .toList();
            String fmtp = c.fmtp() == null ? null : c.fmtp().toValue().substring(c.fmtp().toValue().indexOf(' ') + 1);
            codecs.add(new Codec(c.payloadType(), c.name(), c.clockRate(), c.rtpMap().channels(), fmtp, feedback));
        }
        Set<Long> rtx = new HashSet<>();
        for (SsrcGroup group : m.ssrcGroups()) {
            if (SsrcGroup.FID.equals(group.semantics())) {
                rtx.addAll(group.ssrcs().subList(1, group.ssrcs().size()));
            }
        }
        List<Long> ssrcs = m.ssrcs().stream().filter(s -> !rtx.contains(s)).toList();
        List<Long> rtxSsrcs = m.ssrcs().stream().filter(rtx::contains).toList();
        Map<String, Integer> extensions = new LinkedHashMap<>();
        for (Extmap e : m.extmaps()) {
            extensions.put(e.uri(), e.id());
        }
        return new OfferedMedia(mid, m.type(), m.proto(), m.formats(), kind, sending, codecs, ssrcs, rtxSsrcs, extensions,
                kind == TrackKind.VIDEO ? simulcastLayers(m, extensions) : List.of());
    }

    /**
     * The simulcast streams of a video m-line, lowest first (the order of {@code a=simulcast}'s
     * send list, or of the SIM group; Chrome's q;h;f and the SIM group both go low to high).
     * Rid streams need the rid header extension, or their packets could not be told apart.
     */
    private static List<OfferedLayer> simulcastLayers(MediaDescription m, Map<String, Integer> extensions) {
        Optional<dev.convene.sdp.Simulcast> simulcast = m.simulcast();
        if (simulcast.isPresent() && extensions.containsKey(OfferedMedia.RID_URI)) {
            Set<String> sendRids = new HashSet<>();
            for (dev.convene.sdp.Rid rid : m.rids()) {
                if (rid.direction() == dev.convene.sdp.Rid.Direction.SEND) {
                    sendRids.add(rid.id());
                }
            }
            List<OfferedLayer> layers = new ArrayList<>();
            for (String rid : simulcast.get().sendRids()) {
                if (sendRids.contains(rid)) {
                    layers.add(new OfferedLayer(rid, 0, 0));
                }
            }
            return layers.size() > 1 ? layers : List.of();
        }
        Optional<SsrcGroup> sim = m.ssrcGroup(SsrcGroup.SIM);
        if (sim.isPresent() && sim.get().ssrcs().size() > 1) {
            List<OfferedLayer> layers = new ArrayList<>();
            for (long ssrc : sim.get().ssrcs()) {
                long rtxSsrc = m.ssrcGroups().stream()
                        .filter(g -> SsrcGroup.FID.equals(g.semantics()) && g.ssrcs().size() == 2 && g.ssrcs().get(0) == ssrc)
                        .mapToLong(g -> g.ssrcs().get(1)).findFirst().orElse(0);
                layers.add(new OfferedLayer(null, ssrc, rtxSsrc));
            }
            return layers;
        }
        return List.of();
    }

    /** ICE and DTLS parameters of a bundled description: the first m-line's, or the session's. */
    private static TransportParams transportParams(SessionDescription description) throws SdpRejectedException {
        MediaDescription first = description.media().stream().filter(m -> !m.isRejected()).findFirst()
                .orElseThrow(() -> new SdpRejectedException("every m-line is rejected"));
        String ufrag = first.iceUfrag().or(() -> description.attributeValue("ice-ufrag"))
                .orElseThrow(() -> new SdpRejectedException("a=ice-ufrag is missing"));
        String pwd = first.icePwd().or(() -> description.attributeValue("ice-pwd"))
                .orElseThrow(() -> new SdpRejectedException("a=ice-pwd is missing"));
        Optional<Fingerprint> fingerprint = first.fingerprint().or(() -> description.fingerprints().stream().findFirst());
        Fingerprint fp = fingerprint.orElseThrow(() -> new SdpRejectedException("a=fingerprint is missing"));
        if (!fp.algorithm().equalsIgnoreCase("sha-256")) {
            throw new SdpRejectedException("the DTLS fingerprint must use sha-256, not " + fp.algorithm());
        }
        // RFC 8842 allows a=setup at session level too; none at all means the RFC 4145 default.
        String setup = first.setup().map(Setup::sdpName)
                .or(() -> description.attributeValue("setup").map(String::strip))
                .orElse(null);
        return new TransportParams(ufrag, pwd, fp.algorithm(), fp.value(), setup);
    }

    private static MediaDescription.Builder mediaSection(String type, TransportParams local, HostCandidate candidate,
            Setup setup) {
        return MediaDescription.builder(type, 9, MediaDescription.WEBRTC_PROTO)
                .connection(Connection.of(candidate.address()))
                .iceCredentials(local.iceUfrag(), local.icePwd())
                .fingerprint(new Fingerprint(local.fingerprintAlgorithm(), local.fingerprint()))
                .setup(setup)
                .rtcpMux()
                .rtcpRsize();
    }

    /** The subscriber's side of transport-cc: it sends the SFU feedback for what it receives (ADR 0021). */
    private static Codec withTransportCc(Codec codec) {
        if (codec.feedback().contains("transport-cc")) {
            return codec;
        }
        List<String> feedback = new ArrayList<>(codec.feedback());
        feedback.add("transport-cc");
        return new Codec(codec.payloadType(), codec.name(), codec.clockRate(), codec.channels(), codec.fmtp(), feedback);
    }

    private static void addCodec(MediaDescription.Builder m, Codec codec) {
        RtpMap rtpMap = codec.channels() > 1
                ? new RtpMap(codec.payloadType(), codec.name(), codec.clockRate(), codec.channels())
                : RtpMap.of(codec.payloadType(), codec.name(), codec.clockRate());
        Fmtp fmtp = null;
        if (codec.fmtp() != null) {
            Map<String, String> parameters = new LinkedHashMap<>();
            for (String pair : codec.fmtp().split(";")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    parameters.put(pair.substring(0, eq).strip(), pair.substring(eq + 1).strip());
                }
            }
            fmtp = parameters.isEmpty() ? null : Fmtp.of(codec.payloadType(), parameters);
        }
        List<RtcpFeedback> feedback = new ArrayList<>();
        for (String f : codec.feedback()) {
            int space = f.indexOf(' ');
            feedback.add(space < 0 ? RtcpFeedback.of(codec.payloadType(), f)
                    : new RtcpFeedback(codec.payloadType(), f.substring(0, space), f.substring(space + 1)));
        }
        m.addCodec(new dev.convene.sdp.Codec(rtpMap, fmtp, feedback));
    }

    private static void addCandidates(MediaDescription.Builder m, List<HostCandidate> candidates) {
        for (HostCandidate c : candidates) {
            SequencedMap<String, String> extensions = new LinkedHashMap<>();
            if (c.isTcp()) {
                // RFC 6544 §4.5: the SFU only accepts connections.
                extensions.put("tcptype", "passive");
            }
            m.addCandidate(new Candidate(c.foundation(), 1, c.transport(), c.priority(), c.address(), c.port(),
                    Candidate.HOST, null, null, extensions));
        }
        m.endOfCandidates();
    }

}
