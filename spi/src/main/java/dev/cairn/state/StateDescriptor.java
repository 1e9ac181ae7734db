package dev.cairn.state;

import dev.cairn.serialization.TypeSerializer;
import java.util.Objects;

/**
 * Names a state and says how its values are serialized. Two descriptors with the same name
 * must agree on type and serializer within one backend.
 *
 * @param <S> the state interface this descriptor creates
 * @param <T> the type stored per key (the value, the list, the map or the accumulator)
 */
public abstract sealed class StateDescriptor<S extends State, T>
        permits ValueStateDescriptor, ListStateDescriptor, MapStateDescriptor,
        ReducingStateDescriptor, AggregatingStateDescriptor {
    /** Longest state name accepted, in characters. */
    public static final int MAX_NAME_LENGTH = 1024;

    private final String name;

    protected StateDescriptor(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("state name must have 1.." + MAX_NAME_LENGTH + " characters");
        }
        this.name = name;
    }

    public final String name() {
        return name;
    }

    public abstract StateType type();

    /**
     * The serializer of the whole per-key value: the value itself, {@code List<E>} for
     * list state, {@code Map<UK,UV>} for map state, the accumulator for aggregating state.
     * Snapshots in the canonical format store each key's value with it.
     */
    public abstract TypeSerializer<T> stateSerializer();

    @Override
    public String toString() {
        return type() + " state '" + name + "' (" + stateSerializer().snapshot() + ")";
    }
}
