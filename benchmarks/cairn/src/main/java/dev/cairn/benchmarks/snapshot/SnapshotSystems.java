package dev.cairn.benchmarks.snapshot;

import dev.cairn.benchmarks.common.SnapshotSystem;
import dev.cairn.benchmarks.common.Systems;
import dev.cairn.benchmarks.flink.FlinkSnapshotSystem;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;

/** The systems of the snapshot and restore suites that run in this JVM: Cairn's two backends and Flink's heap backend. */
public final class SnapshotSystems {
    private SnapshotSystems() {
    }

    /**
     * A fresh system named by a {@link Systems} constant, with its own temporary directory. The heap systems only
     * take full snapshots, so {@code incremental} matters only for RocksDB systems, which take incremental
     * checkpoints by default in both Cairn and Flink.
     */
    public static SnapshotSystem create(String system, boolean incremental) {
        return switch (system) {
            case Systems.CAIRN_MEMORY -> new CairnSnapshotSystem("memory");
            case Systems.CAIRN_ROCKSDB -> new CairnSnapshotSystem("rocksdb");
            case Systems.FLINK_HEAP -> new FlinkSnapshotSystem("heap", local -> new HashMapStateBackend());
            default -> throw new IllegalArgumentException("system " + system + " does not run in this JVM");
        };
    }
}
