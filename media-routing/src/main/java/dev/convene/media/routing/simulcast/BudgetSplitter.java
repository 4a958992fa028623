package dev.convene.media.routing.simulcast;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Shares one subscriber's downlink estimate between the video tracks it receives, by priority:
 * first every unpaused track gets its lowest active layer (a tile still shows something), then,
 * highest priority first, each is raised to the best layer its wishes allow that the rest of the
 * budget pays for. A layer above the one a track forwards now costs {@link #UP_HEADROOM} × its
 * bitrate: a subscriber moves up only with room to spare and does not flap at the edge, while
 * a shrinking estimate moves it down at the next allocation. The result is a budget per track
 * for its {@link Allocator}. Pure; runs on the allocation tick, not per packet.
 */
public final class BudgetSplitter {

    static final double UP_HEADROOM = 1.15;

    /**
     * One track as the split sees it.
     *
     * @param priority     higher first (screen share and pinned tiles above cameras)
     * @param currentLayer the layer forwarded now, or {@link Allocator#NONE}
     */
    public record Demand(List<LayerInfo> layers, LayerSettings settings, int priority, int currentLayer) {}

    private BudgetSplitter() {}

    /** Budgets per demand, in the order given; layers may move up. */
    public static long[] split(List<Demand> demands, long totalBps) {
        return split(demands, totalBps, true);
    }

    /**
     * Budgets per demand, in the order given.
     *
     * @param mayMoveUp false while the estimate has only just come down: no track is raised
     *     above the layer it forwards now, so a subscriber does not climb back into the
     *     congestion it just left
     */
    public static long[] split(List<Demand> demands, long totalBps, boolean mayMoveUp) {
        int n = demands.size();
        long[] budgets = new long[n];
        int[] chosen = new int[n];
        List<Integer> order = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            order.add(i);
            chosen[i] = Allocator.NONE;
        }
        order.sort(Comparator.comparingInt((Integer i) -> -demands.get(i).priority()));
        long remaining = totalBps;
        for (int i : order) {
            Demand d = demands.get(i);
            if (d.settings().paused()) {
                continue;
            }
            for (LayerInfo layer : d.layers()) {
                if (layer.active()) {
                    chosen[i] = layer.index();
                    remaining -= layer.bitsPerSecond();
                    break;
                }
            }
        }
        for (int i : order) {
            Demand d = demands.get(i);
            if (chosen[i] == Allocator.NONE) {
                continue;
            }
            long held = bitrate(d.layers(), chosen[i]);
            int best = chosen[i];
            long bestCost = held;
            for (LayerInfo layer : d.layers()) {
                if (!layer.active() || layer.index() <= chosen[i] || !d.settings().fits(layer.width(), layer.height())
                        || !mayMoveUp && d.currentLayer() != Allocator.NONE && layer.index() > d.currentLayer()) {
                    continue;
                }
                long cost = layer.index() > d.currentLayer()
                        ? (long) (layer.bitsPerSecond() * UP_HEADROOM) : layer.bitsPerSecond();
                if (cost - held <= remaining) {
                    best = layer.index();
                    bestCost = cost;
                }
            }
            remaining -= bestCost - held;
            chosen[i] = best;
        }
        for (int i = 0; i < n; i++) {
            budgets[i] = chosen[i] == Allocator.NONE ? 0 : bitrate(demands.get(i).layers(), chosen[i]);
        }
        return budgets;
    }

    /**
     * What the demands would cost with no limit: each one's best layer its wishes allow, with the
     * headroom {@link #split} asks before moving up — what a probe must prove the downlink carries.
     */
    public static long desired(List<Demand> demands) {
        long sum = 0;
        for (Demand d : demands) {
            if (d.settings().paused()) {
                continue;
            }
            long best = 0;
            boolean any = false;
            for (LayerInfo layer : d.layers()) {
                if (layer.active() && (!any || d.settings().fits(layer.width(), layer.height()))) {
                    best = layer.index() > d.currentLayer()
                            ? (long) (layer.bitsPerSecond() * UP_HEADROOM) : layer.bitsPerSecond();
                    any = true;
                }
            }
            sum += best;
        }
        return sum;
    }

    /**
     * Whether any demand forwards less than the best layer its wishes allow: only then can more
     * bandwidth buy anything, so only then is a probe worth its padding.
     */
    public static boolean wantsMore(List<Demand> demands) {
        for (Demand d : demands) {
            if (d.settings().paused()) {
                continue;
            }
            int best = Allocator.NONE;
            for (LayerInfo layer : d.layers()) {
                if (layer.active() && (best == Allocator.NONE || d.settings().fits(layer.width(), layer.height()))) {
                    best = layer.index();
                }
            }
            if (best != Allocator.NONE && best > d.currentLayer()) {
                return true;
            }
        }
        return false;
    }

    private static long bitrate(List<LayerInfo> layers, int index) {
        for (LayerInfo layer : layers) {
            if (layer.index() == index) {
                return layer.bitsPerSecond();
            }
        }
        return 0;
    }
}
