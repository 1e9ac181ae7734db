package dev.cairn.runtime.coordinator;

import java.util.HashSet;
import java.util.Set;

/**
 * Counts consecutive failed checkpoints for the tolerable-failure rule: each checkpoint id counts
 * once, failures of checkpoints not newer than the last completed one are ignored, a newer
 * completed checkpoint resets the count, and the count exceeding the tolerable number demands a
 * fail-over (and starts counting afresh). Not thread-safe: the coordinator calls it under its lock.
 */
final class CheckpointFailureCounter {
    private final int tolerable;
    private final Set<Long> counted = new HashSet<>();
    private long lastCompletedId = -1;
    private int count;

    CheckpointFailureCounter(int tolerable) {
        if (tolerable < 0) {
            throw new IllegalArgumentException("negative tolerable failure number " + tolerable);
        }
        this.tolerable = tolerable;
    }

    /** Records a counted failure of checkpoint {@code checkpointId}; true if the job must fail over. */
    boolean checkpointFailed(long checkpointId) {
        if (checkpointId <= lastCompletedId || !counted.add(checkpointId)) {
            return false;
        }
        count++;
        if (count > tolerable) {
            count = 0;
            counted.clear();
            return true;
        }
        return false;
    }

    /** Records that checkpoint {@code checkpointId} completed. */
    void checkpointCompleted(long checkpointId) {
        if (checkpointId > lastCompletedId) {
            lastCompletedId = checkpointId;
            count = 0;
            counted.clear();
        }
    }

    /** The current number of consecutive counted failures. */
    int count() {
        return count;
    }

    int tolerable() {
        return tolerable;
    }
}
