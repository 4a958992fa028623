package dev.convene.server;

/** A started node of any role: what it tells the person who started it, and how it stops. */
interface RunningNode extends AutoCloseable {

    /** One line for the console, e.g. where the web client is. */
    String banner();

    @Override
    void close();
}
