package dev.cairn.state;

import dev.cairn.serialization.Serializers;
import dev.cairn.serialization.TypeSerializer;
import java.util.List;
import java.util.Objects;

/** Describes a {@link ListState}, keyed or operator. */
public final class ListStateDescriptor<T> extends StateDescriptor<ListState<T>, List<T>> {
    private final TypeSerializer<T> elementSerializer;
    private final TypeSerializer<List<T>> listSerializer;

    public ListStateDescriptor(String name, TypeSerializer<T> elementSerializer) {
        super(name);
        this.elementSerializer = Objects.requireNonNull(elementSerializer, "elementSerializer");
        this.listSerializer = Serializers.listOf(elementSerializer);
    }

    public TypeSerializer<T> elementSerializer() {
        return elementSerializer;
    }

    @Override
    public StateType type() {
        return StateType.LIST;
    }

    @Override
    public TypeSerializer<List<T>> stateSerializer() {
        return listSerializer;
    }
}
