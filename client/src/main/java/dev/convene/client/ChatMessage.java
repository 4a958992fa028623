package dev.convene.client;

/** A {@code chat} frame: a message someone in the meeting (maybe we) sent. */
public record ChatMessage(String messageId, String participantId, String displayName, String text, String sentAt) {
}
