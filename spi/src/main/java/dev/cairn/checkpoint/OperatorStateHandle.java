package dev.cairn.checkpoint;

import dev.cairn.state.RedistributionMode;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Snapshotted operator state of one subtask in one stream: for each named state, its
 * redistribution mode and the offsets of its elements (list state) or of its map (broadcast),
 * so that a restore can hand elements to other subtasks without rewriting the stream.
 */
public final class OperatorStateHandle implements StateHandle {
    private final Map<String, StateMetaInfo> states;
    private final StreamStateHandle delegate;

    public OperatorStateHandle(Map<String, StateMetaInfo> states, StreamStateHandle delegate) {
        this.states = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(states));
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** The states in this stream, by name, in write order. */
    public Map<String, StateMetaInfo> states() {
        return states;
    }

    public StreamStateHandle delegate() {
        return delegate;
    }

    @Override
    public long stateSize() {
        return delegate.stateSize();
    }

    @Override
    public List<StreamStateHandle> streams() {
        return List.of(delegate);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OperatorStateHandle other && states.equals(other.states) && delegate.equals(other.delegate);
    }

    @Override
    public int hashCode() {
        return Objects.hash(states, delegate);
    }

    @Override
    public String toString() {
        return "OperatorStateHandle[" + states.keySet() + ", " + delegate + "]";
    }

    /** One named state's redistribution mode and element offsets. */
    public static final class StateMetaInfo {
        private final RedistributionMode mode;
        private final long[] offsets;

        public StateMetaInfo(RedistributionMode mode, long[] offsets) {
            this.mode = Objects.requireNonNull(mode, "mode");
            this.offsets = offsets.clone();
        }

        public RedistributionMode mode() {
            return mode;
        }

        public long[] offsets() {
            return offsets.clone();
        }

        public int size() {
            return offsets.length;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof StateMetaInfo other && mode == other.mode && Arrays.equals(offsets, other.offsets);
        }

        @Override
        public int hashCode() {
            return 31 * mode.hashCode() + Arrays.hashCode(offsets);
        }

        @Override
        public String toString() {
            return mode + Arrays.toString(offsets);
        }
    }
}
