package dev.cairn.benchmarks.common;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Secondary figures of an incremental snapshot shot, reported by JMH next to the total time: the synchronous
 * phase, the bytes the checkpoint persisted, and the bytes of SST files that are new since the previous
 * checkpoint (flushed memtables and compaction outputs: the least an incremental checkpoint must upload).
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.EVENTS)
public class SnapshotIncrementalCounters {
    public double syncPhaseMillis;
    public long bytesPersisted;
    public long bytesFlushed;

    @Setup(Level.Iteration)
    public void reset() {
        syncPhaseMillis = 0;
        bytesPersisted = 0;
        bytesFlushed = 0;
    }
}
