/**
 * Suite 2, snapshots: full and incremental snapshots of one value state ({@code long} keys, 1 KiB values,
 * {@code Profile.snapshotStateBytes}: 256 MiB full, 64 MiB quick), both phases timed on the benchmark thread
 * (the score, single shot), with the synchronous phase, the bytes persisted and, for incremental checkpoints, the
 * bytes of SST files new since the previous checkpoint as JMH secondary counters (summed over the measured
 * iterations, as JMH does for event counters; per shot in the raw data). Every system writes to checkpoint
 * storage in its own directory under {@code java.io.tmpdir}: Cairn's {@code FileCheckpointStorage} on
 * {@code file://}, Flink's {@code FsCheckpointStorageAccess}. Each checkpoint is completed (Flink: shared state
 * registered, then {@code notifyCheckpointComplete}) before the next one is taken.
 * {@code LargeStateSnapshotBenchmark} measures the synchronous phase of an incremental checkpoint of the rescale
 * suite's state (2.2 GB full, 256 MiB quick) after 1% of the keys changed.
 * The same classes exist in {@code benchmarks/cairn} (Cairn memory and RocksDB, Flink heap) and
 * {@code benchmarks/flink-rocksdb} (Flink RocksDB).
 */
package dev.cairn.benchmarks.snapshot;
