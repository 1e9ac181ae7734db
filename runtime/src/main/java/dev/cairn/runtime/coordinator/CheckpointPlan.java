package dev.cairn.runtime.coordinator;

import java.util.Map;
import java.util.Set;

/**
 * Which subtasks take part in a checkpoint triggered now: those that receive the trigger
 * (running subtasks with no running upstream, normally the sources), those whose
 * acknowledgement the checkpoint waits for (every running subtask), and those already
 * finished (recorded as finished, without state). {@code operators} gives each operator's
 * parallelism and max parallelism, keyed by operator id.
 */
public record CheckpointPlan(Set<SubtaskId> tasksToTrigger, Set<SubtaskId> tasksToWaitFor,
        Set<SubtaskId> finishedTasks, Map<String, OperatorInfo> operators) {
    public CheckpointPlan {
        tasksToTrigger = Set.copyOf(tasksToTrigger);
        tasksToWaitFor = Set.copyOf(tasksToWaitFor);
        finishedTasks = Set.copyOf(finishedTasks);
        operators = Map.copyOf(operators);
    }

    /** An operator's parallelism, max parallelism and whether it uses union list state. */
    public record OperatorInfo(int parallelism, int maxParallelism, boolean usesUnionState) {
    }
}
