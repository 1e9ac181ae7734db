package dev.cairn.state;

/** A single value per key, combined with each added value by a {@link ReduceFunction}. */
public interface ReducingState<T> extends AppendingState<T, T> {
}
