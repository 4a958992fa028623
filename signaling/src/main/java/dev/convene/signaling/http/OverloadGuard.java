package dev.convene.signaling.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.QoSHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Admission in front of every HTTP request, WebSocket upgrades included (ADR 0037): at most
 * {@code maxActive} are handled at once, up to {@code maxWaiting} more wait (without a thread)
 * for at most {@code maxWait}, and every other one is answered at once with 503, a
 * {@code Retry-After} and problem JSON {@code unavailable} — an answer, never a dropped connection.
 *
 * <p>Why a bound here and not in the thread pool's queue: a full pool queue makes Jetty's selector
 * drop the connection it could not dispatch (the client sees a reset, or 1006 on a socket); a
 * request refused here has already been parsed, so it can be answered. The pool's queue is
 * unbounded and stays short because this guard bounds the requests behind it.
 */
public final class OverloadGuard extends QoSHandler {

    /** The answer, with the API's own problem shape; its Retry-After (1 s) spreads a burst without idling a recovered node long. */
    private static final ApiProblem PROBLEM = ApiProblem.unavailable(ProblemCode.UNAVAILABLE,
            "The server is at its limit of requests in progress; try again after Retry-After");

    /** How long a refused client should wait. */
    public static final long RETRY_AFTER_SECONDS = PROBLEM.retryAfterSeconds();

    private static final byte[] BODY = RestApi.problemBody(new ObjectMapper(), PROBLEM).toString()
            .getBytes(StandardCharsets.UTF_8);

    private final LongAdder refused = new LongAdder();

    public OverloadGuard(int maxActive, int maxWaiting, Duration maxWait) {
        setMaxRequestCount(maxActive);
        setMaxSuspendedRequestCount(maxWaiting);
        setMaxSuspend(maxWait);
        setRejectStatusCode(503);
        // Monitoring must still see an overloaded node.
        excludePath("/metrics", "/healthz");
    }

    /** Requests answered 503 so far. */
    public long refused() {
        return refused.sum();
    }

    @Override
    protected void reject(Request request, Response response, Callback callback, int status) {
        answer(response, callback);
    }

    /** A request that waited {@code maxWait} without a turn (or was waiting when the server stopped). */
    @Override
    protected void failSuspended(Request request, Response response, Callback callback, int status, Throwable failure) {
        if (response.isCommitted()) {
            callback.failed(failure);
            return;
        }
        answer(response, callback);
    }

    private void answer(Response response, Callback callback) {
        refused.increment();
        response.setStatus(503);
        response.getHeaders().put(HttpHeader.RETRY_AFTER, Long.toString(RETRY_AFTER_SECONDS));
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, RestApi.PROBLEM_JSON);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, ByteBuffer.wrap(BODY), callback);
    }
}
