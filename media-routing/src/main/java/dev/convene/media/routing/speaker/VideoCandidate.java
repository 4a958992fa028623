package dev.convene.media.routing.speaker;

/**
 * A participant whose video a subscriber could receive, as {@link LastNSelector} ranks it.
 *
 * @param screenShare    it shares its screen (ranked first: a shared screen is what people look at)
 * @param pinned         the subscriber pinned it
 * @param lastSpokeNanos when it last spoke, {@link Long#MIN_VALUE} if never
 * @param order          join order, for ties (earlier first)
 */
public record VideoCandidate<K>(K key, boolean screenShare, boolean pinned, long lastSpokeNanos, long order) {}
