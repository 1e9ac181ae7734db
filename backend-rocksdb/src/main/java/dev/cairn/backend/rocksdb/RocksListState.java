package dev.cairn.backend.rocksdb;

import dev.cairn.serialization.TypeSerializer;
import dev.cairn.state.ListState;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import org.rocksdb.ColumnFamilyHandle;

/**
 * Keyed {@link ListState} on RocksDB: one entry per key holding length-prefixed elements; adds are
 * RocksDB merges (string append without delimiter), so adding never reads the list.
 */
final class RocksListState<K, E> extends RocksState<K, List<E>> implements ListState<E> {
    private final TypeSerializer<E> elementSerializer;

    RocksListState(RocksDbKeyedStateBackend<K> backend, ColumnFamilyHandle family, TypeSerializer<List<E>> serializer,
            TypeSerializer<E> elementSerializer) {
        super(backend, family, serializer);
        this.elementSerializer = elementSerializer;
    }

    @Override
    public Iterable<E> get() {
        byte[] bytes = backend.get(family, backend.currentValueKey());
        if (bytes == null) {
            return List.of();
        }
        List<E> elements = new ArrayList<>();
        int pos = 0;
        while (pos < bytes.length) {
            int len = Keys.readInt(bytes, pos);
            elements.add(Keys.deserialize(elementSerializer, bytes, pos + 4, len));
            pos += 4 + len;
        }
        return Collections.unmodifiableList(elements);
    }

    @Override
    public void add(E value) {
        Objects.requireNonNull(value, "list state elements must not be null");
        backend.merge(family, backend.currentValueKey(), backend.buffer().lengthPrefixed(elementSerializer,
                List.of(value)));
    }

    @Override
    public void update(List<E> values) {
        checkElements(values);
        if (values.isEmpty()) {
            clear();
            return;
        }
        backend.put(family, backend.currentValueKey(), backend.buffer().lengthPrefixed(elementSerializer, values));
    }

    @Override
    public void addAll(List<E> values) {
        checkElements(values);
        if (values.isEmpty()) {
            return;
        }
        backend.merge(family, backend.currentValueKey(), backend.buffer().lengthPrefixed(elementSerializer, values));
    }

    private static <E> void checkElements(List<E> values) {
        Objects.requireNonNull(values, "the list must not be null");
        for (E e : values) {
            Objects.requireNonNull(e, "list state elements must not be null");
        }
    }
}
