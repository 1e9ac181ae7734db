package dev.cairn.backend.memory;

import dev.cairn.state.MapState;
import java.util.AbstractMap;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Keyed {@link MapState} over a {@link StateTable}; an empty map is never stored. Iterators walk
 * the map current when they were created and remove through the copy-on-write path, so removing
 * while a snapshot pins the map changes the live copy and never the pinned one.
 */
final class HeapMapState<K, UK, UV> extends HeapState<K, Map<UK, UV>> implements MapState<UK, UV> {
    HeapMapState(HeapKeyedStateBackend<K> backend, StateTable<K, Map<UK, UV>> table) {
        super(backend, table);
    }

    private Map<UK, UV> current() {
        return stored();
    }

    private Map<UK, UV> writableCurrent() {
        K key = backend.currentKey();
        return writable().computeIfAbsent(key, k -> new HashMap<>());
    }

    @Override
    public UV get(UK key) {
        Objects.requireNonNull(key, "map state keys must not be null");
        Map<UK, UV> m = current();
        return m == null ? null : m.get(key);
    }

    @Override
    public void put(UK key, UV value) {
        Objects.requireNonNull(key, "map state keys must not be null");
        writableCurrent().put(key, value);
    }

    @Override
    public void putAll(Map<UK, UV> map) {
        Objects.requireNonNull(map, "map");
        for (UK k : map.keySet()) {
            Objects.requireNonNull(k, "map state keys must not be null");
        }
        if (!map.isEmpty()) {
            writableCurrent().putAll(map);
        }
    }

    @Override
    public void remove(UK key) {
        Objects.requireNonNull(key, "map state keys must not be null");
        Map<UK, UV> m = current();
        if (m != null && m.containsKey(key)) {
            removeFromLive(backend.currentKey(), backend.currentIndex(), key, null, null);
        }
    }

    @Override
    public boolean contains(UK key) {
        Objects.requireNonNull(key, "map state keys must not be null");
        Map<UK, UV> m = current();
        return m != null && m.containsKey(key);
    }

    @Override
    public Iterable<Map.Entry<UK, UV>> entries() {
        return this::iterator;
    }

    @Override
    public Iterable<UK> keys() {
        return () -> new CowIterator<>(Map.Entry::getKey);
    }

    @Override
    public Iterable<UV> values() {
        return () -> new CowIterator<>(Map.Entry::getValue);
    }

    @Override
    public Iterator<Map.Entry<UK, UV>> iterator() {
        return new CowIterator<>(e -> new AbstractMap.SimpleImmutableEntry<>(e.getKey(), e.getValue()));
    }

    @Override
    public boolean isEmpty() {
        Map<UK, UV> m = current();
        return m == null || m.isEmpty();
    }


    /**
     * Removes {@code userKey} from the live map of {@code key}. If the live map is still
     * {@code source}, the iterator over it removes (avoiding a concurrent-modification failure);
     * otherwise the live map is a copy and the key is removed from it directly.
     */
    private void removeFromLive(K key, int index, UK userKey, Map<UK, UV> source, Iterator<?> sourceIterator) {
        Map<K, Map<UK, UV>> keyGroup = table.writable(index);
        Map<UK, UV> live = keyGroup.get(key);
        if (live == null) {
            return;
        }
        if (live == source) {
            sourceIterator.remove();
        } else {
            live.remove(userKey);
        }
        if (live.isEmpty()) {
            keyGroup.remove(key);
        }
    }

    private final class CowIterator<T> implements Iterator<T> {
        private final K key;
        private final int index;
        private final Map<UK, UV> source;
        private final Iterator<Map.Entry<UK, UV>> it;
        private final Function<Map.Entry<UK, UV>, T> view;
        private Map.Entry<UK, UV> last;

        CowIterator(Function<Map.Entry<UK, UV>, T> view) {
            this.key = backend.currentKey();
            this.index = backend.currentIndex();
            Map<UK, UV> m = table.readable(index).get(key);
            this.source = m == null ? Collections.emptyMap() : m;
            this.it = source.entrySet().iterator();
            this.view = view;
        }

        @Override
        public boolean hasNext() {
            return it.hasNext();
        }

        @Override
        public T next() {
            last = it.next();
            return view.apply(last);
        }

        @Override
        public void remove() {
            if (last == null) {
                throw new IllegalStateException("next() was not called, or remove() was already called");
            }
            backend.ensureOpen();
            removeFromLive(key, index, last.getKey(), source, it);
            last = null;
        }
    }
}
