package dev.convene.store;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.time.DateTimeException;
import java.util.Comparator;

/**
 * A position in a meeting's history: (sent_at, id), the order every chat store keeps it in. Encoded
 * as URL-safe base64 of {@code <epoch micros>:<message id>}, so clients treat it as opaque and
 * the server needs no lookup to resume.
 */
public record ChatCursor(Instant sentAt, String id) {

    /** Oldest first (in PostgreSQL the index {@code chat_messages_recent}, {@code id} COLLATE "C"). */
    public static final Comparator<ChatMessage> ORDER =
            Comparator.comparing(ChatMessage::sentAt).thenComparing(ChatMessage::id);

    public static ChatCursor of(ChatMessage m) {
        return new ChatCursor(m.sentAt(), m.id());
    }

    /** Whether {@code m} comes before this position (so belongs to an older page). */
    public boolean isAfter(ChatMessage m) {
        int bySentAt = m.sentAt().compareTo(sentAt);
        return bySentAt < 0 || bySentAt == 0 && m.id().compareTo(id) < 0;
    }

    public String encode() {
        long micros = ChronoUnit.MICROS.between(Instant.EPOCH, sentAt);
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((micros + ":" + id).getBytes(StandardCharsets.UTF_8));
    }

    /** @throws IllegalArgumentException if the text is not a cursor this class wrote */
    public static ChatCursor decode(String cursor) {
        try {
            String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            int colon = text.indexOf(':');
            if (colon < 1 || colon == text.length() - 1) {
                throw new IllegalArgumentException("malformed chat cursor");
            }
            long micros = Long.parseLong(text, 0, colon, 10);
            return new ChatCursor(Instant.EPOCH.plus(micros, ChronoUnit.MICROS), text.substring(colon + 1));
        } catch (IllegalArgumentException | ArithmeticException | DateTimeException e) {
            throw new IllegalArgumentException("malformed chat cursor: " + cursor, e);
        }
    }
}
