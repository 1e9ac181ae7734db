package dev.cairn.cli;

import dev.cairn.runtime.dataflow.api.OperatorContext;
import dev.cairn.runtime.dataflow.api.Output;
import dev.cairn.runtime.dataflow.api.StreamOperator;
import dev.cairn.serialization.Serializers;
import dev.cairn.state.ValueState;
import dev.cairn.state.ValueStateDescriptor;

/** Counts events per key in keyed state and emits {@code key,count} for every event. */
final class CountPerKey implements StreamOperator<Long, String> {
    private ValueState<Long> count;

    @Override
    public void open(OperatorContext context) {
        count = context.<Long>keyedState().getState(new ValueStateDescriptor<>("count", Serializers.LONG));
    }

    @Override
    public void processElement(Long key, Output<String> out) {
        Long current = count.value();
        long next = current == null ? 1 : current + 1;
        count.update(next);
        out.collect(key + "," + next);
    }

    @Override
    public void snapshotState(long checkpointId) {
        KillPoint.SYNC.reach();
    }
}
