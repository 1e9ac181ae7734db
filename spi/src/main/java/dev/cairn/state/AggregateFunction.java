package dev.cairn.state;

/** Folds inputs into an accumulator and derives a result from it. */
public interface AggregateFunction<IN, ACC, OUT> {
    ACC createAccumulator();

    ACC add(IN value, ACC accumulator);

    OUT getResult(ACC accumulator);
}
