package dev.cairn.checkpoint;

import dev.cairn.keygroup.KeyGroupRange;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A full keyed snapshot in one stream, with the offset where each key group's data starts,
 * so that a restore reads only the key groups it owns.
 */
public final class KeyGroupsStateHandle implements KeyedStateHandle {
    private final KeyGroupRange keyGroupRange;
    private final long[] offsets;
    private final StreamStateHandle delegate;

    /**
     * @param offsets {@code offsets[i]} is where key group {@code keyGroupRange.start() + i} starts
     */
    public KeyGroupsStateHandle(KeyGroupRange keyGroupRange, long[] offsets, StreamStateHandle delegate) {
        this.keyGroupRange = Objects.requireNonNull(keyGroupRange, "keyGroupRange");
        this.offsets = Objects.requireNonNull(offsets, "offsets").clone();
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        if (offsets.length != keyGroupRange.size()) {
            throw new IllegalArgumentException(
                    offsets.length + " offsets for " + keyGroupRange.size() + " key groups");
        }
    }

    @Override
    public KeyGroupRange keyGroupRange() {
        return keyGroupRange;
    }

    /** Where the data of {@code keyGroup} starts in the stream. */
    public long offsetOf(int keyGroup) {
        if (!keyGroupRange.contains(keyGroup)) {
            throw new IllegalArgumentException("key group " + keyGroup + " not in " + keyGroupRange);
        }
        return offsets[keyGroup - keyGroupRange.start()];
    }

    public long[] offsets() {
        return offsets.clone();
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
        return o instanceof KeyGroupsStateHandle other && keyGroupRange.equals(other.keyGroupRange)
                && Arrays.equals(offsets, other.offsets) && delegate.equals(other.delegate);
    }

    @Override
    public int hashCode() {
        return Objects.hash(keyGroupRange, Arrays.hashCode(offsets), delegate);
    }

    @Override
    public String toString() {
        return "KeyGroupsStateHandle[" + keyGroupRange + ", " + delegate + "]";
    }
}
