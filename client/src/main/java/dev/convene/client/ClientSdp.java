package dev.convene.client;

import dev.convene.media.transport.dtls.DtlsFingerprint;
import dev.convene.media.transport.ice.IceCredentials;
import dev.convene.sdp.Candidate;
import dev.convene.sdp.Codec;
import dev.convene.sdp.Connection;
import dev.convene.sdp.Direction;
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
import dev.convene.sdp.SsrcAttribute;
import dev.convene.sdp.SsrcGroup;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The SDP this client writes and reads, as a browser's would be for Convene's two peer
 * connections: the publisher offer (sendonly Opus and VP8 m-lines, BUNDLE, setup:actpass),
 * the subscriber answer (mirrors the SFU's offer, recvonly, setup:active, since the client is
 * the DTLS client on both transports), and what to take from the SFU's descriptions. Video
 * offers RTX (RFC 4588, {@code apt=} and {@code a=ssrc-group:FID}) as browsers do.
 */
public final class ClientSdp {

    public static final int OPUS_PAYLOAD_TYPE = 111;
    public static final int VP8_PAYLOAD_TYPE = 96;
    public static final int RTX_PAYLOAD_TYPE = 97;
    public static final String TRANSPORT_CC_URI = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";

    private ClientSdp() {
    }

    /**
     * What we accept from the SFU: its subscriber offer for a meeting of 100 carries ~200 m-lines
     * (118 KB, ~4,000 lines), beyond the 64 KiB the SFU allows a publisher's SDP; the same bounds
     * as the SFU applies to our answer (ADR 0034).
     */
    static final SdpParser.Limits SFU_SDP_LIMITS = SdpParser.Limits.MEETING;

    public static SessionDescription parse(String sdp) {
        try {
            return SdpParser.parse(sdp, SFU_SDP_LIMITS);
        } catch (SdpParseException e) {
            throw new IllegalArgumentException("the SFU sent SDP we cannot parse: " + e.getMessage(), e);
        }
    }

    /** The publisher offer for {@code tracks}, on {@code transport}'s socket, ICE credentials and certificate. */
    public static String publisherOffer(long sessionId, long version, MediaTransportClient transport, String streamId,
            String cname, List<LocalTrack> tracks) {
        return publisherOffer(sessionId, version, transport, streamId, cname, tracks, Setup.ACTPASS);
    }

    /** As above, saying {@code setup}: {@code actpass}, or {@code passive} to make the SFU the DTLS client. */
    public static String publisherOffer(long sessionId, long version, MediaTransportClient transport, String streamId,
            String cname, List<LocalTrack> tracks, Setup setup) {
        return publisherOffer(sessionId, version, transport, streamId, cname, tracks, setup, List.of());
    }

    /**
     * As above; with {@code videoLayerSsrcs} (lowest first, the first being the video track's
     * SSRC) the video m-line announces them as simulcast, {@code a=ssrc-group:SIM}.
     */
    public static String publisherOffer(long sessionId, long version, MediaTransportClient transport, String streamId,
            String cname, List<LocalTrack> tracks, Setup setup, List<Long> videoLayerSsrcs) {
        SessionDescription.Builder session = SessionDescription.builder()
                .origin(Origin.of(Long.toString(sessionId), version, "127.0.0.1"))
                .addAttribute("msid-semantic", " WMS " + streamId);
        List<String> mids = new ArrayList<>();
        for (LocalTrack track : tracks) {
            mids.add(track.mid());
            boolean audio = track.kind().equals(MediaDescription.AUDIO);
            MediaDescription.Builder m = transportLines(MediaDescription.builder(track.kind()), transport, setup)
                    .mid(track.mid())
                    .direction(Direction.SENDONLY)
                    .msid(new Msid(streamId, track.mid() + "-" + track.kind()))
                    .addCodec(audio ? opus(track.payloadType()) : vp8(track.payloadType()))
                    .addSsrc(new SsrcAttribute(track.ssrc(), "cname", cname))
                    .addSsrc(new SsrcAttribute(track.ssrc(), "msid", streamId + " " + track.mid() + "-" + track.kind()));
            if (audio) {
                m.addExtmap(dev.convene.sdp.Extmap.of(FakeMediaSource.AUDIO_LEVEL_EXTENSION_ID, dev.convene.sdp.Extmap.AUDIO_LEVEL));
            }
            if (!audio && videoLayerSsrcs.size() > 1) {
                m.addSsrcGroup(new SsrcGroup(SsrcGroup.SIM, videoLayerSsrcs));
                for (long layer : videoLayerSsrcs.subList(1, videoLayerSsrcs.size())) {
                    m.addSsrc(new SsrcAttribute(layer, "cname", cname))
                            .addSsrc(new SsrcAttribute(layer, "msid", streamId + " " + track.mid() + "-" + track.kind()));
                }
            }
            if (!audio && track.rtxSsrc() != 0) {
                m.addCodec(rtx(RTX_PAYLOAD_TYPE, track.payloadType()))
                        .addSsrcGroup(SsrcGroup.fid(track.ssrc(), track.rtxSsrc()))
                        .addSsrc(new SsrcAttribute(track.rtxSsrc(), "cname", cname))
                        .addSsrc(new SsrcAttribute(track.rtxSsrc(), "msid", streamId + " " + track.mid() + "-" + track.kind()));
            }
            addHostCandidate(m, transport);
            session.addMedia(m.build());
        }
        session.bundle(mids);
        return session.build().toString();
    }

    /**
     * A WHEP player's offer: one recvonly audio (Opus) and one recvonly video (VP8 with RTX) m-line,
     * bundled, under the payload types given, which the sender must then use (RFC 3264 §5.1).
     */
    public static String playerOffer(long sessionId, MediaTransportClient transport, int opusPayloadType,
            int vp8PayloadType, int rtxPayloadType) {
        SessionDescription.Builder session = SessionDescription.builder()
                .origin(Origin.of(Long.toString(sessionId), 1, "127.0.0.1"));
        MediaDescription.Builder audio = transportLines(MediaDescription.builder(MediaDescription.AUDIO), transport,
                Setup.ACTPASS).mid("0").direction(Direction.RECVONLY).addCodec(opus(opusPayloadType));
        addHostCandidate(audio, transport);
        MediaDescription.Builder video = transportLines(MediaDescription.builder(MediaDescription.VIDEO), transport,
                Setup.ACTPASS).mid("1").direction(Direction.RECVONLY).addCodec(vp8(vp8PayloadType))
                .addCodec(rtx(rtxPayloadType, vp8PayloadType));
        addHostCandidate(video, transport);
        session.addMedia(audio.build()).addMedia(video.build()).bundle(List.of("0", "1"));
        return session.build().toString();
    }

    /**
     * The answer to a subscriber offer: every m-line mirrored with its codecs, sendonly lines
     * answered recvonly, inactive lines inactive, rejected lines rejected.
     */
    public static String subscriberAnswer(long sessionId, long version, SessionDescription offer,
            MediaTransportClient transport) {
        return subscriberAnswer(sessionId, version, offer, transport, Setup.ACTIVE);
    }

    /** As above, saying {@code setup} ({@code active}, or {@code passive} to make the SFU the DTLS client). */
    public static String subscriberAnswer(long sessionId, long version, SessionDescription offer,
            MediaTransportClient transport, Setup setup) {
        SessionDescription.Builder session = SessionDescription.builder()
                .origin(Origin.of(Long.toString(sessionId), version, "127.0.0.1"));
        List<String> bundle = new ArrayList<>();
        for (MediaDescription offered : offer.media()) {
            String mid = offered.mid().orElseThrow(() -> new IllegalArgumentException("an offered m-line lacks a=mid"));
            if (offered.isRejected()) {
                session.addMedia(MediaDescription.builder(offered.type(), 0, offered.proto())
                        .formats(offered.formats()).mid(mid).direction(Direction.INACTIVE).build());
                continue;
            }
            bundle.add(mid);
            MediaDescription.Builder m = transportLines(
                    MediaDescription.builder(offered.type(), 9, offered.proto()), transport, setup)
                    .mid(mid)
                    .direction(offered.direction().sends() ? Direction.RECVONLY : Direction.INACTIVE);
            for (Codec codec : offered.codecs()) {
                m.addCodec(codec);
            }
            // We send transport-cc feedback (TransportFeedbackSender), so the SFU may number its packets.
            offered.extmap(TRANSPORT_CC_URI).ifPresent(m::addExtmap);
            addHostCandidate(m, transport);
            session.addMedia(m.build());
        }
        if (!bundle.isEmpty()) {
            session.bundle(bundle);
        }
        return session.build().toString();
    }

    /** The SFU's transport as its description gives it: ICE credentials, fingerprint and first UDP host candidate. */
    public static MediaTransportClient.Remote remoteTransport(SessionDescription sfu) {
        MediaDescription first = sfu.media().stream().filter(m -> !m.isRejected()).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("every m-line of the SFU's description is rejected"));
        String ufrag = first.iceUfrag().or(() -> sfu.attributeValue("ice-ufrag"))
                .orElseThrow(() -> new IllegalArgumentException("the SFU's description lacks a=ice-ufrag"));
        String pwd = first.icePwd().or(() -> sfu.attributeValue("ice-pwd"))
                .orElseThrow(() -> new IllegalArgumentException("the SFU's description lacks a=ice-pwd"));
        Fingerprint fp = first.fingerprint().or(() -> sfu.fingerprints().stream().findFirst())
                .orElseThrow(() -> new IllegalArgumentException("the SFU's description lacks a=fingerprint"));
        Candidate candidate = sfu.media().stream().flatMap(m -> m.candidates().stream())
                .filter(Candidate::isUdp).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("the SFU's description has no UDP candidate"));
        return new MediaTransportClient.Remote(new InetSocketAddress(candidate.address(), candidate.port()),
                new IceCredentials(ufrag, pwd), DtlsFingerprint.parse(fp.algorithm() + " " + fp.value()));
    }

    /** The payload type the answer accepted for each m-line that it did not reject. */
    public static Map<String, Integer> acceptedPayloadTypes(SessionDescription answer) {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (MediaDescription m : answer.media()) {
            Optional<String> mid = m.mid();
            if (mid.isPresent() && !m.isRejected() && !m.payloadTypes().isEmpty()
                    && m.direction() != Direction.INACTIVE) {
                out.put(mid.get(), m.payloadTypes().get(0));
            }
        }
        return out;
    }

    /**
     * The RTX payload type an answer accepted for {@code mediaPayloadType} on m-line {@code mid}
     * ({@code rtx} with {@code apt=<mediaPayloadType>}), or -1.
     */
    public static int acceptedRtxPayloadType(SessionDescription answer, String mid, int mediaPayloadType) {
        return answer.media(mid).stream().flatMap(m -> m.codecs().stream())
                .filter(c -> c.isRtx() && c.parameter("apt").equals(Optional.of(Integer.toString(mediaPayloadType))))
                .mapToInt(Codec::payloadType).findFirst().orElse(-1);
    }

    /** The id the description gives the transport-wide sequence number, or 0 if none. */
    public static int transportCcExtensionId(SessionDescription description) {
        for (MediaDescription m : description.media()) {
            Optional<dev.convene.sdp.Extmap> e = m.extmap(TRANSPORT_CC_URI);
            if (e.isPresent() && e.get().id() >= 1 && e.get().id() <= 14) {
                return e.get().id();
            }
        }
        return 0;
    }

    /** Payload types whose streams the sender retransmits on request ({@code a=rtcp-fb:<pt> nack}). */
    public static Set<Integer> nackPayloadTypes(SessionDescription description) {
        Set<Integer> out = new HashSet<>();
        for (MediaDescription m : description.media()) {
            for (Codec c : m.codecs()) {
                if (c.feedback().stream().anyMatch(f -> f.type().equals("nack") && f.parameter() == null)) {
                    out.add(c.payloadType());
                }
            }
        }
        return out;
    }

    /** RTX payload type → the payload type it carries ({@code a=fmtp:<rtx> apt=<pt>}). */
    public static Map<Integer, Integer> rtxPayloadTypes(SessionDescription description) {
        Map<Integer, Integer> out = new LinkedHashMap<>();
        for (MediaDescription m : description.media()) {
            for (Codec c : m.codecs()) {
                if (c.isRtx()) {
                    c.parameter("apt").ifPresent(apt -> out.put(c.payloadType(), Integer.parseInt(apt.strip())));
                }
            }
        }
        return out;
    }

    /** RTX SSRC → the media SSRC it repairs ({@code a=ssrc-group:FID <media> <rtx>}). */
    public static Map<Long, Long> rtxSsrcs(SessionDescription description) {
        Map<Long, Long> out = new LinkedHashMap<>();
        for (MediaDescription m : description.media()) {
            for (SsrcGroup g : m.ssrcGroups()) {
                if (g.semantics().equals(SsrcGroup.FID) && g.ssrcs().size() == 2) {
                    out.put(g.ssrcs().get(1), g.ssrcs().get(0));
                }
            }
        }
        return out;
    }

    /** The SSRC each sending m-line announces ({@code a=ssrc}), by mid. */
    public static Map<String, Long> ssrcsByMid(SessionDescription description) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (MediaDescription m : description.media()) {
            if (m.mid().isPresent() && m.direction().sends() && !m.ssrcs().isEmpty()) {
                out.put(m.mid().get(), m.ssrcs().get(0));
            }
        }
        return out;
    }

    private static MediaDescription.Builder transportLines(MediaDescription.Builder m, MediaTransportClient transport,
            Setup setup) {
        IceCredentials ice = transport.localIce();
        DtlsFingerprint fp = transport.localFingerprint();
        return m.connection(Connection.of("127.0.0.1"))
                .iceCredentials(ice.ufrag(), ice.password())
                .fingerprint(new Fingerprint(fp.algorithm(), fp.hex()))
                .setup(setup)
                .rtcpMux()
                .rtcpRsize();
    }

    private static void addHostCandidate(MediaDescription.Builder m, MediaTransportClient transport) {
        InetSocketAddress local = transport.localAddress();
        m.addCandidate(Candidate.host("1", "udp", local.getAddress().getHostAddress(), local.getPort(), 65535));
        m.endOfCandidates();
    }

    private static Codec opus(int pt) {
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("minptime", "10");
        parameters.put("useinbandfec", "1");
        return new Codec(new RtpMap(pt, "opus", 48000, 2), Fmtp.of(pt, parameters), List.of());
    }

    private static Codec rtx(int pt, int apt) {
        return new Codec(RtpMap.of(pt, "rtx", 90000), Fmtp.of(pt, Map.of("apt", Integer.toString(apt))), List.of());
    }

    private static Codec vp8(int pt) {
        return new Codec(RtpMap.of(pt, "VP8", 90000), null, List.of(
                RtcpFeedback.of(pt, "goog-remb"),
                new RtcpFeedback(pt, "ccm", "fir"),
                RtcpFeedback.of(pt, "nack"),
                new RtcpFeedback(pt, "nack", "pli")));
    }
}
