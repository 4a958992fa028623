package dev.convene.store;

/** Kind of a published track, as carried by meeting events (the store does not know the SFU's types). */
public enum MediaKind { AUDIO, VIDEO }
