package dev.cairn.runtime.dataflow.api;

/** Where an operator emits its records; records go to the downstream operators in emission order. */
@FunctionalInterface
public interface Output<T> {
    void collect(T record);
}
