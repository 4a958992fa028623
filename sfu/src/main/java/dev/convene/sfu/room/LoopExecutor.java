package dev.convene.sfu.room;

import dev.convene.sfu.SdpRejectedException;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs control-plane calls on the media event loop and waits for them (or, for those that
 * answer nothing, {@link #post}s them), so room state is only ever touched by that one thread.
 * Calls made on the loop itself run directly.
 */
final class LoopExecutor {

    private static final Logger log = LoggerFactory.getLogger(LoopExecutor.class);

    interface SdpCallable<T> {
        T call() throws SdpRejectedException;
    }

    /** Shorter than a remote caller's control-call timeout (5 s), so the SFU gives up first. */
    private static final long TIMEOUT_SECONDS = 4;

    private final Executor loop;
    private final BooleanSupplier inLoop;

    /** The loop's thread, once it ran a task of ours: its stack is logged when it does not answer. */
    private volatile Thread loopThread;

    LoopExecutor(Executor loop, BooleanSupplier inLoop) {
        this.loop = loop;
        this.inLoop = inLoop;
        try {
            loop.execute(() -> loopThread = Thread.currentThread());
        } catch (RejectedExecutionException e) {
            // A loop already shut down answers nothing anyway.
        }
    }

    /**
     * Runs {@code action} on the loop without waiting for it: for calls that answer nothing and
     * cannot be refused (subscribe settings, mute), so a loop slow to answer under load delays
     * them instead of failing them. Calls are run in the order they were posted, before any later
     * {@link #run}/{@link #call} of the same caller.
     */
    void post(Runnable action) {
        if (inLoop.getAsBoolean()) {
            action.run();
            return;
        }
        try {
            loop.execute(() -> {
                try {
                    action.run();
                } catch (RuntimeException e) {
                    log.warn("event=media_loop_task_failed error={}", e.toString());
                }
            });
        } catch (RejectedExecutionException e) {
            // The loop is shutting down: its rooms are gone with it.
        }
    }

    void run(Runnable action) {
        get(() -> {
            action.run();
            return null;
        });
    }

    <T> T get(Supplier<T> action) {
        try {
            return call(action::get);
        } catch (SdpRejectedException e) {
            throw new IllegalStateException(e);
        }
    }

    <T> T call(SdpCallable<T> action) throws SdpRejectedException {
        if (inLoop.getAsBoolean()) {
            return action.call();
        }
        Callable<T> task = action::call;
        FutureTask<T> future = new FutureTask<>(task);
        loop.execute(future);
        try {
            return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof SdpRejectedException sdp) {
                throw sdp;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the media loop", e);
        } catch (TimeoutException e) {
            future.cancel(false);
            logWhereTheLoopIs();
            throw new IllegalStateException("the media loop did not answer within " + TIMEOUT_SECONDS + " s", e);
        }
    }

    /** What the loop is doing instead of our call: busy (where), or blocked (on what). */
    private void logWhereTheLoopIs() {
        Thread t = loopThread;
        if (t == null) {
            return;
        }
        StackTraceElement[] stack = t.getStackTrace();
        StringBuilder at = new StringBuilder();
        for (int i = 0; i < Math.min(stack.length, 12); i++) {
            at.append(i == 0 ? "" : " < ").append(stack[i]);
        }
        log.warn("event=media_loop_slow thread={} state={} at=\"{}\"", t.getName(), t.getState(), at);
    }
}
