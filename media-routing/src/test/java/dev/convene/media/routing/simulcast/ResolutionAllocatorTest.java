package dev.convene.media.routing.simulcast;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ResolutionAllocatorTest {

    private final ResolutionAllocator allocator = new ResolutionAllocator();

    private static List<LayerInfo> chromeLayers(boolean q, boolean h, boolean f) {
        return List.of(new LayerInfo(0, 320, 180, q, 150_000), new LayerInfo(1, 640, 360, h, 500_000),
                new LayerInfo(2, 1280, 720, f, 1_500_000));
    }

    private static LayerSettings max(int w, int h) {
        return new LayerSettings(w, h, 0, false, 1);
    }

    @Test
    void picksTheHighestLayerThatFitsTheTile() {
        List<LayerInfo> all = chromeLayers(true, true, true);
        assertThat(allocator.allocate(all, LayerSettings.UNCONSTRAINED, Allocator.UNLIMITED)).isEqualTo(2);
        assertThat(allocator.allocate(all, max(1280, 720), Allocator.UNLIMITED)).isEqualTo(2);
        assertThat(allocator.allocate(all, max(1279, 720), Allocator.UNLIMITED)).isEqualTo(1);
        assertThat(allocator.allocate(all, max(640, 360), Allocator.UNLIMITED)).isEqualTo(1);
        assertThat(allocator.allocate(all, max(360, 203), Allocator.UNLIMITED)).isEqualTo(0);
        // Only the width constrained: a tall narrow tile.
        assertThat(allocator.allocate(all, max(700, 0), Allocator.UNLIMITED)).isEqualTo(1);
    }

    @Test
    void aTileSmallerThanTheLowestLayerStillGetsTheLowest() {
        assertThat(allocator.allocate(chromeLayers(true, true, true), max(90, 50), Allocator.UNLIMITED)).isEqualTo(0);
        assertThat(allocator.allocate(chromeLayers(false, true, true), max(90, 50), Allocator.UNLIMITED)).isEqualTo(1);
    }

    @Test
    void layersThePublisherDoesNotSendAreSkipped() {
        assertThat(allocator.allocate(chromeLayers(true, true, false), LayerSettings.UNCONSTRAINED, Allocator.UNLIMITED))
                .isEqualTo(1);
        assertThat(allocator.allocate(chromeLayers(true, false, false), max(640, 360), Allocator.UNLIMITED)).isEqualTo(0);
        assertThat(allocator.allocate(chromeLayers(false, false, false), LayerSettings.UNCONSTRAINED, Allocator.UNLIMITED))
                .isEqualTo(Allocator.NONE);
    }

    @Test
    void pausedGetsNothing() {
        assertThat(allocator.allocate(chromeLayers(true, true, true), new LayerSettings(0, 0, 0, true, 1),
                Allocator.UNLIMITED)).isEqualTo(Allocator.NONE);
    }

    @Test
    void theBudgetCapsTheLayer() {
        List<LayerInfo> all = chromeLayers(true, true, true);
        assertThat(allocator.allocate(all, LayerSettings.UNCONSTRAINED, 1_000_000)).isEqualTo(1);
        assertThat(allocator.allocate(all, LayerSettings.UNCONSTRAINED, 300_000)).isEqualTo(0);
        // Below even the lowest layer: still the lowest; dropping it altogether is the allocation of a later slice.
        assertThat(allocator.allocate(all, LayerSettings.UNCONSTRAINED, 10_000)).isEqualTo(0);
    }

    @Test
    void settingsRejectNegativeLimits() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new LayerSettings(-1, 0, 0, false, 1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
