package dev.convene.sfu.room;

import static org.assertj.core.api.Assertions.assertThat;

import dev.convene.sfu.TrackDeclaration;
import dev.convene.sfu.TrackKind;
import dev.convene.sfu.TrackSource;
import dev.convene.sfu.negotiation.SfuCodecs;
import org.junit.jupiter.api.Test;

class SsrcTableTest {

    private static TrackLayer track(String mid) {
        return new PublishedTrack("TR_" + mid, null, new TrackDeclaration(mid, TrackKind.VIDEO, TrackSource.CAMERA),
                SfuCodecs.VP8, -1, java.util.List.of(), 0, 0).layers()[0];
    }

    @Test
    void findsReplacesGrowsAndRemoves() {
        SsrcTable<TrackLayer> table = new SsrcTable<>();
        TrackLayer camera = track("1");
        TrackLayer screen = track("2");
        for (long ssrc = 1; ssrc <= 10; ssrc++) {
            table.put(0xFFFF_FF00L + ssrc, ssrc % 2 == 0 ? camera : screen);
        }
        assertThat(table.get(0xFFFF_FF02L)).isSameAs(camera);
        assertThat(table.get(0xFFFF_FF03L)).isSameAs(screen);
        assertThat(table.get(42)).isNull();

        table.put(0xFFFF_FF03L, camera);
        assertThat(table.get(0xFFFF_FF03L)).isSameAs(camera);

        table.removeIf(t -> t == camera);
        assertThat(table.get(0xFFFF_FF02L)).isNull();
        assertThat(table.get(0xFFFF_FF03L)).isNull();
        assertThat(table.get(0xFFFF_FF05L)).isSameAs(screen);
    }
}
