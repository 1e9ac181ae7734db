package dev.cairn.state;

import java.util.Map;

/**
 * Operator state that holds the same map on every subtask. On restore every new subtask
 * receives the map of one old subtask, so all copies stay equal at any parallelism.
 */
public interface BroadcastState<K, V> extends State {
    V get(K key);

    boolean contains(K key);

    void put(K key, V value);

    void putAll(Map<K, V> map);

    void remove(K key);

    Iterable<Map.Entry<K, V>> entries();
}
