package dev.convene.media.routing.simulcast;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class BudgetSplitterTest {

    private static List<LayerInfo> layers() {
        return List.of(new LayerInfo(0, 320, 180, true, 150_000), new LayerInfo(1, 640, 360, true, 500_000),
                new LayerInfo(2, 1280, 720, true, 1_500_000));
    }

    private static BudgetSplitter.Demand demand(int priority, int current) {
        return new BudgetSplitter.Demand(layers(), LayerSettings.UNCONSTRAINED, priority, current);
    }

    private static int layerFor(long budget) {
        return new ResolutionAllocator().allocate(layers(), LayerSettings.UNCONSTRAINED, budget);
    }

    @Test
    void theHigherPriorityTrackIsRaisedFirst() {
        long[] budgets = BudgetSplitter.split(List.of(demand(1, 0), demand(5, 0)), 1_900_000);
        assertThat(layerFor(budgets[1])).as("screen share / pinned").isEqualTo(2);
        assertThat(layerFor(budgets[0])).isEqualTo(0);
    }

    @Test
    void movingUpNeedsHeadroomButStayingDoesNot() {
        long justEnough = 1_500_000 + 150_000;
        assertThat(layerFor(BudgetSplitter.split(List.of(demand(1, 0)), 1_600_000)[0])).isEqualTo(1);
        assertThat(layerFor(BudgetSplitter.split(List.of(demand(1, 2)), 1_600_000)[0])).isEqualTo(2);
        assertThat(layerFor(BudgetSplitter.split(List.of(demand(1, 0)), (long) (justEnough * 1.2))[0])).isEqualTo(2);
        assertThat(layerFor(BudgetSplitter.split(List.of(demand(1, 0)), 10_000_000, false)[0]))
                .as("not while the estimate has just come down").isEqualTo(0);
        assertThat(layerFor(BudgetSplitter.split(List.of(demand(1, 2)), 600_000, false)[0])).as("down is always allowed")
                .isEqualTo(1);
    }

    @Test
    void aTooSmallBudgetStillGivesEveryTrackItsLowestLayerAndPausedNothing() {
        BudgetSplitter.Demand paused = new BudgetSplitter.Demand(layers(), new LayerSettings(0, 0, 0, true, 1), 9, 2);
        long[] budgets = BudgetSplitter.split(List.of(demand(1, 2), demand(1, 2), paused), 100_000);
        assertThat(budgets[0]).isEqualTo(150_000);
        assertThat(budgets[1]).isEqualTo(150_000);
        assertThat(budgets[2]).isZero();
        assertThat(BudgetSplitter.desired(List.of(demand(1, 2), paused))).isEqualTo(1_500_000);
        assertThat(BudgetSplitter.desired(List.of(demand(1, 0)))).as("with the headroom to move up").isBetween(1_724_000L, 1_726_000L);
    }

    @Test
    void onlyALegBelowItsBestLayerWantsMore() {
        assertThat(BudgetSplitter.wantsMore(List.of(demand(1, 2)))).isFalse();
        assertThat(BudgetSplitter.wantsMore(List.of(demand(1, 2), demand(1, 1)))).isTrue();
        BudgetSplitter.Demand small = new BudgetSplitter.Demand(layers(), new LayerSettings(320, 180, 0, false, 1), 1, 0);
        assertThat(BudgetSplitter.wantsMore(List.of(small))).as("the low layer is all a small tile takes").isFalse();
    }

    @Test
    void aSmallTileWantsOnlyWhatFitsIt() {
        BudgetSplitter.Demand small = new BudgetSplitter.Demand(layers(), new LayerSettings(320, 180, 0, false, 1), 1, 0);
        assertThat(BudgetSplitter.split(List.of(small), 10_000_000)[0]).isEqualTo(150_000);
        assertThat(BudgetSplitter.desired(List.of(small))).isEqualTo(150_000);
    }
}
