package dev.cairn.runtime.coordinator;

/**
 * Why a checkpoint failed, and whether that failure counts toward
 * {@code tolerableCheckpointFailureNumber}. Only failures of the checkpoint itself count (a task's
 * asynchronous phase, expiry, coordinator-side I/O, finalization); failures caused by the
 * coordinator's own decisions or by the job's life cycle do not. Savepoint failures never count.
 */
public enum CheckpointFailureReason {
    /** A task declined: its asynchronous snapshot phase failed. Counted. */
    DECLINED(true),
    /** Not completed within the checkpoint timeout. Counted. */
    EXPIRED(true),
    /** The coordinator could not prepare the checkpoint's storage location. Counted. */
    IO_EXCEPTION(true),
    /** Writing the metadata ({@code _metadata}) failed. Counted. */
    FINALIZE_FAILURE(true),
    /** A newer checkpoint completed first. */
    SUBSUMED(false),
    /** The job graph could not be planned or the barriers could not be injected. */
    TRIGGER_FAILURE(false),
    /** Some tasks finished and {@code checkpointsAfterTasksFinish} is off, or no task is left to trigger. */
    NOT_ALL_REQUIRED_TASKS_RUNNING(false),
    /** Union list state while only some subtasks of its operator finished. */
    TASK_CLOSING(false),
    /** A periodic request came before the minimum pause since the last completed checkpoint had passed. */
    MINIMUM_TIME_BETWEEN_CHECKPOINTS(false),
    /** Too many requests were queued. */
    TOO_MANY_REQUESTS(false),
    /** Periodic triggering was stopped while the request was queued. */
    PERIODIC_SCHEDULER_STOPPED(false),
    /** Aborted on fail-over, because the tasks are restarting. */
    JOB_FAILOVER(false),
    /** The coordinator shut down. */
    COORDINATOR_SHUTDOWN(false);

    private final boolean counted;

    CheckpointFailureReason(boolean counted) {
        this.counted = counted;
    }

    /** Whether a failure of a checkpoint (never a savepoint) for this reason counts as a consecutive failure. */
    public boolean isCounted() {
        return counted;
    }
}
