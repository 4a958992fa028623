package dev.convene.signaling.http;

import dev.convene.sfu.ParticipantSession;
import dev.convene.sfu.PublishResult;
import dev.convene.sfu.SdpRejectedException;
import dev.convene.sfu.TrackInfo;
import dev.convene.signaling.Ids;
import dev.convene.signaling.SignalingStores;
import dev.convene.signaling.auth.AccessClaims;
import dev.convene.signaling.moderation.JoinGate;
import dev.convene.signaling.placement.SfuDirectory;
import dev.convene.store.Meeting;
import dev.convene.store.MeetingStatus;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * WHIP (RFC 9725) and WHEP (draft-ietf-wish-whep) on a meeting, ADR 0025: a POST of an SDP offer
 * with a bearer access token makes a participant without a socket — a WHIP ingest that publishes
 * what it offers, or a WHEP player that receives one participant's tracks — and answers 201 with
 * the SDP answer and the session's resource; DELETE on the resource ends it, PATCH takes trickled
 * candidates (ignored: the SFU is ICE-lite and learns addresses from checks) and refuses ICE
 * restarts. Admission is the same as {@code GET /join}'s: rate limits, the meeting's rules, a seat.
 */
final class WhipApi {

    private static final Logger log = LoggerFactory.getLogger(WhipApi.class);

    static final String SDP = "application/sdp";
    static final String SDP_FRAGMENT = "application/trickle-ice-sdpfrag";
    /** Far above any real offer (a few KiB), far below the HTTP layer's limit. */
    private static final int MAX_SDP_BYTES = 64 * 1024;

    private final RestApi rest;
    private final SignalingStores stores;
    private final SfuDirectory sfus;
    private final Clock clock;
    private final MediaResources resources;

    WhipApi(RestApi rest, SignalingStores stores, SfuDirectory sfus, Clock clock, MediaResources resources) {
        this.rest = rest;
        this.stores = stores;
        this.sfus = sfus;
        this.clock = clock;
        this.resources = resources;
    }

    void register(RoutesConfig routes) {
        routes.post("/v1/meetings/{id}/whip", ctx -> open(ctx, MediaResource.Kind.WHIP, null));
        routes.post("/v1/meetings/{id}/whep", ctx -> open(ctx, MediaResource.Kind.WHEP, null));
        routes.post("/v1/meetings/{id}/whep/participants/{pid}", ctx -> open(ctx, MediaResource.Kind.WHEP, ctx.pathParam("pid")));
        for (MediaResource.Kind kind : MediaResource.Kind.values()) {
            routes.delete("/v1/meetings/{id}/" + kind.path() + "/{resource}", ctx -> delete(ctx, kind));
            routes.patch("/v1/meetings/{id}/" + kind.path() + "/{resource}", ctx -> patch(ctx, kind));
        }
    }

    private void open(Context ctx, MediaResource.Kind kind, String playParticipant) {
        AccessClaims user = rest.authenticate(ctx);
        rest.limit(ctx, "join", user);
        Meeting meeting = rest.meeting(ctx.pathParam("id"), user);
        if (meeting.status() != MeetingStatus.ACTIVE) {
            throw ApiProblem.meetingEnded(meeting.id().toString());
        }
        rest.joinGate().check(meeting, user, ctx.ip(), ctx.header(JoinGate.PASSWORD_HEADER));
        if (meeting.rules().waitingRoom() && !JoinGate.isHost(meeting, user)) {
            throw ApiProblem.forbidden(ProblemCode.WAITING_ROOM_NOT_SUPPORTED,
                    "This meeting admits people through a waiting room, where a " + kind.path().toUpperCase(Locale.ROOT)
                            + " client cannot wait; ask a host to turn it off or to join with a host's token");
        }
        String offer = sdpBody(ctx, SDP);
        String displayName = RestApi.displayName(ctx.queryParam("display_name"), "display_name");
        if (displayName == null) {
            displayName = user.displayName();
        }
        SfuDirectory.Placement placement = sfus.place(meeting.id(), Optional.ofNullable(ctx.queryParam("region")));
        String participantId = Ids.participant();
        if (!stores.seats().reserve(meeting.id(), participantId, meeting.capacity())) {
            rest.metrics().joinRejectedFull();
            log.info("event=join_rejected meeting_id={} user_id={} reason=meeting_full via={}", meeting.id(),
                    user.userId(), kind.path());
            throw ApiProblem.meetingFull(meeting.id().toString(), meeting.capacity());
        }
        MediaResource resource = new MediaResource(kind, Ids.mediaSession(), meeting.id(), participantId, user.userId(),
                displayName, placement.nodeId(), stores, clock, resources);
        resources.add(resource);
        String answer;
        try {
            ParticipantSession session = sfus.node(placement.nodeId()).join(meeting.id().toString(), participantId, resource);
            resource.attach(session);
            if (kind == MediaResource.Kind.WHIP) {
                session.receiveNothing();
                PublishResult published = session.onPublisherOffer(offer);
                if (published.added().isEmpty()) {
                    throw new SdpRejectedException("the offer sends no audio or video the SFU can receive (Opus, VP8, H.264)");
                }
                answer = published.sdpAnswer();
                resource.announce(published.added());
            } else {
                String publisher = publisherToPlay(session, meeting, playParticipant);
                answer = session.onPlayerOffer(offer, publisher);
                resource.announce(List.of());
            }
        } catch (SdpRejectedException e) {
            resource.end("bad_sdp");
            throw new ApiProblem(400, ProblemCode.BAD_SDP, "Unusable SDP offer", e.getMessage());
        } catch (UnsupportedOperationException e) {
            resource.end("not_implemented");
            throw new ApiProblem(501, ProblemCode.NOT_IMPLEMENTED, "Not implemented",
                    "This meeting's media server cannot answer WHEP offers");
        } catch (RuntimeException e) {
            resource.end("failed");
            throw e;
        }
        rest.metrics().joinAdmitted();
        ctx.header("Location", resource.location());
        ctx.header("ETag", resource.etag());
        ctx.status(201).contentType(SDP).result(answer);
    }

    /** The participant a WHEP player receives: the one it named, or the first that publishes. */
    private String publisherToPlay(ParticipantSession session, Meeting meeting, String named) {
        List<TrackInfo> tracks = session.roomTracks();
        if (named == null) {
            return tracks.stream().map(TrackInfo::participantId).findFirst().orElseThrow(() -> new ApiProblem(409,
                    ProblemCode.NOTHING_TO_PLAY, "Nothing to play", "Nobody in the meeting publishes media yet"));
        }
        if (tracks.stream().anyMatch(t -> t.participantId().equals(named))) {
            return named;
        }
        boolean present = stores.present(meeting.id()).stream().anyMatch(p -> p.id().equals(named));
        if (!present) {
            throw new ApiProblem(404, ProblemCode.PARTICIPANT_NOT_FOUND, "Participant not found",
                    "No participant " + RestApi.abbreviate(named) + " is in the meeting");
        }
        throw new ApiProblem(409, ProblemCode.NOTHING_TO_PLAY, "Nothing to play",
                "Participant " + named + " publishes no media yet");
    }

    private void delete(Context ctx, MediaResource.Kind kind) {
        MediaResource resource = owned(ctx, kind);
        resource.end("deleted");
        ctx.status(200);
    }

    /**
     * RFC 9725 §4.3: trickled candidates are accepted and ignored (an ICE-lite SFU learns the
     * client's addresses from its checks); an ICE restart ({@code If-Match: *}) is refused with 422,
     * as for a session that supports trickle but not restarts; a stale ETag is 412.
     */
    private void patch(Context ctx, MediaResource.Kind kind) {
        MediaResource resource = owned(ctx, kind);
        sdpBody(ctx, SDP_FRAGMENT);
        String ifMatch = ctx.header("If-Match");
        if ("*".equals(ifMatch == null ? null : ifMatch.strip())) {
            throw new ApiProblem(422, ProblemCode.ICE_RESTART_NOT_SUPPORTED, "ICE restart not supported",
                    "This session cannot restart ICE; DELETE it and POST a new offer");
        }
        if (ifMatch != null && !ifMatch.strip().equals(resource.etag())) {
            throw new ApiProblem(412, ProblemCode.PRECONDITION_FAILED, "Precondition failed",
                    "If-Match does not name this session's current ETag " + resource.etag());
        }
        ctx.status(204);
    }

    /** The session in the path, if the caller's token is the one whose user made it (RFC 9725 §4.2). */
    private MediaResource owned(Context ctx, MediaResource.Kind kind) {
        AccessClaims user = rest.authenticate(ctx);
        String meetingId = ctx.pathParam("id");
        MediaResource resource = resources.find(ctx.pathParam("resource"))
                .filter(r -> r.kind() == kind && r.meetingId().toString().equals(meetingId) && !r.ended())
                .orElseThrow(() -> new ApiProblem(404, ProblemCode.SESSION_NOT_FOUND, "Session not found",
                        "No " + kind.path().toUpperCase(Locale.ROOT) + " session at " + RestApi.abbreviate(ctx.path())
                                + " (ended, or held by another signaling node)"));
        if (!resource.userId().equals(user.userId())) {
            throw ApiProblem.forbidden(ProblemCode.FORBIDDEN, "This session belongs to another user");
        }
        return resource;
    }

    /** The body, if it has the content type the operation takes (415 otherwise) and fits. */
    private static String sdpBody(Context ctx, String mediaType) {
        String type = ctx.contentType();
        String bare = type == null ? "" : type.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (!bare.equals(mediaType)) {
            throw new ApiProblem(415, ProblemCode.UNSUPPORTED_MEDIA_TYPE, "Unsupported media type",
                    "The body must be " + mediaType + ", not " + (type == null ? "absent" : RestApi.abbreviate(type)));
        }
        byte[] body = ctx.bodyAsBytes();
        if (body.length > MAX_SDP_BYTES) {
            throw new ApiProblem(400, ProblemCode.BAD_SDP, "Unusable SDP offer",
                    "The body is larger than " + MAX_SDP_BYTES + " bytes");
        }
        return new String(body, java.nio.charset.StandardCharsets.UTF_8);
    }
}
