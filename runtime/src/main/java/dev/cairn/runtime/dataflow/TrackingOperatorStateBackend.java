package dev.cairn.runtime.dataflow;

import dev.cairn.backend.OperatorStateBackend;
import dev.cairn.backend.SnapshotType;
import dev.cairn.checkpoint.CheckpointStreamFactory;
import dev.cairn.checkpoint.OperatorStateHandle;
import dev.cairn.state.BroadcastState;
import dev.cairn.state.ListState;
import dev.cairn.state.ListStateDescriptor;
import dev.cairn.state.MapStateDescriptor;
import java.util.Set;
import java.util.concurrent.RunnableFuture;

/**
 * The operator backend handed to user code: it delegates everything and remembers whether the operator
 * registered union list state, which the coordinator needs to refuse partially finished checkpoints of it.
 */
final class TrackingOperatorStateBackend implements OperatorStateBackend {
    private final OperatorStateBackend delegate;
    private volatile boolean usesUnionState;

    TrackingOperatorStateBackend(OperatorStateBackend delegate) {
        this.delegate = delegate;
    }

    boolean usesUnionState() {
        return usesUnionState;
    }

    OperatorStateBackend delegate() {
        return delegate;
    }

    @Override
    public <T> ListState<T> getListState(ListStateDescriptor<T> descriptor) {
        return delegate.getListState(descriptor);
    }

    @Override
    public <T> ListState<T> getUnionListState(ListStateDescriptor<T> descriptor) {
        usesUnionState = true;
        return delegate.getUnionListState(descriptor);
    }

    @Override
    public <K, V> BroadcastState<K, V> getBroadcastState(MapStateDescriptor<K, V> descriptor) {
        return delegate.getBroadcastState(descriptor);
    }

    @Override
    public Set<String> stateNames() {
        return delegate.stateNames();
    }

    @Override
    public RunnableFuture<OperatorStateHandle> snapshot(long checkpointId, SnapshotType type,
            CheckpointStreamFactory streams) {
        return delegate.snapshot(checkpointId, type, streams);
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        delegate.notifyCheckpointComplete(checkpointId);
    }

    @Override
    public void notifyCheckpointAborted(long checkpointId) {
        delegate.notifyCheckpointAborted(checkpointId);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
