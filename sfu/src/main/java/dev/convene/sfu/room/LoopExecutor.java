package dev.convene.sfu.room;

import dev.convene.sfu.SdpRejectedException;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Runs control-plane calls on the media event loop and waits for them, so room state is only
 * ever touched by that one thread. Calls made on the loop itself run directly.
 */
final class LoopExecutor {

    interface SdpCallable<T> {
        T call() throws SdpRejectedException;
    }

    /** Shorter than a remote caller's control-call timeout (5 s), so the SFU gives up first. */
    private static final long TIMEOUT_SECONDS = 4;

    private final Executor loop;
    private final BooleanSupplier inLoop;

    LoopExecutor(Executor loop, BooleanSupplier inLoop) {
        this.loop = loop;
        this.inLoop = inLoop;
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
            throw new IllegalStateException("the media loop did not answer within " + TIMEOUT_SECONDS + " s", e);
        }
    }
}
