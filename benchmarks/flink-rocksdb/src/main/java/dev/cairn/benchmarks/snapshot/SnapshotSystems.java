package dev.cairn.benchmarks.snapshot;

import dev.cairn.benchmarks.common.SnapshotSystem;
import dev.cairn.benchmarks.common.Systems;
import dev.cairn.benchmarks.flink.FlinkSnapshotSystem;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;

/**
 * The system of the snapshot and restore suites that runs in this JVM: Flink's {@link EmbeddedRocksDBStateBackend}
 * configured as a job without any state options would be (every rescale and restore option at its default), with
 * its working directories in the system's temporary directory.
 */
public final class SnapshotSystems {
    private SnapshotSystems() {
    }

    /**
     * A fresh system named by a {@link Systems} constant, with its own temporary directory: incremental
     * checkpoints when {@code incremental}, else Flink's full snapshot strategy for every checkpoint.
     */
    public static SnapshotSystem create(String system, boolean incremental) {
        if (!Systems.FLINK_ROCKSDB.equals(system)) {
            throw new IllegalArgumentException("system " + system + " does not run in this JVM");
        }
        return new FlinkSnapshotSystem("rocksdb", local -> {
            EmbeddedRocksDBStateBackend backend = new EmbeddedRocksDBStateBackend(incremental)
                    .configure(new Configuration(), SnapshotSystems.class.getClassLoader());
            backend.setDbStoragePath(local.toString());
            return backend;
        });
    }
}
