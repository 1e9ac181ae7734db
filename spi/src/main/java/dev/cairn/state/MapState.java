package dev.cairn.state;

import java.util.Iterator;
import java.util.Map;

/**
 * A map per key. Map keys are never null; values may be {@code null}, so use
 * {@link #contains(Object)} to tell an absent key from a null value. Iterators reflect the
 * map at the time they are used and support {@code remove()}.
 */
public interface MapState<K, V> extends State {
    V get(K key);

    void put(K key, V value);

    void putAll(Map<K, V> map);

    void remove(K key);

    boolean contains(K key);

    Iterable<Map.Entry<K, V>> entries();

    Iterable<K> keys();

    Iterable<V> values();

    Iterator<Map.Entry<K, V>> iterator();

    boolean isEmpty();
}
