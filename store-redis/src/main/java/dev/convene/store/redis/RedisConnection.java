package dev.convene.store.redis;

import dev.convene.store.StoreUnavailableException;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandInterruptedException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The shared command connection of one {@link RedisStores}, and the one place where Lettuce's
 * failures become ours: anything that means "Redis cannot answer now" (refused, disconnected,
 * timed out, loading, failing over) is a {@link StoreUnavailableException}; a command Redis
 * rejects for its content is a bug and becomes an {@link IllegalStateException}.
 */
final class RedisConnection {

    private final StatefulRedisConnection<String, String> connection;
    private final Duration timeout;

    RedisConnection(StatefulRedisConnection<String, String> connection, Duration timeout) {
        this.connection = connection;
        this.timeout = timeout;
    }

    /** Runs synchronous commands; the connection's command timeout bounds each of them. */
    <T> T call(String operation, Function<RedisCommands<String, String>, T> commands) {
        try {
            return commands.apply(connection.sync());
        } catch (RuntimeException e) {
            throw translate(operation, e);
        }
    }

    /** Sends several commands at once (one round trip) and waits for all of them. */
    <T> T pipeline(String operation, Function<RedisAsyncCommands<String, String>, T> commands) {
        try {
            return commands.apply(connection.async());
        } catch (RuntimeException e) {
            throw translate(operation, e);
        }
    }

    /** Waits for one command sent by {@link #pipeline}; use inside the pipeline function. */
    <T> T await(RedisFuture<T> future) {
        return LettuceFutures.awaitOrCancel(future, timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    static RuntimeException translate(String operation, RuntimeException e) {
        if (e instanceof StoreUnavailableException || e instanceof IllegalStateException) {
            return e;
        }
        if (e instanceof RedisCommandExecutionException rejected) {
            if (transientError(rejected.getMessage())) {
                return unavailable(operation, e);
            }
            return new IllegalStateException("redis rejected " + operation + ": " + e.getMessage(), e);
        }
        if (e instanceof RedisCommandInterruptedException) {
            Thread.currentThread().interrupt();
            return unavailable(operation, e);
        }
        if (e instanceof RedisException || e instanceof CancellationException) {
            return unavailable(operation, e);
        }
        return e;
    }

    static StoreUnavailableException unavailable(String operation, Throwable cause) {
        return new StoreUnavailableException("redis unavailable for " + operation + ": " + cause.getMessage(), cause);
    }

    /** Replies that mean "not now" rather than "never". */
    private static boolean transientError(String message) {
        if (message == null) {
            return false;
        }
        for (String prefix : new String[] {"LOADING", "BUSY", "MASTERDOWN", "CLUSTERDOWN", "TRYAGAIN", "READONLY", "NOREPLICAS"}) {
            if (message.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}
