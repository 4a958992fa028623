package dev.convene.sfu;

public enum TrackSource { CAMERA, MICROPHONE, SCREEN, SCREEN_AUDIO }
