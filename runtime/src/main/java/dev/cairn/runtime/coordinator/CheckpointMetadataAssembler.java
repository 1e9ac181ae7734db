package dev.cairn.runtime.coordinator;

import dev.cairn.checkpoint.CheckpointMetadata;
import dev.cairn.checkpoint.OperatorSnapshot;
import dev.cairn.checkpoint.OperatorStateHandle;
import dev.cairn.checkpoint.SubtaskSnapshot;
import dev.cairn.state.RedistributionMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Builds a completed checkpoint's metadata from its plan and acknowledgements: every operator with every
 * subtask, a subtask that did not acknowledge (finished) recorded as finished and empty. Union list state
 * is refused while an operator's subtasks have only partly finished, as in Flink.
 */
final class CheckpointMetadataAssembler {
    private CheckpointMetadataAssembler() {
    }

    static CheckpointMetadata assemble(long checkpointId, long triggerTimestamp, CheckpointPlan plan,
            Map<SubtaskId, SubtaskSnapshot> acks) {
        List<OperatorSnapshot> operators = new ArrayList<>();
        for (String operatorId : new TreeSet<>(plan.operators().keySet())) {
            CheckpointPlan.OperatorInfo info = plan.operators().get(operatorId);
            List<SubtaskSnapshot> subtasks = new ArrayList<>(info.parallelism());
            boolean union = info.usesUnionState();
            int finished = 0;
            for (int i = 0; i < info.parallelism(); i++) {
                SubtaskSnapshot s = acks.get(new SubtaskId(operatorId, i));
                if (s == null) {
                    s = new SubtaskSnapshot(i, List.of(), List.of(), true);
                }
                if (s.finished()) {
                    finished++;
                }
                union |= holdsUnionState(s);
                subtasks.add(s);
            }
            if (union && finished > 0 && finished < info.parallelism()) {
                throw new PartiallyFinishedUnionStateException("operator '" + operatorId + "' uses union list state"
                        + " and " + finished + " of its " + info.parallelism() + " subtasks have finished; union state"
                        + " is only checkpointed when none or all of them have");
            }
            operators.add(new OperatorSnapshot(operatorId, info.parallelism(), info.maxParallelism(), subtasks));
        }
        return new CheckpointMetadata(checkpointId, triggerTimestamp, operators);
    }

    private static boolean holdsUnionState(SubtaskSnapshot s) {
        for (OperatorStateHandle h : s.operatorState()) {
            for (OperatorStateHandle.StateMetaInfo info : h.states().values()) {
                if (info.mode() == RedistributionMode.UNION) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Union list state in an operator whose subtasks only partly finished. */
    static final class PartiallyFinishedUnionStateException extends RuntimeException {
        PartiallyFinishedUnionStateException(String message) {
            super(message);
        }
    }
}
