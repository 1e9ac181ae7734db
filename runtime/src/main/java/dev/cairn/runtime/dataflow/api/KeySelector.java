package dev.cairn.runtime.dataflow.api;

/** Extracts the key by which a stream is partitioned; must be deterministic and never return {@code null}. */
@FunctionalInterface
public interface KeySelector<T, K> {
    K key(T record);
}
