package dev.cairn.state;

import dev.cairn.serialization.TypeSerializer;
import java.util.Objects;

/** Describes a {@link ReducingState}. */
public final class ReducingStateDescriptor<T> extends StateDescriptor<ReducingState<T>, T> {
    private final ReduceFunction<T> reduceFunction;
    private final TypeSerializer<T> serializer;

    public ReducingStateDescriptor(String name, ReduceFunction<T> reduceFunction, TypeSerializer<T> serializer) {
        super(name);
        this.reduceFunction = Objects.requireNonNull(reduceFunction, "reduceFunction");
        this.serializer = Objects.requireNonNull(serializer, "serializer");
    }

    public ReduceFunction<T> reduceFunction() {
        return reduceFunction;
    }

    @Override
    public StateType type() {
        return StateType.REDUCING;
    }

    @Override
    public TypeSerializer<T> stateSerializer() {
        return serializer;
    }
}
