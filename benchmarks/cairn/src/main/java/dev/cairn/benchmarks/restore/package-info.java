/**
 * Suite 3, restore and rescale: time to create a keyed backend from snapshots written once per trial and kept
 * on disk (every shot a new backend, checked on a sample of keys and closed outside the timing). Restores at the
 * same parallelism use the snapshot suite's state (full snapshots for every system, incremental checkpoints for
 * RocksDB); rescaling uses incremental checkpoints of a RocksDB state of {@code Profile.rescaleStateBytes}
 * (2.2 GB full, 256 MiB quick) with max parallelism 128: in, two checkpoints of key groups [0, 63] and [64, 127]
 * into one backend for [0, 127]; out, one checkpoint of [0, 127] into the backend for [0, 63] (one side timed, as
 * in apache/flink-benchmarks' rescaling benchmark). Both systems use their default restore and rescale options.
 */
package dev.cairn.benchmarks.restore;
