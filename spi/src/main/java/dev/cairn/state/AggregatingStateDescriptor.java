package dev.cairn.state;

import dev.cairn.serialization.TypeSerializer;
import java.util.Objects;

/** Describes an {@link AggregatingState}; the accumulator is what is stored. */
public final class AggregatingStateDescriptor<IN, ACC, OUT>
        extends StateDescriptor<AggregatingState<IN, OUT>, ACC> {
    private final AggregateFunction<IN, ACC, OUT> aggregateFunction;
    private final TypeSerializer<ACC> accumulatorSerializer;

    public AggregatingStateDescriptor(String name, AggregateFunction<IN, ACC, OUT> aggregateFunction,
            TypeSerializer<ACC> accumulatorSerializer) {
        super(name);
        this.aggregateFunction = Objects.requireNonNull(aggregateFunction, "aggregateFunction");
        this.accumulatorSerializer = Objects.requireNonNull(accumulatorSerializer, "accumulatorSerializer");
    }

    public AggregateFunction<IN, ACC, OUT> aggregateFunction() {
        return aggregateFunction;
    }

    @Override
    public StateType type() {
        return StateType.AGGREGATING;
    }

    @Override
    public TypeSerializer<ACC> stateSerializer() {
        return accumulatorSerializer;
    }
}
