package dev.convene.store;

/** Whether a meeting can still be joined. */
public enum MeetingStatus { ACTIVE, ENDED }
