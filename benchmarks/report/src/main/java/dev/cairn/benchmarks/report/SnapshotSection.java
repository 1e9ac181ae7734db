package dev.cairn.benchmarks.report;

import java.util.List;

/** The snapshot suite ({@code dev.cairn.benchmarks.snapshot}). */
public final class SnapshotSection extends Section {
    @Override
    public String suite() {
        return "snapshot";
    }

    @Override
    public String title() {
        return "Snapshot";
    }

    @Override
    public String description() {
        return "Full and incremental snapshots of keyed state into checkpoint storage on the same local directory: "
                + "one snapshot per shot (single-shot time, both phases on the benchmark thread), the previous "
                + "snapshot completed before the next. Incremental shots change 1% or 10% of the keys (untimed) "
                + "since the previous completed checkpoint. Secondary columns: the synchronous-phase time, the "
                + "bytes persisted by the checkpoint and, for incremental ones, the bytes flushed since the last "
                + "checkpoint. Cairn `memory` pairs with Flink's heap backend, Cairn `rocksdb` with Flink's RocksDB "
                + "backend.";
    }

    @Override
    public List<Pairing> pairings() {
        return List.of(new Pairing("cairn-memory", "flink-heap", null),
                new Pairing("cairn-rocksdb", "flink-rocksdb", null));
    }
}
