package dev.cairn.state;

import dev.cairn.serialization.Serializers;
import dev.cairn.serialization.TypeSerializer;
import java.util.Map;
import java.util.Objects;

/** Describes a {@link MapState} (keyed) or a {@link BroadcastState} (operator). */
public final class MapStateDescriptor<K, V> extends StateDescriptor<MapState<K, V>, Map<K, V>> {
    private final TypeSerializer<K> keySerializer;
    private final TypeSerializer<V> valueSerializer;
    private final TypeSerializer<Map<K, V>> mapSerializer;

    public MapStateDescriptor(String name, TypeSerializer<K> keySerializer, TypeSerializer<V> valueSerializer) {
        super(name);
        this.keySerializer = Objects.requireNonNull(keySerializer, "keySerializer");
        this.valueSerializer = Objects.requireNonNull(valueSerializer, "valueSerializer");
        this.mapSerializer = Serializers.mapOf(keySerializer, valueSerializer);
    }

    public TypeSerializer<K> keySerializer() {
        return keySerializer;
    }

    public TypeSerializer<V> valueSerializer() {
        return valueSerializer;
    }

    @Override
    public StateType type() {
        return StateType.MAP;
    }

    @Override
    public TypeSerializer<Map<K, V>> stateSerializer() {
        return mapSerializer;
    }
}
