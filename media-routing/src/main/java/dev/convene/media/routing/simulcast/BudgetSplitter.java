package dev.convene.media.routing.simulcast;

import java.util.List;

/**
 * Shares one subscriber's downlink estimate between the video tracks it receives, by priority:
 * first every unpaused track gets its lowest active layer (a tile still shows something), then,
 * highest priority first, each is raised to the best layer its wishes allow that the rest of the
 * budget pays for. A layer above the one a track forwards now costs {@link #UP_HEADROOM} × its
 * bitrate: a subscriber moves up only with room to spare and does not flap at the edge, while
 * a shrinking estimate moves it down at the next allocation. The result is a budget per track
 * for its {@link Allocator}. Pure in its result; an instance only keeps scratch arrays. Runs on
 * the allocation tick, not per packet.
 */
public final class BudgetSplitter {

    static final double UP_HEADROOM = 1.15;

    /**
     * One track as the split sees it. Not a record: the allocation pass refills the same
     * demands each time, so that it allocates nothing (ADR 0027).
     */
    public static final class Demand {

        private List<LayerInfo> layers;
        private LayerSettings settings;
        private int priority;
        private int currentLayer;

        /**
         * @param priority     higher first (screen share and pinned tiles above cameras)
         * @param currentLayer the layer forwarded now, or {@link Allocator#NONE}
         */
        public Demand(List<LayerInfo> layers, LayerSettings settings, int priority, int currentLayer) {
            set(layers, settings, priority, currentLayer);
        }

        /** Refills this demand; see the constructor. */
        public Demand set(List<LayerInfo> layers, LayerSettings settings, int priority, int currentLayer) {
            this.layers = layers;
            this.settings = settings;
            this.priority = priority;
            this.currentLayer = currentLayer;
            return this;
        }

        public List<LayerInfo> layers() { return layers; }

        public LayerSettings settings() { return settings; }

        public int priority() { return priority; }

        public int currentLayer() { return currentLayer; }
    }

    /** Scratch of the last split, grown to the largest number of demands seen. */
    private int[] chosen = new int[8];
    private int[] order = new int[8];

    /** Budgets per demand, in the order given; layers may move up. */
    public static long[] split(List<Demand> demands, long totalBps) {
        return split(demands, totalBps, true);
    }

    /** Budgets per demand, in the order given (see {@link #split(List, long, boolean, long[])}). */
    public static long[] split(List<Demand> demands, long totalBps, boolean mayMoveUp) {
        long[] budgets = new long[demands.size()];
        new BudgetSplitter().split(demands, totalBps, mayMoveUp, budgets);
        return budgets;
    }

    /**
     * Budgets per demand, in the order given, into {@code budgets} (at least as long as
     * {@code demands}). Reuses this splitter's scratch: allocates nothing once it has seen as many
     * demands. Confined to one thread, like its caller.
     *
     * @param mayMoveUp false while the estimate has only just come down: no track is raised
     *     above the layer it forwards now, so a subscriber does not climb back into the
     *     congestion it just left
     */
    public void split(List<Demand> demands, long totalBps, boolean mayMoveUp, long[] budgets) {
        int n = demands.size();
        if (chosen.length < n) {
            chosen = new int[Math.max(n, chosen.length * 2)];
            order = new int[chosen.length];
        }
        // Highest priority first, ties in the order given: an insertion sort, as n is a subscriber's
        // visible tracks (last-N) and the order barely changes between passes.
        for (int i = 0; i < n; i++) {
            chosen[i] = Allocator.NONE;
            int priority = demands.get(i).priority();
            int j = i;
            while (j > 0 && demands.get(order[j - 1]).priority() < priority) {
                order[j] = order[j - 1];
                j--;
            }
            order[j] = i;
        }
        long remaining = totalBps;
        for (int k = 0; k < n; k++) {
            int i = order[k];
            Demand d = demands.get(i);
            if (d.settings().paused()) {
                continue;
            }
            List<LayerInfo> layers = d.layers();
            for (int l = 0; l < layers.size(); l++) {
                LayerInfo layer = layers.get(l);
                if (layer.active()) {
                    chosen[i] = layer.index();
                    remaining -= layer.bitsPerSecond();
                    break;
                }
            }
        }
        for (int k = 0; k < n; k++) {
            int i = order[k];
            Demand d = demands.get(i);
            if (chosen[i] == Allocator.NONE) {
                continue;
            }
            List<LayerInfo> layers = d.layers();
            long held = bitrate(layers, chosen[i]);
            int best = chosen[i];
            long bestCost = held;
            for (int l = 0; l < layers.size(); l++) {
                LayerInfo layer = layers.get(l);
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
    }

    /**
     * What the demands would cost with no limit: each one's best layer its wishes allow, with the
     * headroom {@link #split} asks before moving up — what a probe must prove the downlink carries.
     */
    public static long desired(List<Demand> demands) {
        long sum = 0;
        for (int k = 0; k < demands.size(); k++) {
            Demand d = demands.get(k);
            if (d.settings().paused()) {
                continue;
            }
            long best = 0;
            boolean any = false;
            List<LayerInfo> layers = d.layers();
            for (int l = 0; l < layers.size(); l++) {
                LayerInfo layer = layers.get(l);
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
        for (int k = 0; k < demands.size(); k++) {
            Demand d = demands.get(k);
            if (d.settings().paused()) {
                continue;
            }
            int best = Allocator.NONE;
            List<LayerInfo> layers = d.layers();
            for (int l = 0; l < layers.size(); l++) {
                LayerInfo layer = layers.get(l);
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
        for (int l = 0; l < layers.size(); l++) {
            LayerInfo layer = layers.get(l);
            if (layer.index() == index) {
                return layer.bitsPerSecond();
            }
        }
        return 0;
    }
}
