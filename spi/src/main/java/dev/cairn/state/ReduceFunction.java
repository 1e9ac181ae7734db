package dev.cairn.state;

/** Combines two values into one; must be associative. */
@FunctionalInterface
public interface ReduceFunction<T> {
    T reduce(T accumulated, T value);
}
