package dev.convene.signaling.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.convene.signaling.SignalingStores;
import dev.convene.signaling.auth.AccessClaims;
import dev.convene.signaling.moderation.JoinGate;
import dev.convene.store.MediaKind;
import dev.convene.store.Meeting;
import dev.convene.store.MeetingEvent;
import dev.convene.store.MeetingRules;
import dev.convene.store.MeetingStatus;
import dev.convene.store.Participant;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hosts' powers (docs/signaling.md "Hosts", ADR 0016): REST calls authorised by the caller's
 * access token against the meeting's stored host or the token's {@code host} grant. Each writes
 * the store first, then publishes a {@link MeetingEvent.Moderation} on the meeting's topic; the
 * signaling nodes holding the sockets act on it (close, mute, admit). A refused call changes
 * nothing and publishes nothing.
 */
final class ModerationApi {

    private static final Logger log = LoggerFactory.getLogger(ModerationApi.class);

    private final RestApi rest;
    private final SignalingStores stores;

    ModerationApi(RestApi rest, SignalingStores stores) {
        this.rest = rest;
        this.stores = stores;
    }

    void register(RoutesConfig routes) {
        routes.post("/v1/meetings/{id}/rules", this::changeRules);
        routes.post("/v1/meetings/{id}/end", this::end);
        routes.post("/v1/meetings/{id}/host", this::handHost);
        routes.post("/v1/meetings/{id}/participants/{pid}/remove", this::remove);
        routes.post("/v1/meetings/{id}/participants/{pid}/mute", this::mute);
        routes.post("/v1/meetings/{id}/waiting/{pid}/admit", ctx -> decide(ctx, MeetingEvent.WaitingEnded.ADMITTED));
        routes.post("/v1/meetings/{id}/waiting/{pid}/deny", ctx -> decide(ctx, MeetingEvent.WaitingEnded.DENIED));
    }

    /** The caller and the meeting, if the caller is one of its hosts and it has not ended. */
    private record Acting(AccessClaims host, Meeting meeting) {}

    private Acting host(Context ctx, String action) {
        AccessClaims user = rest.authenticate(ctx);
        Meeting meeting = rest.meeting(ctx.pathParam("id"), user);
        if (!JoinGate.isHost(meeting, user)) {
            log.info("event=host_action_refused action={} meeting_id={} user_id={} reason=not_host", action,
                    meeting.id(), user.userId());
            throw ApiProblem.forbidden(ProblemCode.NOT_HOST, "Only a host of the meeting may " + action.replace('_', ' '));
        }
        if (meeting.status() != MeetingStatus.ACTIVE) {
            throw ApiProblem.meetingEnded(meeting.id().toString());
        }
        return new Acting(user, meeting);
    }

    /** {@code {"locked"?, "waiting_room"?, "self_unmute"?}}: the switches named change, the others stay. */
    private void changeRules(Context ctx) {
        Acting a = host(ctx, "change_rules");
        ObjectNode body = rest.jsonBody(ctx, false);
        MeetingRules.RulesChange change = new MeetingRules.RulesChange(
                nullableBoolean(body, "locked"), nullableBoolean(body, "waiting_room"), nullableBoolean(body, "self_unmute"));
        Meeting after = stores.meetings().changeRules(a.meeting().id(), change)
                .orElseThrow(() -> ApiProblem.meetingNotFound(a.meeting().id().toString()));
        stores.events().publish(after.id(), new MeetingEvent.RulesChanged());
        log.info("event=meeting_rules_changed meeting_id={} by={} locked={} waiting_room={} self_unmute={}", after.id(),
                a.host().userId(), after.rules().locked(), after.rules().waitingRoom(), after.rules().selfUnmute());
        rest.json(ctx, 200, rest.meetingJson(ctx, after));
    }

    private void end(Context ctx) {
        Acting a = host(ctx, "end_meeting");
        Meeting after = stores.meetings().end(a.meeting().id())
                .orElseThrow(() -> ApiProblem.meetingNotFound(a.meeting().id().toString()));
        stores.events().publish(after.id(), new MeetingEvent.MeetingEnded());
        log.info("event=meeting_ended meeting_id={} reason=host by={}", after.id(), a.host().userId());
        rest.json(ctx, 200, rest.meetingJson(ctx, after));
    }

    /** {@code {"participant_id"}}: the present participant's user becomes the meeting's host. */
    private void handHost(Context ctx) {
        Acting a = host(ctx, "hand_over_host");
        ObjectNode body = rest.jsonBody(ctx, false);
        String pid = RestApi.optionalString(body, "participant_id");
        if (pid == null) {
            throw ApiProblem.invalid("participant_id is required");
        }
        Participant next = present(a.meeting(), pid);
        Meeting after = stores.meetings().setHost(a.meeting().id(), next.userId())
                .orElseThrow(() -> ApiProblem.meetingNotFound(a.meeting().id().toString()));
        stores.events().publish(after.id(), new MeetingEvent.RulesChanged());
        log.info("event=host_handed_over meeting_id={} from={} to={} participant_id={}", after.id(), a.host().userId(),
                next.userId(), pid);
        rest.json(ctx, 200, rest.meetingJson(ctx, after));
    }

    private void remove(Context ctx) {
        Acting a = host(ctx, "remove_participants");
        Participant target = present(a.meeting(), ctx.pathParam("pid"));
        if (target.userId().equals(a.meeting().hostId())) {
            throw new ApiProblem(409, ProblemCode.CANNOT_REMOVE_HOST, "Cannot remove the host",
                    "The meeting's host cannot be removed; hand host to someone else first");
        }
        stores.meetings().removeUser(a.meeting().id(), target.userId());
        stores.events().publish(a.meeting().id(), new MeetingEvent.ParticipantRemoved(target.id(), target.userId()));
        log.info("event=participant_removed meeting_id={} participant_id={} user_id={} by={}", a.meeting().id(),
                target.id(), target.userId(), a.host().userId());
        accepted(ctx, target.id());
    }

    /** {@code {"kind": "audio" | "video"}}: every track of that kind the participant publishes. */
    private void mute(Context ctx) {
        Acting a = host(ctx, "mute_others");
        ObjectNode body = rest.jsonBody(ctx, false);
        String kind = RestApi.optionalString(body, "kind");
        MediaKind mediaKind;
        if ("audio".equals(kind)) {
            mediaKind = MediaKind.AUDIO;
        } else if ("video".equals(kind)) {
            mediaKind = MediaKind.VIDEO;
        } else {
            throw ApiProblem.invalid("kind must be audio or video");
        }
        Participant target = present(a.meeting(), ctx.pathParam("pid"));
        stores.events().publish(a.meeting().id(), new MeetingEvent.MutedByHost(target.id(), mediaKind));
        log.info("event=muted_by_host meeting_id={} participant_id={} kind={} by={}", a.meeting().id(), target.id(),
                kind, a.host().userId());
        accepted(ctx, target.id());
    }

    /**
     * Admits or denies a participant in the waiting room. Waiting sockets are live state on
     * whichever node holds them, so the decision is published, not stored: a participant no
     * longer waiting ignores it.
     */
    private void decide(Context ctx, String outcome) {
        Acting a = host(ctx, "admit_or_deny");
        String pid = ctx.pathParam("pid");
        if (pid.length() > 64 || !pid.matches("[A-Za-z0-9_-]+")) {
            throw ApiProblem.invalid("not a participant id");
        }
        stores.events().publish(a.meeting().id(), new MeetingEvent.WaitingEnded(pid, outcome));
        log.info("event=waiting_decided meeting_id={} participant_id={} outcome={} by={}", a.meeting().id(), pid, outcome,
                a.host().userId());
        accepted(ctx, pid);
    }

    private Participant present(Meeting meeting, String pid) {
        return stores.participants().find(meeting.id(), pid).filter(Participant::present)
                .orElseThrow(() -> new ApiProblem(404, ProblemCode.PARTICIPANT_NOT_FOUND, "Participant not found",
                        "No participant " + (pid.length() > 64 ? pid.substring(0, 64) + "…" : pid) + " is in the meeting"));
    }

    private void accepted(Context ctx, String participantId) {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("participant_id", participantId);
        answer.put("status", "accepted");
        rest.json(ctx, 202, answer);
    }

    private static Boolean nullableBoolean(ObjectNode body, String field) {
        if (body.get(field) == null || body.get(field).isNull()) {
            return null;
        }
        return RestApi.optionalBoolean(body, field, false);
    }
}
