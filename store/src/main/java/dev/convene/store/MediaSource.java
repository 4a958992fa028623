package dev.convene.store;

/** Where a published track comes from, as carried by meeting events. */
public enum MediaSource { CAMERA, MICROPHONE, SCREEN, SCREEN_AUDIO }
