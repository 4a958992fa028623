package dev.convene.signaling.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.convene.signaling.Ids;
import dev.convene.signaling.SignalingConfig;
import dev.convene.signaling.SignalingMetrics;
import dev.convene.signaling.SignalingStores;
import dev.convene.signaling.auth.AccessClaims;
import dev.convene.signaling.auth.InvalidTokenException;
import dev.convene.signaling.auth.TokenService;
import dev.convene.signaling.placement.NoSfuAvailableException;
import dev.convene.signaling.placement.SfuDirectory;
import dev.convene.signaling.turn.IceServer;
import dev.convene.signaling.turn.TurnCredentials;
import dev.convene.signaling.meetings.EmptyMeetings;
import dev.convene.signaling.moderation.JoinGate;
import dev.convene.signaling.moderation.MeetingPasswords;
import dev.convene.store.ChatMessage;
import dev.convene.store.ChatPage;
import dev.convene.store.Meeting;
import dev.convene.store.MeetingRules;
import dev.convene.store.MeetingStatus;
import dev.convene.store.RateLimiter;
import dev.convene.store.SeatLedger;
import dev.convene.store.StoreUnavailableException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The REST calls of docs/signaling.md ("REST, before the socket") and their error answers. */
public final class RestApi {

    private static final Logger log = LoggerFactory.getLogger(RestApi.class);

    public static final String PROBLEM_JSON = "application/problem+json";
    private static final String JSON = "application/json";
    private static final String PROBLEM_WRITTEN = "convene.problem";
    public static final int MAX_CAPACITY = 100;
    private static final int MAX_TITLE = 200;
    private static final int MAX_DISPLAY_NAME = 64;
    private static final String DEFAULT_TITLE = "Meeting";

    private final SignalingConfig config;
    private final SignalingStores stores;
    private static final int DEFAULT_HISTORY_PAGE = 50;
    private static final int MAX_HISTORY_PAGE = 200;

    private final SfuDirectory sfus;
    private final Clock clock;
    private final TokenService tokens;
    private final SignalingMetrics metrics;
    private final TurnCredentials turn;
    private final EmptyMeetings emptyMeetings;
    private final JoinGate joinGate;
    private final ModerationApi moderation;
    private final WhipApi whip;
    private final ObjectMapper mapper = new ObjectMapper();

    public RestApi(SignalingConfig config, SignalingStores stores, SfuDirectory sfus, Clock clock, TokenService tokens,
            SignalingMetrics metrics, EmptyMeetings emptyMeetings, MediaResources mediaResources) {
        this.config = config;
        this.stores = stores;
        this.sfus = sfus;
        this.clock = clock;
        this.tokens = tokens;
        this.metrics = metrics;
        this.turn = new TurnCredentials(config.turn(), clock);
        this.emptyMeetings = emptyMeetings;
        this.joinGate = new JoinGate(stores.meetings(), stores.rateLimiter(), metrics);
        this.moderation = new ModerationApi(this, stores);
        this.whip = new WhipApi(this, stores, sfus, clock, mediaResources);
    }

    public void register(RoutesConfig routes) {
        if (config.guestAuthEnabled()) {
            routes.post("/v1/auth/guest", this::guestToken);
        }
        routes.post("/v1/meetings", this::createMeeting);
        routes.get("/v1/meetings/{id}", this::getMeeting);
        routes.get("/v1/meetings/{id}/join", this::join);
        routes.get("/v1/meetings/{id}/messages", this::messages);
        moderation.register(routes);
        whip.register(routes);

        routes.exception(ApiProblem.class, (e, ctx) -> writeProblem(ctx, e));
        routes.exception(StoreUnavailableException.class, (e, ctx) -> {
            log.warn("event=store_unavailable method={} path={} error=\"{}\"", ctx.method(), ctx.path(), e.getMessage());
            writeProblem(ctx, ApiProblem.unavailable(ProblemCode.STORE_UNAVAILABLE,
                    "Meeting state is unreachable for a moment; nothing was changed. Try again."));
        });
        routes.exception(NoSfuAvailableException.class,
                (e, ctx) -> writeProblem(ctx, ApiProblem.unavailable(ProblemCode.NO_SFU_AVAILABLE, e.getMessage())));
        routes.exception(HttpResponseException.class, (e, ctx) -> writeProblem(ctx, forStatus(e.getStatus(), ctx)));
        routes.exception(Exception.class, (e, ctx) -> {
            log.error("event=http_failed method={} path={} error={}", ctx.method(), ctx.path(), e.toString(), e);
            writeProblem(ctx, ApiProblem.internal());
        });
        // Javalin's own answers (no route, wrong method, ...) become problems too, unless a
        // handler has written one already.
        for (int status : new int[] {400, 401, 403, 404, 405, 409, 500, 503}) {
            routes.error(status, "*", ctx -> {
                if (ctx.attribute(PROBLEM_WRITTEN) == null) {
                    writeProblem(ctx, forStatus(status, ctx));
                }
            });
        }
    }

    private static ApiProblem forStatus(int status, Context ctx) {
        return switch (status) {
            case 400 -> ApiProblem.invalid("The request is not valid");
            case 401 -> ApiProblem.unauthorized("A valid bearer token is required");
            case 404 -> ApiProblem.notFound("Nothing at " + ctx.path());
            case 403 -> ApiProblem.forbidden(ProblemCode.FORBIDDEN, "This request is not allowed");
            case 405 -> ApiProblem.methodNotAllowed(ctx.method() + " is not allowed on " + ctx.path());
            case 503 -> ApiProblem.unavailable(ProblemCode.UNAVAILABLE, "The server is too busy to answer; try again");
            case 409 -> new ApiProblem(409, ProblemCode.CONFLICT, "Conflict", "The request conflicts with the current state");
            default -> status >= 400 && status < 500
                    ? new ApiProblem(status, ProblemCode.CLIENT_ERROR, "Client error", "The request was refused")
                    : ApiProblem.internal();
        };
    }

    /** A problem's JSON body as every answer of the API writes it; also for answers given outside Javalin ({@link OverloadGuard}). */
    static ObjectNode problemBody(ObjectMapper mapper, ApiProblem p) {
        ObjectNode body = mapper.createObjectNode();
        body.put("type", "https://convene.dev/problems/" + p.code());
        body.put("title", p.title());
        body.put("status", p.status());
        body.put("detail", p.detail());
        body.put("code", p.code());
        if (p.reason() != null) {
            body.put("reason", p.reason());
        }
        return body;
    }

    void writeProblem(Context ctx, ApiProblem p) {
        ObjectNode body = problemBody(mapper, p);
        ctx.attribute(PROBLEM_WRITTEN, Boolean.TRUE);
        if (p.status() == 401) {
            ctx.header("WWW-Authenticate", "Bearer");
        }
        if (p.retryAfterSeconds() > 0) {
            ctx.header("Retry-After", Long.toString(p.retryAfterSeconds()));
        }
        ctx.status(p.status()).contentType(PROBLEM_JSON).result(write(body));
    }

    // ---------------------------------------------------------------- handlers

    private void guestToken(Context ctx) {
        RateLimiter.Decision decision = stores.rateLimiter().tryAcquire("guest:addr:" + ctx.ip(),
                config.hardening().guestPerAddress());
        if (!decision.allowed()) {
            refuseRate(ctx, "guest", "-", decision);
        }
        ObjectNode body = jsonBody(ctx, false);
        String displayName = displayName(optionalString(body, "display_name"), "display_name");
        if (displayName == null) {
            throw ApiProblem.invalid("display_name is required");
        }
        String userId = Ids.user();
        TokenService.Issued token = tokens.issueAccess(userId, displayName, config.accessTokenTtl());
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("access_token", token.token());
        answer.put("token_type", "Bearer");
        answer.put("expires_in", secondsUntil(token.expiresAt()));
        answer.put("user_id", userId);
        answer.put("display_name", displayName);
        log.info("event=guest_token_issued user_id={}", userId);
        json(ctx, 200, answer);
    }

    private void createMeeting(Context ctx) {
        AccessClaims user = authenticate(ctx);
        if (user.meetingId() != null) {
            throw ApiProblem.forbidden(ProblemCode.TOKEN_NOT_FOR_MEETING,
                    "This access token is bound to one meeting and cannot create meetings");
        }
        limit(ctx, "create", user, config.rateLimits().createPerUser(), config.rateLimits().createPerAddress());
        ObjectNode body = jsonBody(ctx, true);
        String title = optionalString(body, "title");
        title = title == null || title.isBlank() ? DEFAULT_TITLE : title.strip();
        if (title.length() > MAX_TITLE || title.chars().anyMatch(Character::isISOControl)) {
            throw ApiProblem.invalid("title must be at most " + MAX_TITLE + " printable characters");
        }
        int capacity = Meeting.DEFAULT_CAPACITY;
        JsonNode cap = body.get("capacity");
        if (cap != null && !cap.isNull()) {
            if (!cap.isIntegralNumber() || !cap.canConvertToInt() || cap.intValue() < 1 || cap.intValue() > MAX_CAPACITY) {
                throw ApiProblem.invalid("capacity must be an integer from 1 to " + MAX_CAPACITY);
            }
            capacity = cap.intValue();
        }
        String password = optionalString(body, "password");
        if (password != null && (password.isEmpty() || password.length() > MeetingPasswords.MAX_LENGTH)) {
            throw ApiProblem.invalid("password must have 1 to " + MeetingPasswords.MAX_LENGTH + " characters");
        }
        MeetingRules rules = new MeetingRules(false, optionalBoolean(body, "waiting_room", false),
                optionalBoolean(body, "self_unmute", true), password == null ? null : MeetingPasswords.hash(password));
        Meeting meeting = new Meeting(UUID.randomUUID(), title, user.userId(), capacity,
                clock.instant().truncatedTo(ChronoUnit.MILLIS), MeetingStatus.ACTIVE, rules);
        stores.meetings().create(meeting);
        emptyMeetings.watch(meeting.id());
        metrics.meetingCreated();
        log.info("event=meeting_created meeting_id={} host_id={} capacity={}", meeting.id(), user.userId(), capacity);
        ctx.header("Location", "/v1/meetings/" + meeting.id());
        json(ctx, 201, meetingJson(ctx, meeting));
    }

    /** {@code GET /v1/meetings/{id}/messages?before=<cursor>&limit=<1..200>}: chat history, newest page first. */
    private void messages(Context ctx) {
        AccessClaims user = authenticate(ctx);
        Meeting meeting = meeting(ctx.pathParam("id"), user);
        // Chat belongs to those who were there: a link to the meeting is not enough to read it.
        if (!JoinGate.isHost(meeting, user) && !stores.participants().attended(meeting.id(), user.userId())) {
            log.info("event=chat_history_refused meeting_id={} user_id={}", meeting.id(), user.userId());
            throw ApiProblem.forbidden(ProblemCode.NOT_A_PARTICIPANT,
                    "Only the host and those who have been in the meeting may read its chat");
        }
        int limit = DEFAULT_HISTORY_PAGE;
        String limitParam = ctx.queryParam("limit");
        if (limitParam != null) {
            try {
                limit = Integer.parseInt(limitParam);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > MAX_HISTORY_PAGE) {
                throw ApiProblem.invalid("limit must be a whole number from 1 to " + MAX_HISTORY_PAGE);
            }
        }
        ChatPage page;
        try {
            page = stores.chat().page(meeting.id(), ctx.queryParam("before"), limit);
        } catch (IllegalArgumentException e) {
            throw ApiProblem.invalid("before must be a cursor from an earlier answer's \"older\"");
        }
        List<Map<String, Object>> messages = new ArrayList<>();
        for (ChatMessage m : page.messages()) {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("message_id", m.id());
            view.put("participant_id", m.participantId());
            view.put("display_name", m.displayName());
            view.put("text", m.text());
            view.put("sent_at", m.sentAt().toString());
            messages.add(view);
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("meeting_id", meeting.id().toString());
        answer.put("messages", messages);
        answer.put("older", page.olderCursor());
        json(ctx, 200, answer);
    }

    private void getMeeting(Context ctx) {
        AccessClaims user = authenticate(ctx);
        Meeting meeting = meeting(ctx.pathParam("id"), user);
        Map<String, Object> answer = meetingJson(ctx, meeting);
        answer.put("participant_count", stores.present(meeting.id()).size());
        json(ctx, 200, answer);
    }

    private void join(Context ctx) {
        AccessClaims user = authenticate(ctx);
        limit(ctx, "join", user, config.rateLimits().joinPerUser(), config.rateLimits().joinPerAddress());
        Meeting meeting = meeting(ctx.pathParam("id"), user);
        String displayName = displayName(ctx.queryParam("display_name"), "display_name");
        if (displayName == null) {
            displayName = user.displayName();
        }
        if (meeting.status() != MeetingStatus.ACTIVE) {
            throw ApiProblem.meetingEnded(meeting.id().toString());
        }
        joinGate.check(meeting, user, ctx.ip(), ctx.header(JoinGate.PASSWORD_HEADER));
        SfuDirectory.Placement placement = sfus.place(meeting.id(), meeting.createdAt(),
                Optional.ofNullable(ctx.queryParam("region")));
        String participantId = Ids.participant();
        SignalingConfig.Hardening hardening = config.hardening();
        SeatLedger.Claim claim = new SeatLedger.Claim(List.of("user:" + user.userId(), "addr:" + ctx.ip()),
                hardening.maxUnclaimedPerHolder(), hardening.claimWithin());
        switch (stores.seats().reserveUnclaimed(meeting.id(), participantId, meeting.capacity(), claim)) {
            case RESERVED -> { }
            case FULL -> {
                metrics.joinRejectedFull();
                log.info("event=join_rejected meeting_id={} user_id={} reason=meeting_full", meeting.id(), user.userId());
                throw ApiProblem.meetingFull(meeting.id().toString(), meeting.capacity());
            }
            case TOO_MANY_UNCLAIMED -> {
                metrics.rateLimited();
                log.info("event=join_rejected meeting_id={} user_id={} address={} reason=too_many_unclaimed",
                        meeting.id(), user.userId(), ctx.ip());
                throw ApiProblem.tooManyUnclaimed(hardening.claimWithin().toSeconds());
            }
        }
        emptyMeetings.watch(meeting.id());
        TokenService.Issued token = tokens.issueJoin(meeting.id(), participantId, user.userId(), displayName, placement.nodeId(),
                config.joinTokenTtl(), user.hostGrant() && user.allows(meeting.id()));
        metrics.joinAdmitted();
        log.info("event=join_admitted meeting_id={} participant_id={} user_id={} sfu_node_id={}",
                meeting.id(), participantId, user.userId(), placement.nodeId());

        Map<String, Object> sfuInfo = new LinkedHashMap<>();
        sfuInfo.put("node_id", placement.nodeId());
        sfuInfo.put("region", placement.region());
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("meeting_id", meeting.id().toString());
        answer.put("participant_id", participantId);
        answer.put("display_name", displayName);
        answer.put("sfu", sfuInfo);
        answer.put("signaling_url", BaseUrls.websocketBase(config, ctx) + "/v1/signal");
        answer.put("token", token.token());
        answer.put("expires_in", secondsUntil(token.expiresAt()));
        answer.put("ice_servers", iceServersJson(participantId));
        json(ctx, 200, answer);
    }

    // ---------------------------------------------------------------- helpers

    /** RTCIceServer dictionaries, so clients hand them to RTCPeerConnection as they are. */
    private List<Map<String, Object>> iceServersJson(String participantId) {
        List<Map<String, Object>> servers = new ArrayList<>();
        for (IceServer server : turn.iceServers(participantId)) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("urls", server.urls());
            json.put("username", server.username());
            json.put("credential", server.credential());
            servers.add(json);
        }
        return servers;
    }

    /**
     * Takes a token from the user's and the client address's bucket for {@code action}; 429 with
     * Retry-After when either is empty. The buckets live in the shared rate limiter, so the limit
     * holds across every signaling node.
     */
    private void limit(Context ctx, String action, AccessClaims user, RateLimiter.Limit perUser,
            RateLimiter.Limit perAddress) {
        for (RateLimiter.Decision decision : new RateLimiter.Decision[] {
                stores.rateLimiter().tryAcquire(action + ":user:" + user.userId(), perUser),
                stores.rateLimiter().tryAcquire(action + ":addr:" + ctx.ip(), perAddress)}) {
            if (!decision.allowed()) {
                refuseRate(ctx, action, user.userId(), decision);
            }
        }
    }

    /** The {@code action}'s buckets of the user and of the client's address, as for {@code join}. */
    void limit(Context ctx, String action, AccessClaims user) {
        limit(ctx, action, user, config.rateLimits().joinPerUser(), config.rateLimits().joinPerAddress());
    }

    JoinGate joinGate() {
        return joinGate;
    }

    SignalingMetrics metrics() {
        return metrics;
    }

    private void refuseRate(Context ctx, String action, String userId, RateLimiter.Decision decision) {
        metrics.rateLimited();
        log.info("event=rate_limited action={} user_id={} address={} retry_after_s={}", action, userId,
                ctx.ip(), decision.retryAfterSeconds());
        throw ApiProblem.rateLimited("Too many " + action + " requests; try again in "
                + decision.retryAfterSeconds() + " s", decision.retryAfterSeconds());
    }

    AccessClaims authenticate(Context ctx) {
        String header = ctx.header("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw ApiProblem.unauthorized("Send Authorization: Bearer <access token>");
        }
        try {
            return tokens.verifyAccess(header.substring(7).strip());
        } catch (InvalidTokenException e) {
            // Our own words only: the JWT library's message stays in the debug log.
            throw ApiProblem.unauthorized("The access token was refused: " + e.reason().message(), e.reason().wire());
        }
    }

    /** The meeting named in the path, if the token may act on it (checked first, so a refusal says nothing of existence). */
    Meeting meeting(String rawId, AccessClaims user) {
        UUID id;
        try {
            id = UUID.fromString(rawId);
        } catch (IllegalArgumentException e) {
            throw ApiProblem.meetingNotFound(abbreviate(rawId));
        }
        if (!user.allows(id)) {
            throw ApiProblem.forbidden(ProblemCode.TOKEN_NOT_FOR_MEETING, "This access token is bound to another meeting");
        }
        return stores.meetings().find(id).orElseThrow(() -> ApiProblem.meetingNotFound(id.toString()));
    }

    Map<String, Object> meetingJson(Context ctx, Meeting m) {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("meeting_id", m.id().toString());
        answer.put("title", m.title());
        answer.put("capacity", m.capacity());
        answer.put("host_id", m.hostId());
        answer.put("created_at", m.createdAt().toString());
        answer.put("status", m.status().name().toLowerCase(Locale.ROOT));
        answer.put("join_url", BaseUrls.httpBase(config, ctx) + "/m/" + m.id());
        answer.put("locked", m.rules().locked());
        answer.put("waiting_room", m.rules().waitingRoom());
        answer.put("self_unmute", m.rules().selfUnmute());
        answer.put("password_required", m.rules().hasPassword());
        return answer;
    }

    ObjectNode jsonBody(Context ctx, boolean emptyIsEmptyObject) {
        String raw = ctx.body();
        if (raw.isBlank()) {
            if (emptyIsEmptyObject) {
                return mapper.createObjectNode();
            }
            throw ApiProblem.malformedBody("A JSON object body is required");
        }
        JsonNode node;
        try {
            node = mapper.readTree(raw);
        } catch (JsonProcessingException e) {
            throw ApiProblem.malformedBody("The body is not valid JSON");
        }
        if (node == null || !node.isObject()) {
            throw ApiProblem.malformedBody("The body must be a JSON object");
        }
        return (ObjectNode) node;
    }

    /** A boolean field; {@code absent} when missing or null. */
    static boolean optionalBoolean(ObjectNode body, String field, boolean absent) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return absent;
        }
        if (!n.isBoolean()) {
            throw ApiProblem.invalid(field + " must be true or false");
        }
        return n.booleanValue();
    }

    static String optionalString(ObjectNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw ApiProblem.invalid(field + " must be a string");
        }
        return n.asText();
    }

    /** A display name stripped of surrounding blanks; null if none was given. */
    static String displayName(String raw, String field) {
        if (raw == null) {
            return null;
        }
        String name = raw.strip();
        if (name.isEmpty() || name.codePointCount(0, name.length()) > MAX_DISPLAY_NAME
                || name.chars().anyMatch(Character::isISOControl)) {
            throw ApiProblem.invalid(field + " must have 1 to " + MAX_DISPLAY_NAME + " printable characters");
        }
        return name;
    }

    private long secondsUntil(Instant at) {
        return Math.max(0, Duration.between(clock.instant(), at).toSeconds());
    }

    void json(Context ctx, int status, Object body) {
        ctx.status(status).contentType(JSON).result(write(body));
    }

    private String write(Object body) {
        try {
            return mapper.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "…";
    }
}
