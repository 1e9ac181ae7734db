package dev.cairn.benchmarks.common;

import java.util.Locale;

/**
 * The size of a benchmark run, chosen by the system property {@code cairn.bench.profile} ({@code smoke},
 * {@code quick} or {@code full}; default {@code full}). {@code benchmarks/run.sh} passes it to every forked JVM.
 * Iteration counts are set by the script; this only fixes the amount of state each suite builds.
 */
public enum Profile {
    /** Tiny sizes: proves in CI that every benchmark runs, measures nothing. */
    SMOKE(2_000, 2_000, 20_000, 4L << 20, 8L << 20, 4L << 20, 500, 600, 3),
    /**
     * Under 15 minutes on 2 cores for all suites together. The storage file is 64 MiB (not 256) so that the
     * storage suite's ten forks, a MiniDFSCluster and S3Proxy fit its two minutes. The snapshot state is 32 MiB
     * (not 256) so that the snapshot and restore suites' twenty forks fit their four minutes. The state-access
     * suite pre-loads 200 k keys (not 500 k; 2 M map entries instead of 5 M) so that its 56 forks — RocksDB forks
     * load the state and then measure for four seconds — fit its seven minutes. The file
     * merging suite keeps the acceptance workload's sizes (7.5 minutes more).
     */
    QUICK(200_000, 200_000, 1_000_000, 32L << 20, 256L << 20, 64L << 20, 4_000, 600, 30),
    /** The sizes of the issue: 500 k + 500 k keys, 10 M large-state keys, 256 MiB snapshots, 2.2 GB rescale. */
    FULL(500_000, 500_000, 10_000_000, 256L << 20, 2_200L * 1_000_000L, 256L << 20, 4_000, 600, 30);

    /** The property naming the profile. */
    public static final String PROPERTY = "cairn.bench.profile";

    /** Keys loaded into state before measuring (flink-benchmarks: setupKeyCount). */
    public final int preloadedKeys;
    /** Keys not yet in state, used by insert benchmarks (flink-benchmarks: newKeyCount). */
    public final int newKeys;
    /** Keys of the large-state profile (96-byte keys, 128-byte values). */
    public final int largeStateKeys;
    /** Bytes of keyed state for the snapshot suite. */
    public final long snapshotStateBytes;
    /** Bytes of keyed state for the restore and rescale suite. */
    public final long rescaleStateBytes;
    /** Bytes of the checkpoint file of the storage suite. */
    public final long storageFileBytes;
    /** File merging suite: keys of each of the churn job's 16 source splits (four states per key). */
    public final int churnKeysPerSplit;
    /** File merging suite: events of every split between two checkpoints. */
    public final int churnEventsPerSplit;
    /** File merging suite: completed checkpoints of a trial (set-up plus measured), or before a restore. */
    public final int churnCheckpoints;

    Profile(int preloadedKeys, int newKeys, int largeStateKeys, long snapshotStateBytes, long rescaleStateBytes,
            long storageFileBytes, int churnKeysPerSplit, int churnEventsPerSplit, int churnCheckpoints) {
        this.preloadedKeys = preloadedKeys;
        this.newKeys = newKeys;
        this.largeStateKeys = largeStateKeys;
        this.snapshotStateBytes = snapshotStateBytes;
        this.rescaleStateBytes = rescaleStateBytes;
        this.storageFileBytes = storageFileBytes;
        this.churnKeysPerSplit = churnKeysPerSplit;
        this.churnEventsPerSplit = churnEventsPerSplit;
        this.churnCheckpoints = churnCheckpoints;
    }

    /** The profile named by {@link #PROPERTY}; an unknown name is refused naming the property. */
    public static Profile current() {
        String name = System.getProperty(PROPERTY, "full").trim();
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    PROPERTY + "=" + name + " is not a profile: use smoke, quick or full", e);
        }
    }
}
