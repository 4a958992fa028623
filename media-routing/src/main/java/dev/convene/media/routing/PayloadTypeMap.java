package dev.convene.media.routing;

import dev.convene.media.core.codec.Codec;
import java.util.Arrays;

/**
 * Maps a publisher's RTP payload types to a subscriber's, with the codec behind each (the
 * rewriter needs it to find key frames). Immutable; lookups are array reads.
 */
public final class PayloadTypeMap {
    private final int[] output;
    private final Codec[] codecs;

    private PayloadTypeMap(int[] output, Codec[] codecs) {
        this.output = output;
        this.codecs = codecs;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A map of one payload type to another. */
    public static PayloadTypeMap of(int inputPayloadType, int outputPayloadType, Codec codec) {
        return builder().map(inputPayloadType, outputPayloadType, codec).build();
    }

    /** The subscriber's payload type for {@code inputPayloadType}, or -1 if it is not mapped. */
    public int outputPayloadType(int inputPayloadType) {
        return inputPayloadType >= 0 && inputPayloadType < 128 ? output[inputPayloadType] : -1;
    }

    /** The codec of {@code inputPayloadType}, or {@code null} if it is not mapped. */
    public Codec codec(int inputPayloadType) {
        return inputPayloadType >= 0 && inputPayloadType < 128 ? codecs[inputPayloadType] : null;
    }

    public static final class Builder {
        private final int[] output = new int[128];
        private final Codec[] codecs = new Codec[128];

        private Builder() {
            Arrays.fill(output, -1);
        }

        public Builder map(int inputPayloadType, int outputPayloadType, Codec codec) {
            if (inputPayloadType < 0 || inputPayloadType > 127 || outputPayloadType < 0 || outputPayloadType > 127) {
                throw new IllegalArgumentException("payload types are 0-127: " + inputPayloadType + " -> " + outputPayloadType);
            }
            output[inputPayloadType] = outputPayloadType;
            codecs[inputPayloadType] = java.util.Objects.requireNonNull(codec, "codec");
            return this;
        }

        public PayloadTypeMap build() {
            return new PayloadTypeMap(output.clone(), codecs.clone());
        }
    }
}
