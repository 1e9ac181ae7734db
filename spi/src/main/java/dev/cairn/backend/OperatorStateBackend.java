package dev.cairn.backend;

import dev.cairn.checkpoint.OperatorStateHandle;
import dev.cairn.state.BroadcastState;
import dev.cairn.state.ListState;
import dev.cairn.state.ListStateDescriptor;
import dev.cairn.state.MapStateDescriptor;
import java.util.Set;

/** Operator (non-keyed) state of one subtask: split or union list state and broadcast state. */
public interface OperatorStateBackend extends Snapshottable<OperatorStateHandle>, AutoCloseable {

    /** List state whose elements are split among subtasks on restore. */
    <T> ListState<T> getListState(ListStateDescriptor<T> descriptor);

    /** List state of which every subtask receives all elements on restore. */
    <T> ListState<T> getUnionListState(ListStateDescriptor<T> descriptor);

    /** A map that is the same on every subtask. */
    <K, V> BroadcastState<K, V> getBroadcastState(MapStateDescriptor<K, V> descriptor);

    /** Names of the states registered or restored. */
    Set<String> stateNames();

    @Override
    void close();
}
