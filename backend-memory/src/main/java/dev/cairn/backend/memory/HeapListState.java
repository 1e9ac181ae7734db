package dev.cairn.backend.memory;

import dev.cairn.state.ListState;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/** Keyed {@link ListState} over a {@link StateTable}; an empty list is never stored. */
final class HeapListState<K, E> extends HeapState<K, List<E>> implements ListState<E> {
    HeapListState(HeapKeyedStateBackend<K> backend, StateTable<K, List<E>> table) {
        super(backend, table);
    }

    @Override
    public Iterable<E> get() {
        List<E> list = stored();
        return list == null ? List.of() : Collections.unmodifiableList(list);
    }

    @Override
    public void add(E value) {
        Objects.requireNonNull(value, "list state elements must not be null");
        K key = backend.currentKey();
        writable().computeIfAbsent(key, k -> new ArrayList<>()).add(value);
    }

    @Override
    public void update(List<E> values) {
        checkElements(values);
        if (values.isEmpty()) {
            clear();
            return;
        }
        K key = backend.currentKey();
        writable().put(key, new ArrayList<>(values));
    }

    @Override
    public void addAll(List<E> values) {
        checkElements(values);
        if (values.isEmpty()) {
            return;
        }
        K key = backend.currentKey();
        writable().computeIfAbsent(key, k -> new ArrayList<>()).addAll(values);
    }


    static <E> void checkElements(List<E> values) {
        Objects.requireNonNull(values, "the list must not be null");
        for (E e : values) {
            Objects.requireNonNull(e, "list state elements must not be null");
        }
    }
}
