package dev.convene.store.postgres;

import dev.convene.store.ChatCursor;
import dev.convene.store.ChatMessage;
import dev.convene.store.ChatPage;
import dev.convene.store.ChatStore;
import dev.convene.store.StoreUnavailableException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chat history in {@code chat_messages}, written behind the caller's back: history is eventual
 * (ARCHITECTURE.md §5), and a chat message must not wait for a database round trip before it
 * is relayed.
 *
 * <ul>
 *   <li><b>Bounded.</b> At most {@code chatBufferCapacity} messages wait to be written. When
 *       the buffer is full (the database is slow or gone), {@link #append} waits up to one
 *       second for room and then throws {@link StoreUnavailableException}; it never grows the
 *       heap without limit and never drops silently.</li>
 *   <li><b>Ordered.</b> One writer thread takes messages in append order, in batches, one
 *       transaction per batch; a batch that fails for want of the database is retried, whole
 *       and in place, until it succeeds. Inserts are idempotent ({@code ON CONFLICT DO NOTHING}).
 *       A message the database rejects for its content is logged and dropped, so it cannot
 *       block the ones behind it.</li>
 *   <li><b>Read-your-writes.</b> {@link #recent} and {@link #page} merge the messages of this
 *       instance that are not written yet with what the database holds. Messages appended
 *       through other nodes become visible when their node has written them (normally within
 *       milliseconds).</li>
 *   <li><b>Flushed on close.</b> {@link #close} stops taking messages and waits up to five
 *       seconds for the rest to be written; what still cannot be written is logged as lost.</li>
 * </ul>
 *
 * <p>History is ordered by (sent_at, id) everywhere: in the index, in the merge, in cursors.
 * {@code sent_at} is stored with microsecond precision, so messages come back cut to that.
 */
public final class PostgresChatStore implements ChatStore, AutoCloseable {

    /** The largest page {@link #page} serves. */

    private static final Logger log = LoggerFactory.getLogger(PostgresChatStore.class);

    private static final int BATCH_SIZE = 500;
    private static final Duration APPEND_WAIT = Duration.ofSeconds(1);
    private static final Duration RETRY_BACKOFF = Duration.ofMillis(500);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    private static final String INSERT = """
            INSERT INTO chat_messages (meeting_id, id, participant_id, display_name, text, sent_at)
            VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (meeting_id, id) DO NOTHING""";

    private final Db db;
    private final int capacity;
    private final Thread writer;

    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when there is something for the writer to do. */
    private final Condition work = lock.newCondition();
    /** Signalled when messages were written (or dropped): room for appenders, progress for flushes. */
    private final Condition progress = lock.newCondition();
    /** Appended and not yet written, oldest first; the head may be in the writer's hands. Guarded by lock. */
    private final ArrayDeque<ChatMessage> unwritten = new ArrayDeque<>();
    private long appended; // guarded by lock
    private long settled; // written or dropped; guarded by lock
    private boolean closed; // guarded by lock
    private boolean failing; // writer thread only: log outages once, not per retry

    PostgresChatStore(Db db, int capacity) {
        this.db = db;
        this.capacity = capacity;
        this.writer = Thread.ofPlatform().name("convene-chat-writer").daemon().unstarted(this::writeLoop);
        writer.start();
    }

    /**
     * Queues the message for writing and returns.
     *
     * @throws StoreUnavailableException if the buffer stayed full for a second
     * @throws IllegalStateException if the store is closed
     */
    @Override
    public void append(ChatMessage message) {
        ChatMessage stored = new ChatMessage(message.id(), message.meetingId(), message.participantId(),
                message.displayName(), message.text(), Timestamps.micros(message.sentAt()));
        lock.lock();
        try {
            long nanos = APPEND_WAIT.toNanos();
            while (!closed && unwritten.size() >= capacity) {
                if (nanos <= 0) {
                    throw new StoreUnavailableException("chat history is not being written: "
                            + unwritten.size() + " messages wait for the database", null);
                }
                nanos = progress.awaitNanos(nanos);
            }
            if (closed) {
                throw new IllegalStateException("chat store is closed");
            }
            unwritten.addLast(stored);
            appended++;
            work.signal();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreUnavailableException("interrupted while waiting for room in the chat buffer", e);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<ChatMessage> recent(UUID meetingId, int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative");
        }
        return limit == 0 ? List.of() : read(meetingId, null, limit).messages();
    }

    /**
     * One page of history, for {@code GET /v1/meetings/{id}/messages?before=&limit=}: the
     * {@code limit} messages just older than {@code before} (or the newest, if it is null),
     * oldest first, with the cursor of the page before it.
     *
     * @param before a cursor from {@link ChatPage#olderCursor()}, or null for the newest page
     * @throws IllegalArgumentException if the cursor is malformed or limit is not in 1..{@value #MAX_PAGE_SIZE}
     */
    @Override
    public ChatPage page(UUID meetingId, String before, int limit) {
        if (limit < 1 || limit > MAX_PAGE_SIZE) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_PAGE_SIZE + ", was " + limit);
        }
        return read(meetingId, before == null ? null : ChatCursor.decode(before), limit);
    }

    private ChatPage read(UUID meetingId, ChatCursor before, int limit) {
        // Pending first, then the database: a message that is written in between is then in
        // both (merged by id), never in neither.
        List<ChatMessage> pending = pending(meetingId, before);
        List<ChatMessage> stored = db.call("read chat history", c -> query(c, meetingId, before, limit + 1));
        Map<String, ChatMessage> byId = new LinkedHashMap<>();
        for (ChatMessage m : stored) {
            byId.put(m.id(), m);
        }
        for (ChatMessage m : pending) {
            byId.putIfAbsent(m.id(), m);
        }
        List<ChatMessage> all = new ArrayList<>(byId.values());
        all.sort(ChatCursor.ORDER);
        // One more than asked was read, so "is there anything older" needs no second query.
        boolean more = all.size() > limit;
        List<ChatMessage> page = all.subList(Math.max(0, all.size() - limit), all.size());
        String older = more ? ChatCursor.of(page.getFirst()).encode() : null;
        return new ChatPage(page, older);
    }

    private List<ChatMessage> pending(UUID meetingId, ChatCursor before) {
        lock.lock();
        try {
            List<ChatMessage> mine = new ArrayList<>();
            for (ChatMessage m : unwritten) {
                if (m.meetingId().equals(meetingId) && (before == null || before.isAfter(m))) {
                    mine.add(m);
                }
            }
            return mine;
        } finally {
            lock.unlock();
        }
    }

    private static List<ChatMessage> query(Connection c, UUID meetingId, ChatCursor before, int limit) throws SQLException {
        String sql = "SELECT meeting_id, id, participant_id, display_name, text, sent_at FROM chat_messages WHERE meeting_id = ?"
                + (before == null ? "" : " AND (sent_at, id) < (?, ?)")
                + " ORDER BY sent_at DESC, id DESC LIMIT ?";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            ps.setObject(i++, meetingId);
            if (before != null) {
                ps.setObject(i++, Timestamps.toDb(before.sentAt()));
                ps.setString(i++, before.id());
            }
            ps.setInt(i, limit);
            try (ResultSet rs = ps.executeQuery()) {
                List<ChatMessage> newestFirst = new ArrayList<>();
                while (rs.next()) {
                    newestFirst.add(new ChatMessage(
                            rs.getString("id"),
                            rs.getObject("meeting_id", UUID.class),
                            rs.getString("participant_id"),
                            rs.getString("display_name"),
                            rs.getString("text"),
                            Timestamps.fromDb(rs.getObject("sent_at", OffsetDateTime.class))));
                }
                return newestFirst;
            }
        }
    }

    /**
     * Waits until every message appended before this call is written (or dropped as
     * unwritable).
     *
     * @return false if that did not happen within the timeout
     */
    public boolean flush(Duration timeout) {
        lock.lock();
        try {
            long target = appended;
            long nanos = timeout.toNanos();
            while (settled < target) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = progress.awaitNanos(nanos);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** Messages appended through this instance and not yet written. */
    public int backlog() {
        lock.lock();
        try {
            return unwritten.size();
        } finally {
            lock.unlock();
        }
    }

    /** Stops taking messages and writes the rest, waiting at most five seconds. Closing twice is harmless. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            work.signalAll();
            progress.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            writer.join(CLOSE_WAIT);
            if (writer.isAlive()) {
                writer.interrupt();
                writer.join(Duration.ofSeconds(1));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void writeLoop() {
        try {
            while (true) {
                List<ChatMessage> batch = nextBatch();
                if (batch == null) {
                    return;
                }
                int done = write(batch);
                lock.lock();
                try {
                    for (int i = 0; i < done; i++) {
                        unwritten.removeFirst();
                    }
                    settled += done;
                    progress.signalAll();
                    if (done == 0) {
                        work.await(RETRY_BACKOFF.toNanos(), TimeUnit.NANOSECONDS);
                    }
                } finally {
                    lock.unlock();
                }
            }
        } catch (InterruptedException e) {
            dropUnwritten();
        }
    }

    /** The oldest unwritten messages, waiting for some; null once closed and drained. */
    private List<ChatMessage> nextBatch() throws InterruptedException {
        lock.lock();
        try {
            while (unwritten.isEmpty() && !closed) {
                work.await();
            }
            if (unwritten.isEmpty()) {
                return null;
            }
            List<ChatMessage> batch = new ArrayList<>(Math.min(BATCH_SIZE, unwritten.size()));
            for (ChatMessage m : unwritten) {
                if (batch.size() == BATCH_SIZE) {
                    break;
                }
                batch.add(m);
            }
            return batch;
        } finally {
            lock.unlock();
        }
    }

    /** Writes the batch; returns how many of its first messages are settled (written or dropped). */
    private int write(List<ChatMessage> batch) {
        try {
            db.inTransaction("append chat messages", c -> {
                try (PreparedStatement ps = c.prepareStatement(INSERT)) {
                    for (ChatMessage m : batch) {
                        bind(ps, m);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                return null;
            });
            recovered();
            return batch.size();
        } catch (StoreUnavailableException e) {
            outage(e);
            return 0;
        } catch (PostgresStoreException e) {
            // Some message's content was refused: write them one by one and skip the culprits.
            return writeOneByOne(batch);
        } catch (RuntimeException e) {
            outage(e);
            return 0;
        }
    }

    private int writeOneByOne(List<ChatMessage> batch) {
        int done = 0;
        for (ChatMessage m : batch) {
            try {
                db.call("append chat message", c -> {
                    try (PreparedStatement ps = c.prepareStatement(INSERT)) {
                        bind(ps, m);
                        return ps.executeUpdate();
                    }
                });
            } catch (StoreUnavailableException e) {
                outage(e);
                return done;
            } catch (PostgresStoreException e) {
                log.error("event=chat_message_dropped meeting_id={} message_id={} error={}", m.meetingId(), m.id(), e.getMessage());
            }
            done++;
        }
        recovered();
        return done;
    }

    private static void bind(PreparedStatement ps, ChatMessage m) throws SQLException {
        ps.setObject(1, m.meetingId());
        ps.setString(2, m.id());
        ps.setString(3, m.participantId());
        ps.setString(4, m.displayName());
        ps.setString(5, m.text());
        ps.setObject(6, Timestamps.toDb(m.sentAt()));
    }

    private void outage(RuntimeException e) {
        if (!failing) {
            failing = true;
            log.warn("event=chat_history_write_failed backlog={} error={}", backlog(), e.toString());
        }
    }

    private void recovered() {
        if (failing) {
            failing = false;
            log.info("event=chat_history_write_recovered backlog={}", backlog());
        }
    }

    private void dropUnwritten() {
        lock.lock();
        try {
            if (!unwritten.isEmpty()) {
                log.error("event=chat_history_lost messages={} reason=closed_before_written", unwritten.size());
            }
            settled += unwritten.size();
            unwritten.clear();
            progress.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
