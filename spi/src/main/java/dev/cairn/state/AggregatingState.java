package dev.cairn.state;

/** An accumulator per key, fed by an {@link AggregateFunction}; {@link #get()} returns its result. */
public interface AggregatingState<IN, OUT> extends AppendingState<IN, OUT> {
}
