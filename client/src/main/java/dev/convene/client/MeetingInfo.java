package dev.convene.client;

/**
 * A meeting as {@code POST /v1/meetings} and {@code GET /v1/meetings/{id}} describe it;
 * {@code participantCount} is -1 when the answer had none (the create call).
 */
public record MeetingInfo(String meetingId, String title, int capacity, String hostId, String createdAt,
        String joinUrl, int participantCount) {
}
