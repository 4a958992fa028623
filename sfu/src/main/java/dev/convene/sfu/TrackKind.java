package dev.convene.sfu;

public enum TrackKind { AUDIO, VIDEO }
