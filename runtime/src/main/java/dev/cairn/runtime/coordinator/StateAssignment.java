package dev.cairn.runtime.coordinator;

import dev.cairn.backend.OperatorStateRepartitioner;
import dev.cairn.checkpoint.CheckpointMetadata;
import dev.cairn.checkpoint.KeyedStateHandle;
import dev.cairn.checkpoint.OperatorSnapshot;
import dev.cairn.checkpoint.OperatorStateHandle;
import dev.cairn.checkpoint.SubtaskSnapshot;
import dev.cairn.error.IncompatibleStateException;
import dev.cairn.keygroup.KeyGroupRange;
import dev.cairn.keygroup.KeyGroups;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Decides which state each subtask of an operator restores from a checkpoint, at the same or at
 * another parallelism. Keyed state moves in whole key groups: a new subtask gets every keyed
 * handle whose key-group range meets its own (handles are passed unchanged; the backend reads
 * only its key groups). Operator state is divided by
 * {@link OperatorStateRepartitioner} (split, union, broadcast).
 */
public final class StateAssignment {
    private StateAssignment() {
    }

    /**
     * The restore state of each of the {@code newParallelism} subtasks of {@code operatorId}, in
     * subtask order. An operator absent from the checkpoint gets empty state.
     *
     * @throws IncompatibleStateException if the operator was checkpointed with another max parallelism
     * @throws IllegalArgumentException   if {@code newParallelism} is outside {@code [1, maxParallelism]}
     */
    public static List<SubtaskRestoreState> assign(CheckpointMetadata metadata, String operatorId, int newParallelism,
            int maxParallelism) {
        Objects.requireNonNull(metadata, "metadata");
        Objects.requireNonNull(operatorId, "operatorId");
        KeyGroups.checkParallelism(maxParallelism, newParallelism);
        Optional<OperatorSnapshot> found = find(metadata, operatorId);
        List<KeyGroupRange> ranges = new ArrayList<>(newParallelism);
        for (int i = 0; i < newParallelism; i++) {
            ranges.add(KeyGroups.rangeForSubtask(maxParallelism, newParallelism, i));
        }
        List<SubtaskRestoreState> result = new ArrayList<>(newParallelism);
        if (found.isEmpty()) {
            for (KeyGroupRange range : ranges) {
                result.add(new SubtaskRestoreState(range, List.of(), List.of()));
            }
            return List.copyOf(result);
        }
        OperatorSnapshot op = found.get();
        if (op.maxParallelism() != maxParallelism) {
            throw new IncompatibleStateException("operator '" + operatorId + "' was checkpointed in checkpoint "
                    + metadata.checkpointId() + " with max parallelism " + op.maxParallelism()
                    + " but is now configured with max parallelism " + maxParallelism
                    + "; key groups cannot be remapped, so the max parallelism of a stateful operator must not change");
        }
        List<KeyedStateHandle> keyed = new ArrayList<>();
        List<OperatorStateHandle> operatorHandles = new ArrayList<>();
        for (SubtaskSnapshot subtask : op.subtasks()) {
            keyed.addAll(subtask.keyedState());
            operatorHandles.addAll(subtask.operatorState());
        }
        List<List<OperatorStateHandle>> operatorShares = operatorHandles.isEmpty() ? null
                : OperatorStateRepartitioner.repartition(operatorHandles, newParallelism);
        for (int i = 0; i < newParallelism; i++) {
            KeyGroupRange range = ranges.get(i);
            List<KeyedStateHandle> mine = new ArrayList<>();
            for (KeyedStateHandle h : keyed) {
                if (!h.keyGroupRange().intersection(range).isEmpty()) {
                    mine.add(h);
                }
            }
            result.add(new SubtaskRestoreState(range, mine, operatorShares == null ? List.of() : operatorShares.get(i)));
        }
        return List.copyOf(result);
    }

    /**
     * Whether every subtask of {@code operatorId} had finished when the checkpoint was taken, so
     * that its tasks can be started as finished; false if the operator is absent.
     */
    public static boolean isFullyFinished(CheckpointMetadata metadata, String operatorId) {
        return find(metadata, operatorId)
                .map(op -> !op.subtasks().isEmpty() && op.subtasks().stream().allMatch(SubtaskSnapshot::finished))
                .orElse(false);
    }

    private static Optional<OperatorSnapshot> find(CheckpointMetadata metadata, String operatorId) {
        return metadata.operators().stream().filter(op -> op.operatorId().equals(operatorId)).findFirst();
    }
}
