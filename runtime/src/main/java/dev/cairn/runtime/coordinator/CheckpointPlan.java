package dev.cairn.runtime.coordinator;

import java.util.HashSet;
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

    /**
     * Checks that the plan is consistent: every subtask it waits for, triggers or lists as finished belongs to
     * its operators, each subtask is either awaited or finished, and only awaited subtasks are triggered.
     *
     * @throws IllegalStateException naming the first inconsistency
     */
    public void checkConsistent() {
        Set<SubtaskId> all = new HashSet<>();
        for (Map.Entry<String, OperatorInfo> e : operators().entrySet()) {
            for (int i = 0; i < e.getValue().parallelism(); i++) {
                all.add(new SubtaskId(e.getKey(), i));
            }
        }
        for (SubtaskId s : tasksToWaitFor()) {
            if (!all.contains(s)) {
                throw new IllegalStateException("the plan waits for " + s + ", which is no subtask of its operators");
            }
            if (finishedTasks().contains(s)) {
                throw new IllegalStateException("the plan lists " + s + " as running and as finished");
            }
        }
        for (SubtaskId s : tasksToTrigger()) {
            if (!tasksToWaitFor().contains(s)) {
                throw new IllegalStateException("the plan triggers " + s + " but does not wait for it");
            }
        }
        for (SubtaskId s : all) {
            if (!tasksToWaitFor().contains(s) && !finishedTasks().contains(s)) {
                throw new IllegalStateException("the plan neither waits for " + s + " nor lists it as finished");
            }
        }
        for (SubtaskId s : finishedTasks()) {
            if (!all.contains(s)) {
                throw new IllegalStateException("the plan lists " + s + " as finished, which is no subtask of its"
                        + " operators");
            }
        }
    }

    /** An operator's parallelism, max parallelism and whether it uses union list state. */
    public record OperatorInfo(int parallelism, int maxParallelism, boolean usesUnionState) {
    }
}
