package dev.cairn.runtime.dataflow;

import dev.cairn.backend.OperatorStateBackend;
import dev.cairn.runtime.dataflow.api.ReplayableSource;
import dev.cairn.serialization.SerializerSnapshot;
import dev.cairn.serialization.TypeSerializer;
import dev.cairn.state.ListState;
import dev.cairn.state.ListStateDescriptor;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the splits a source subtask owns, round-robin, and keeps each split's next offset as split list
 * state, so a restore (at any parallelism) resumes every split right after its last checkpointed record.
 * On a fresh start subtask {@code i} of {@code p} owns the splits {@code s} with {@code s mod p == i}.
 */
final class SourceReader {
    static final String STATE_NAME = "cairn.source-offsets";
    private static final ListStateDescriptor<long[]> DESCRIPTOR = new ListStateDescriptor<>(STATE_NAME,
            new SplitOffsetSerializer());

    private final ReplayableSource<?> source;
    private final ListState<long[]> state;
    private final List<long[]> splits = new ArrayList<>();
    private int next;

    SourceReader(ReplayableSource<?> source, OperatorStateBackend backend, boolean restored, int subtask,
            int parallelism, String operatorId) {
        this.source = source;
        this.state = backend.getListState(DESCRIPTOR);
        int total = source.splits();
        if (total < 1) {
            throw new IllegalArgumentException("source " + operatorId + " declares " + total + " splits");
        }
        if (restored) {
            for (long[] s : state.get()) {
                if (s[0] < 0 || s[0] >= total || s[1] < 0) {
                    throw new IllegalStateException("source " + operatorId + " restored split " + s[0] + " at offset "
                            + s[1] + " but has " + total + " splits");
                }
                splits.add(s.clone());
            }
        } else {
            for (int s = subtask; s < total; s += parallelism) {
                splits.add(new long[] {s, 0});
            }
        }
    }

    /** The next record, or {@code null} once every owned split has ended. */
    Object next() {
        while (!splits.isEmpty()) {
            if (next >= splits.size()) {
                next = 0;
            }
            long[] split = splits.get(next);
            Object record = source.read((int) split[0], split[1]);
            if (record == null) {
                splits.remove(next);
                continue;
            }
            split[1]++;
            next++;
            return record;
        }
        return null;
    }

    /** Writes the offsets into operator state (part of the synchronous phase of a snapshot). */
    void snapshot() {
        List<long[]> copy = new ArrayList<>(splits.size());
        for (long[] s : splits) {
            copy.add(s.clone());
        }
        state.update(copy);
    }

    /** (split, next offset) as two longs. */
    static final class SplitOffsetSerializer implements TypeSerializer<long[]> {
        private static final SerializerSnapshot SNAPSHOT = SerializerSnapshot.of("cairn.runtime.split-offset", 1);

        @Override
        public void serialize(long[] value, DataOutput out) throws IOException {
            out.writeLong(value[0]);
            out.writeLong(value[1]);
        }

        @Override
        public long[] deserialize(DataInput in) throws IOException {
            return new long[] {in.readLong(), in.readLong()};
        }

        @Override
        public long[] copy(long[] value) {
            return value.clone();
        }

        @Override
        public SerializerSnapshot snapshot() {
            return SNAPSHOT;
        }
    }
}
