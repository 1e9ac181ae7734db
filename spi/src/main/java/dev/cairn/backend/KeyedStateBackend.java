package dev.cairn.backend;

import dev.cairn.checkpoint.KeyedStateHandle;
import dev.cairn.keygroup.KeyGroupRange;
import dev.cairn.state.State;
import dev.cairn.state.StateDescriptor;
import java.util.stream.Stream;

/**
 * Keyed state of one subtask. Not thread-safe: one task thread uses it; only the asynchronous
 * phase of a snapshot runs elsewhere. States returned by {@link #getState} act on the current key.
 */
public interface KeyedStateBackend<K> extends Snapshottable<KeyedStateHandle>, AutoCloseable {

    /** Sets the key that state access applies to; it must belong to {@link #keyGroupRange()}. */
    void setCurrentKey(K key);

    K getCurrentKey();

    /**
     * The state described by {@code descriptor}, created on first use or restored. Fails with
     * {@link dev.cairn.error.IncompatibleStateException} if restored state of that name has
     * another type or a serializer that cannot read it.
     */
    <S extends State> S getState(StateDescriptor<S, ?> descriptor);

    /** The keys that have a value in the named state, in no particular order. */
    Stream<K> keys(String stateName);

    KeyGroupRange keyGroupRange();

    int maxParallelism();

    /** Releases all resources; a backend is unusable afterwards. Idempotent. */
    @Override
    void close();
}
