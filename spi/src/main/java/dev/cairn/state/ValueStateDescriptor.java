package dev.cairn.state;

import dev.cairn.serialization.TypeSerializer;
import java.util.Objects;

/** Describes a {@link ValueState}. */
public final class ValueStateDescriptor<T> extends StateDescriptor<ValueState<T>, T> {
    private final TypeSerializer<T> serializer;

    public ValueStateDescriptor(String name, TypeSerializer<T> serializer) {
        super(name);
        this.serializer = Objects.requireNonNull(serializer, "serializer");
    }

    @Override
    public StateType type() {
        return StateType.VALUE;
    }

    @Override
    public TypeSerializer<T> stateSerializer() {
        return serializer;
    }
}
