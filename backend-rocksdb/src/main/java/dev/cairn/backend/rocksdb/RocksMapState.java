package dev.cairn.backend.rocksdb;

import dev.cairn.serialization.TypeSerializer;
import dev.cairn.state.MapState;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.function.Function;
import org.rocksdb.ColumnFamilyHandle;

/**
 * Keyed {@link MapState} on RocksDB: one entry per map key under the prefix {@code kg|keyLength|key}.
 * Iterators read the map in batches, each through a short-lived RocksDB iterator, so no native
 * iterator outlives a call; {@code remove()} deletes the entry last returned.
 */
final class RocksMapState<K, UK, UV> extends RocksState<K, Map<UK, UV>> implements MapState<UK, UV> {
    private static final int BATCH = 128;

    private final TypeSerializer<UK> userKeySerializer;
    private final TypeSerializer<UV> userValueSerializer;

    RocksMapState(RocksDbKeyedStateBackend<K> backend, ColumnFamilyHandle family,
            TypeSerializer<Map<UK, UV>> serializer, TypeSerializer<UK> userKeySerializer,
            TypeSerializer<UV> userValueSerializer) {
        super(backend, family, serializer);
        this.userKeySerializer = userKeySerializer;
        this.userValueSerializer = userValueSerializer;
    }

    private byte[] entryKey(UK userKey) {
        Objects.requireNonNull(userKey, "map state keys must not be null");
        return backend.buffer().serializeAfter(backend.currentMapPrefix(), userKeySerializer, userKey);
    }

    private UV value(byte[] stored) {
        return stored[0] != 0 ? null : Keys.deserialize(userValueSerializer, stored, 1, stored.length - 1);
    }

    @Override
    public UV get(UK key) {
        byte[] stored = backend.get(family, entryKey(key));
        return stored == null ? null : value(stored);
    }

    @Override
    public void put(UK key, UV value) {
        byte[] k = entryKey(key);
        backend.put(family, k, backend.buffer().nullable(userValueSerializer, value));
    }

    @Override
    public void putAll(Map<UK, UV> map) {
        Objects.requireNonNull(map, "map");
        List<byte[][]> entries = new ArrayList<>(map.size());
        for (Map.Entry<UK, UV> e : map.entrySet()) {
            entries.add(new byte[][] {entryKey(e.getKey()),
                backend.buffer().nullable(userValueSerializer, e.getValue())});
        }
        backend.putAll(family, entries);
    }

    @Override
    public void remove(UK key) {
        backend.delete(family, entryKey(key));
    }

    @Override
    public boolean contains(UK key) {
        return backend.get(family, entryKey(key)) != null;
    }

    @Override
    public Iterable<Map.Entry<UK, UV>> entries() {
        return this::iterator;
    }

    @Override
    public Iterable<UK> keys() {
        return () -> new BatchIterator<>(e -> e.getKey());
    }

    @Override
    public Iterable<UV> values() {
        return () -> new BatchIterator<>(e -> e.getValue());
    }

    @Override
    public Iterator<Map.Entry<UK, UV>> iterator() {
        return new BatchIterator<>(e -> e);
    }

    @Override
    public boolean isEmpty() {
        return backend.scan(family, backend.currentMapPrefix(), null, 1).isEmpty();
    }

    @Override
    public void clear() {
        byte[] prefix = backend.currentMapPrefix();
        List<byte[][]> batch;
        byte[] after = null;
        do {
            batch = backend.scan(family, prefix, after, 1024);
            if (!batch.isEmpty()) {
                backend.deleteAll(family, batch);
                after = batch.get(batch.size() - 1)[0];
            }
        } while (batch.size() == 1024);
    }

    /** Walks the current key's map {@link #BATCH} entries at a time, from the key after the last one read. */
    private final class BatchIterator<T> implements Iterator<T> {
        private final byte[] prefix;
        private final Function<Map.Entry<UK, UV>, T> view;
        private List<byte[][]> batch = List.of();
        private int next;
        private boolean exhausted;
        private byte[] lastKey;
        private byte[] returnedKey;

        BatchIterator(Function<Map.Entry<UK, UV>, T> view) {
            this.prefix = backend.currentMapPrefix();
            this.view = view;
        }

        @Override
        public boolean hasNext() {
            if (next < batch.size()) {
                return true;
            }
            if (exhausted) {
                return false;
            }
            batch = backend.scan(family, prefix, lastKey, BATCH);
            next = 0;
            exhausted = batch.size() < BATCH;
            if (!batch.isEmpty()) {
                lastKey = batch.get(batch.size() - 1)[0];
            }
            return !batch.isEmpty();
        }

        @Override
        public T next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            byte[][] entry = batch.get(next++);
            returnedKey = entry[0];
            UK userKey = Keys.deserialize(userKeySerializer, entry[0], prefix.length, entry[0].length - prefix.length);
            return view.apply(new AbstractMap.SimpleImmutableEntry<>(userKey, value(entry[1])));
        }

        @Override
        public void remove() {
            if (returnedKey == null) {
                throw new IllegalStateException("next() was not called, or remove() was already called");
            }
            backend.ensureOpen();
            backend.delete(family, returnedKey);
            returnedKey = null;
        }

        @Override
        public String toString() {
            return "map iterator at " + Arrays.toString(lastKey);
        }
    }
}
