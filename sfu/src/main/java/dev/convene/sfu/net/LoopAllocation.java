package dev.convene.sfu.net;

import java.lang.management.ManagementFactory;

/**
 * Bytes the current thread has allocated, from the counter the JVM keeps per thread (reading it
 * allocates nothing). The media loop adds up what its periodic tasks and its STUN handling
 * allocate with it, so that a test can tell those from the packet path (ADR 0027).
 */
public final class LoopAllocation {

    private static final com.sun.management.ThreadMXBean THREADS = threads();

    private LoopAllocation() {
    }

    private static com.sun.management.ThreadMXBean threads() {
        try {
            return ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t ? t : null;
        } catch (LinkageError e) {
            return null; // a runtime image without jdk.management: nothing is counted, nothing breaks
        }
    }

    /** The current thread's allocated bytes so far, or 0 where the JVM does not count them. */
    public static long current() {
        return THREADS != null && THREADS.isThreadAllocatedMemoryEnabled() ? THREADS.getCurrentThreadAllocatedBytes() : 0;
    }
}
