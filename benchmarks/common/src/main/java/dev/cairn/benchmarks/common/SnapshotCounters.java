package dev.cairn.benchmarks.common;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Secondary figures of a full snapshot shot, reported by JMH next to the total time: the synchronous phase and
 * the bytes the snapshot persisted.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.EVENTS)
public class SnapshotCounters {
    public double syncPhaseMillis;
    public long bytesPersisted;

    @Setup(Level.Iteration)
    public void reset() {
        syncPhaseMillis = 0;
        bytesPersisted = 0;
    }
}
