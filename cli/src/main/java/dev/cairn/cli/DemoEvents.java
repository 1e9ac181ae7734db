package dev.cairn.cli;

import dev.cairn.runtime.dataflow.api.ReplayableSource;

/**
 * The demo's input: events {@code 0 .. events-1}, each naming one of {@code keys} keys by a fixed
 * scramble of its number, spread over {@code splits} splits. Any event can be read again at any
 * time, so a restore replays exactly what came after the checkpoint.
 */
final class DemoEvents implements ReplayableSource<Long> {
    private final long events;
    private final int splits;
    private final int keys;

    DemoEvents(long events, int splits, int keys) {
        this.events = events;
        this.splits = splits;
        this.keys = keys;
    }

    @Override
    public int splits() {
        return splits;
    }

    @Override
    public Long read(int split, long offset) {
        long event = offset * splits + split;
        return event < events ? keyOf(event) : null;
    }

    /** The key of event {@code event}. */
    long keyOf(long event) {
        return Math.floorMod(event * 0x9E3779B97F4A7C15L >>> 17, keys);
    }

    /** How many events name each key: the failure-free result of counting per key. */
    long[] countsPerKey() {
        long[] counts = new long[keys];
        for (long e = 0; e < events; e++) {
            counts[(int) keyOf(e)]++;
        }
        return counts;
    }
}
