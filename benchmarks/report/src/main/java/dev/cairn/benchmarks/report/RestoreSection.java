package dev.cairn.benchmarks.report;

import java.util.List;

/** The restore and rescale suite ({@code dev.cairn.benchmarks.restore}). */
public final class RestoreSection extends Section {
    @Override
    public String suite() {
        return "restore";
    }

    @Override
    public String title() {
        return "Restore and rescale";
    }

    @Override
    public String description() {
        return "Time to restore a keyed backend from a full or incremental snapshot at the same parallelism, and "
                + "to rescale the RocksDB state in (2 → 1: one backend restored from two snapshots) and out (1 → 2: "
                + "one half of the key groups restored from one snapshot). One restore per shot (single-shot time); "
                + "the restored backend is checked and closed untimed. Cairn `memory` pairs with Flink's heap "
                + "backend, Cairn `rocksdb` with Flink's RocksDB backend.";
    }

    @Override
    public List<Pairing> pairings() {
        return List.of(new Pairing("cairn-memory", "flink-heap", null),
                new Pairing("cairn-rocksdb", "flink-rocksdb", null));
    }
}
