package dev.convene.media.routing;

/**
 * One named step of a packet path (receive side of a published stream, or one subscriber's
 * leg), with counters of its own, so that a stream's numbers say which step did what — as
 * Jitsi Videobridge's nodes do. Counters are read from the packet path's thread (or copied
 * from it); reading them allocates only in the sink.
 */
public interface PipelineStage {

    /** Receives one stage's counters. */
    @FunctionalInterface
    interface CounterSink {
        void counter(String name, long value);
    }

    /** A short snake_case name, stable: it becomes part of metric and log keys. */
    String name();

    void appendCounters(CounterSink sink);
}
