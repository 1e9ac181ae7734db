package dev.cairn.runtime.coordinator;

import dev.cairn.backend.SnapshotType;
import dev.cairn.checkpoint.CheckpointMetadata;
import dev.cairn.checkpoint.CheckpointStorage;
import dev.cairn.checkpoint.CheckpointStorageLocation;
import dev.cairn.checkpoint.CompletedCheckpoint;
import dev.cairn.checkpoint.OperatorSnapshot;
import dev.cairn.checkpoint.StateHandle;
import dev.cairn.checkpoint.SubtaskSnapshot;
import dev.cairn.error.CheckpointException;
import dev.cairn.runtime.config.CheckpointConfig;
import dev.cairn.runtime.config.JobTermination;
import dev.cairn.runtime.config.RecoveryClaimMode;
import dev.cairn.runtime.sharedstate.SharedStateRegistry;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The checkpoint coordinator of one job. It triggers checkpoints periodically (per interval, min
 * pause and max concurrent checkpoints) or on demand, injects barriers through the
 * {@link CheckpointTaskGateway}, collects acknowledgements as the {@link CheckpointResponder},
 * writes the metadata, retains the newest completed checkpoints and discards older ones, expires
 * checkpoints after the timeout, counts consecutive failures and demands a fail-over when they
 * exceed the tolerable number, takes savepoints (never counted, subsumed or discarded), restores
 * from a checkpoint with a claim mode, and applies the externalized retention when the job ends.
 *
 * <p>State is guarded by one lock; timers run on one scheduler thread, storage I/O (location
 * initialization, metadata, discards) and notifications run on an I/O pool, never under the lock.
 */
public final class CheckpointCoordinator implements CheckpointResponder, AutoCloseable {
    /** Requests queued beyond this are refused. */
    public static final int MAX_QUEUED_REQUESTS = 1000;
    /** How long {@link #shutdown} waits for storage I/O still in flight. */
    private static final long SHUTDOWN_WAIT_MILLIS = 5000;
    private static final System.Logger LOG = System.getLogger(CheckpointCoordinator.class.getName());

    private final String jobId;
    private final CheckpointConfig config;
    private final CheckpointStorage storage;
    private final CheckpointTaskGateway gateway;
    private final SharedStateRegistry sharedState;
    private final JobDirectoryOwner directoryOwner;
    private final ScheduledThreadPoolExecutor timer;
    private final ExecutorService io;
    private final List<CheckpointStatsListener> listeners = new CopyOnWriteArrayList<>();
    private final long timeoutMillis;
    private final long minPauseNanos;
    private final long baseIntervalMillis;

    private final Object lock = new Object();
    private final TreeMap<Long, PendingCheckpoint> pending = new TreeMap<>();
    private final List<CheckpointRequest> queue = new ArrayList<>();
    private final List<Retained> retained = new ArrayList<>();
    private final CheckpointFailureCounter failures;
    private long requestSequence;
    private long lastCheckpointId;
    private boolean triggering;
    private boolean periodicActive;
    private ScheduledFuture<?> periodicTask;
    private boolean anyCompleted;
    private long lastCompletionNanos;
    private boolean forceFullSnapshot;
    private boolean shutdown;

    /**
     * A coordinator for job {@code jobId}; it holds the job directory with a lease
     * ({@link CheckpointStorage#holdJobDirectory}) from now until {@link #shutdown} or {@link #close}.
     */
    public CheckpointCoordinator(String jobId, CheckpointConfig config, CheckpointStorage storage,
            CheckpointTaskGateway gateway) {
        this.jobId = Objects.requireNonNull(jobId, "jobId");
        this.config = Objects.requireNonNull(config, "config");
        this.storage = Objects.requireNonNull(storage, "storage");
        this.gateway = Objects.requireNonNull(gateway, "gateway");
        this.sharedState = SharedStateRegistry.forStorage(storage);
        this.directoryOwner = new JobDirectoryOwner(jobId, storage);
        directoryOwner.hold();
        this.lastCheckpointId = directoryOwner.highestCheckpointId();
        this.failures = new CheckpointFailureCounter(config.tolerableCheckpointFailureNumber());
        this.timeoutMillis = config.checkpointTimeout().toMillis();
        this.minPauseNanos = config.minPauseBetweenCheckpoints().toNanos();
        this.baseIntervalMillis = config.interval()
                .map(i -> Math.max(i.toMillis(), config.minPauseBetweenCheckpoints().toMillis())).orElse(0L);
        this.timer = new ScheduledThreadPoolExecutor(1, threads("cairn-checkpoint-timer-" + jobId));
        this.timer.setRemoveOnCancelPolicy(true);
        this.io = Executors.newCachedThreadPool(threads("cairn-checkpoint-io-" + jobId));
    }

    public String jobId() {
        return jobId;
    }

    public CheckpointConfig config() {
        return config;
    }

    /** Adds a listener told about every completed or failed checkpoint and savepoint. */
    public void addListener(CheckpointStatsListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Starts periodic triggering: a checkpoint request every {@code max(interval, minPause)}, the
     * first one after that delay. A request is dropped while the min pause since the last completed
     * checkpoint has not passed (the next one is then scheduled when it has), and waits (at most one
     * waiting periodic request) while max concurrent checkpoints are pending. Restarts the schedule
     * if it was running.
     *
     * @throws IllegalStateException if checkpointing is off (no interval) or the coordinator is shut down
     */
    public void startCheckpointScheduler() {
        synchronized (lock) {
            checkNotShutdown();
            if (!config.isCheckpointingEnabled()) {
                throw new IllegalStateException("checkpointing is off for job " + jobId
                        + ": no interval is configured, so there is nothing to schedule");
            }
            periodicActive = true;
            reschedulePeriodicLocked(baseIntervalMillis);
        }
    }

    /** Stops periodic triggering and drops a waiting periodic request; pending checkpoints go on. */
    public void stopCheckpointScheduler() {
        List<CheckpointRequest> dropped = new ArrayList<>();
        synchronized (lock) {
            periodicActive = false;
            if (periodicTask != null) {
                periodicTask.cancel(false);
                periodicTask = null;
            }
            queue.removeIf(r -> r.periodic && dropped.add(r));
        }
        for (CheckpointRequest r : dropped) {
            r.fail(CheckpointFailureReason.PERIODIC_SCHEDULER_STOPPED, "periodic checkpoint scheduling was stopped",
                    null);
        }
    }

    /**
     * Requests a checkpoint now. It ignores the min pause, but waits while max concurrent
     * checkpoints are pending. The future completes with the checkpoint, or exceptionally with a
     * {@link CheckpointException} if it failed.
     */
    public CompletableFuture<CompletedCheckpoint> triggerCheckpoint() {
        return enqueue(false, null);
    }

    /**
     * Requests a savepoint: always aligned, self-contained, in a new directory under
     * {@code targetDirectory} (the storage's default place when {@code null}). Its failure is never
     * counted, and the coordinator never subsumes or discards it. Unless unaligned checkpoints are on,
     * it does not wait for pending checkpoints.
     */
    public CompletableFuture<CompletedCheckpoint> triggerSavepoint(String targetDirectory) {
        return enqueue(true, targetDirectory);
    }

    /** The newest retained checkpoint (possibly the one restored from), if any. */
    public Optional<CompletedCheckpoint> latestCompletedCheckpoint() {
        synchronized (lock) {
            return retained.isEmpty() ? Optional.empty() : Optional.of(retained.get(retained.size() - 1).checkpoint);
        }
    }

    /** The retained checkpoints, oldest first. */
    public List<CompletedCheckpoint> retainedCheckpoints() {
        synchronized (lock) {
            return retained.stream().map(r -> r.checkpoint).toList();
        }
    }

    /**
     * The reference counts of the shared files of the retained checkpoints; a shared file is deleted
     * when the last retained checkpoint referring to it is discarded.
     */
    public SharedStateRegistry sharedStateRegistry() {
        return sharedState;
    }

    /** The ids of the checkpoints and savepoints now pending, ascending. */
    public List<Long> pendingCheckpointIds() {
        synchronized (lock) {
            return List.copyOf(pending.keySet());
        }
    }

    /** The number of consecutive counted checkpoint failures since the last completed checkpoint. */
    public int consecutiveFailures() {
        synchronized (lock) {
            return failures.count();
        }
    }

    /**
     * Declares that this run starts from {@code checkpoint} (a retained checkpoint or a savepoint):
     * later checkpoint ids are greater than its id, and it becomes the latest completed checkpoint.
     * With {@link RecoveryClaimMode#NO_CLAIM} it is never deleted by this run and the next checkpoint
     * is a {@link SnapshotType#FULL_CHECKPOINT}; with {@link RecoveryClaimMode#CLAIM} it joins the
     * retained checkpoints and is discarded once subsumed like any other. Its shared files are
     * registered first; without claim they are never deleted.
     *
     * <p>Claiming one of the storage's own checkpoints takes over the job directory: every other
     * checkpoint in it, older or newer, sound or damaged, is deleted (metadata first), with the files that
     * only they, or checkpoints that never completed, referenced. Checkpoint ids of this run are greater
     * than every id found in the directory, in either mode.
     */
    public void restoreFrom(CompletedCheckpoint checkpoint, RecoveryClaimMode claimMode) {
        Objects.requireNonNull(checkpoint, "checkpoint");
        Objects.requireNonNull(claimMode, "claimMode");
        if (claimMode == RecoveryClaimMode.NO_CLAIM) {
            directoryOwner.restoredWithoutClaim(checkpoint);
        }
        JobDirectoryOwner.Claim claim = claimMode == RecoveryClaimMode.CLAIM ? directoryOwner.claim(checkpoint)
                : new JobDirectoryOwner.Claim(directoryOwner.highestCheckpointId(), false);
        long highest = claim.highestCheckpointId();
        synchronized (lock) {
            checkNotShutdown();
            sharedState.registerRestored(checkpoint, claimMode == RecoveryClaimMode.CLAIM);
            if (claim.fencedOthers()) {
                for (Retained r : List.copyOf(retained)) {
                    if (!r.checkpoint.pointer().equals(checkpoint.pointer())) {
                        retained.remove(r);
                        sharedState.unregister(r.checkpoint.checkpointId());
                    }
                }
            }
            lastCheckpointId = Math.max(lastCheckpointId, Math.max(highest, checkpoint.checkpointId()));
            if (claimMode == RecoveryClaimMode.NO_CLAIM) {
                forceFullSnapshot = true;
            }
            boolean known = retained.stream().anyMatch(r -> r.checkpoint.pointer().equals(checkpoint.pointer()));
            if (!known) {
                int at = 0;
                while (at < retained.size() && retained.get(at).checkpoint.checkpointId() <= checkpoint.checkpointId()) {
                    at++;
                }
                retained.add(at, new Retained(checkpoint, claimMode == RecoveryClaimMode.CLAIM));
            }
        }
    }

    /** Aborts every pending checkpoint and savepoint, at a fail-over; not counted as failures. */
    public void abortPendingCheckpoints(String reason) {
        List<Aborted> aborted = new ArrayList<>();
        synchronized (lock) {
            for (PendingCheckpoint p : List.copyOf(pending.values())) {
                Aborted a = abortLocked(p, CheckpointFailureReason.JOB_FAILOVER,
                        new CheckpointException("checkpoint " + p.id + " aborted: " + reason));
                if (a != null) {
                    aborted.add(a);
                }
            }
        }
        aborted.forEach(this::finishAbort);
        scheduleNext();
    }

    /**
     * Ends the coordinator with the job: stops triggering, aborts what is pending and queued, and
     * applies the externalized retention ({@link JobTermination#deletesCheckpoints}) to the retained
     * checkpoints. Savepoints and checkpoints restored with {@link RecoveryClaimMode#NO_CLAIM} are never
     * deleted. When the retained checkpoints are deleted, the job-end record
     * ({@link CheckpointStorage#markJobEnded}) is written first and whatever else the job directory still
     * holds is deleted after them, so no crash leaves anything a later resume could take for progress.
     * Last, the lease the coordinator took on the job directory when it was created is released.
     * Idempotent.
     */
    public void shutdown(JobTermination termination) {
        Objects.requireNonNull(termination, "termination");
        List<Aborted> aborted = new ArrayList<>();
        List<CheckpointRequest> queued;
        List<CompletedCheckpoint> toDiscard = new ArrayList<>();
        List<CompletedCheckpoint> kept;
        boolean deletes;
        long lastId;
        synchronized (lock) {
            if (shutdown) {
                return;
            }
            queued = stopLocked(aborted, "the job " + termination.name().toLowerCase(java.util.Locale.ROOT));
            deletes = termination.deletesCheckpoints(config.externalizedCheckpointRetention());
            if (deletes) {
                retained.removeIf(r -> r.discardable && toDiscard.add(r.checkpoint));
            }
            kept = retained.stream().map(r -> r.checkpoint).toList();
            lastId = lastCheckpointId;
        }
        finishShutdown(aborted, queued);
        if (deletes) {
            directoryOwner.markEnded(termination, lastId, kept);
            toDiscard.forEach(this::discardQuietly);
            directoryOwner.removeLeftovers(kept);
        }
        stopThreads();
        directoryOwner.release();
    }

    /**
     * Releases the coordinator's threads and its lease on the job directory. If {@link #shutdown} was not
     * called, pending checkpoints are aborted, but retained checkpoints are left as they are.
     */
    @Override
    public void close() {
        List<Aborted> aborted = new ArrayList<>();
        List<CheckpointRequest> queued = List.of();
        synchronized (lock) {
            if (!shutdown) {
                queued = stopLocked(aborted, "the coordinator was closed");
            }
        }
        finishShutdown(aborted, queued);
        stopThreads();
        directoryOwner.release();
    }

    @Override
    public void acknowledgeCheckpoint(long checkpointId, SubtaskId subtask, SubtaskSnapshot snapshot,
            TaskCheckpointMetrics metrics) {
        Objects.requireNonNull(subtask, "subtask");
        Objects.requireNonNull(snapshot, "snapshot");
        if (snapshot.subtaskIndex() != subtask.subtaskIndex()) {
            throw new IllegalArgumentException("acknowledgement of " + subtask + " for checkpoint " + checkpointId
                    + " carries the snapshot of subtask " + snapshot.subtaskIndex());
        }
        PendingCheckpoint toComplete = null;
        boolean discard;
        synchronized (lock) {
            PendingCheckpoint p = pending.get(checkpointId);
            if (p == null || p.disposed) {
                discard = !isPartOfRetained(checkpointId, subtask);
            } else if (!p.plan.tasksToWaitFor().contains(subtask)) {
                discard = true;
            } else if (p.acks.containsKey(subtask)) {
                return;
            } else {
                discard = false;
                p.acks.put(subtask, snapshot);
                p.metrics.put(subtask, metrics != null ? metrics : new TaskCheckpointMetrics(0, 0, 0, 0, 0, false));
                if (p.acks.size() == p.plan.tasksToWaitFor().size() && !p.finalizing) {
                    p.finalizing = true;
                    toComplete = p;
                }
            }
        }
        if (discard) {
            LOG.log(Level.DEBUG, "discarding the state of a late or unknown acknowledgement of checkpoint {0} by {1}",
                    checkpointId, subtask);
            List<StateHandle> handles = new ArrayList<>(snapshot.keyedState());
            handles.addAll(snapshot.operatorState());
            runIo(() -> storage.discardState(checkpointId, handles));
        }
        if (toComplete != null) {
            PendingCheckpoint p = toComplete;
            runIo(() -> complete(p));
        }
    }

    @Override
    public void declineCheckpoint(long checkpointId, SubtaskId subtask, Throwable cause) {
        Aborted aborted;
        synchronized (lock) {
            PendingCheckpoint p = pending.get(checkpointId);
            if (p == null || p.disposed) {
                return;
            }
            aborted = abortLocked(p, CheckpointFailureReason.DECLINED, new CheckpointException("checkpoint "
                    + checkpointId + " was declined by " + subtask + ": " + (cause == null ? "no reason given"
                            : cause.getMessage()), cause));
        }
        finishAbortAsync(aborted);
    }

    @Override
    public String toString() {
        return "CheckpointCoordinator[" + jobId + "]";
    }

    // ---------------------------------------------------------------- triggering

    private CompletableFuture<CompletedCheckpoint> enqueue(boolean savepoint, String target) {
        CheckpointRequest request;
        synchronized (lock) {
            request = new CheckpointRequest(savepoint, target, false, requestSequence++);
            if (shutdown) {
                request.fail(CheckpointFailureReason.COORDINATOR_SHUTDOWN,
                        "the checkpoint coordinator of job " + jobId + " is shut down", null);
                return request.future;
            }
            if (queue.size() >= MAX_QUEUED_REQUESTS) {
                request.fail(CheckpointFailureReason.TOO_MANY_REQUESTS, MAX_QUEUED_REQUESTS
                        + " checkpoint requests are already waiting", null);
                return request.future;
            }
            queue.add(request);
        }
        scheduleNext();
        return request.future;
    }

    private void periodicTick() {
        synchronized (lock) {
            if (!periodicActive || shutdown || queue.stream().anyMatch(r -> r.periodic)) {
                return;
            }
            queue.add(new CheckpointRequest(false, null, true, requestSequence++));
        }
        scheduleNext();
    }

    /** Starts the most urgent queued request if the rules allow it now; never called under the lock. */
    private void scheduleNext() {
        List<CheckpointRequest> dropped = new ArrayList<>();
        CheckpointRequest next;
        synchronized (lock) {
            next = chooseNextLocked(dropped);
        }
        for (CheckpointRequest r : dropped) {
            r.fail(CheckpointFailureReason.MINIMUM_TIME_BETWEEN_CHECKPOINTS, "the minimum pause of "
                    + config.minPauseBetweenCheckpoints().toMillis() + " ms since the last completed checkpoint"
                    + " has not passed", null);
        }
        if (next != null) {
            CheckpointRequest r = next;
            runIo(() -> trigger(r));
        }
    }

    private CheckpointRequest chooseNextLocked(List<CheckpointRequest> dropped) {
        while (!shutdown && !triggering && !queue.isEmpty()) {
            CheckpointRequest head = queue.stream().min(CheckpointRequest.PRIORITY).orElseThrow();
            boolean forced = head.savepoint && !config.unalignedCheckpoints();
            if (!forced && pending.size() >= config.maxConcurrentCheckpoints()) {
                return null;
            }
            if (head.periodic && minPauseNanos > 0 && anyCompleted) {
                long remaining = lastCompletionNanos + minPauseNanos - System.nanoTime();
                if (remaining > 0) {
                    queue.remove(head);
                    dropped.add(head);
                    reschedulePeriodicLocked(TimeUnit.NANOSECONDS.toMillis(remaining) + 1);
                    continue;
                }
            }
            queue.remove(head);
            triggering = true;
            return head;
        }
        return null;
    }

    private void reschedulePeriodicLocked(long delayMillis) {
        if (!periodicActive || shutdown) {
            return;
        }
        if (periodicTask != null) {
            periodicTask.cancel(false);
        }
        periodicTask = timer.scheduleAtFixedRate(this::periodicTick, Math.max(0, delayMillis), baseIntervalMillis,
                TimeUnit.MILLISECONDS);
    }

    /** The trigger phase of one request, on an I/O thread: plan, id, pending, location, barriers. */
    private void trigger(CheckpointRequest request) {
        CheckpointPlan plan;
        try {
            plan = gateway.planCheckpoint();
            plan.checkConsistent();
        } catch (RuntimeException e) {
            endTriggering(request, CheckpointFailureReason.TRIGGER_FAILURE,
                    "the checkpoint could not be planned: " + e.getMessage(), e);
            return;
        }
        if (!config.checkpointsAfterTasksFinish() && !plan.finishedTasks().isEmpty()) {
            endTriggering(request, CheckpointFailureReason.NOT_ALL_REQUIRED_TASKS_RUNNING, "tasks "
                    + new TreeSet<>(plan.finishedTasks().stream().map(SubtaskId::toString).toList())
                    + " finished and checkpointsAfterTasksFinish is off", null);
            return;
        }
        if (plan.tasksToTrigger().isEmpty()) {
            endTriggering(request, CheckpointFailureReason.NOT_ALL_REQUIRED_TASKS_RUNNING,
                    "no running task is left to trigger", null);
            return;
        }
        PendingCheckpoint p = null;
        CheckpointFailureReason dropped = null;
        synchronized (lock) {
            if (shutdown || (request.periodic && !periodicActive)) {
                triggering = false;
                dropped = shutdown ? CheckpointFailureReason.COORDINATOR_SHUTDOWN
                        : CheckpointFailureReason.PERIODIC_SCHEDULER_STOPPED;
            } else {
                long id = ++lastCheckpointId;
                SnapshotType type = request.savepoint ? SnapshotType.SAVEPOINT
                        : forceFullSnapshot ? SnapshotType.FULL_CHECKPOINT : SnapshotType.CHECKPOINT;
                PendingCheckpoint created = new PendingCheckpoint(id, type, request, plan);
                pending.put(id, created);
                created.timeout = timer.schedule(() -> expire(created), timeoutMillis, TimeUnit.MILLISECONDS);
                p = created;
            }
        }
        if (dropped != null) {
            request.fail(dropped, "the request was dropped before it started", null);
            scheduleNext();
            return;
        }
        CheckpointStorageLocation location;
        try {
            location = p.savepoint ? storage.initializeSavepointLocation(p.id, request.target)
                    : storage.initializeLocation(p.id);
        } catch (RuntimeException e) {
            endTriggering(null, null, null, null);
            abort(p, CheckpointFailureReason.IO_EXCEPTION, new CheckpointException("the storage location of "
                    + describe(p) + " could not be initialized: " + e.getMessage(), e));
            return;
        }
        boolean lost;
        synchronized (lock) {
            lost = p.disposed;
            if (!lost) {
                p.location = location;
            }
        }
        if (lost) {
            discardLocationQuietly(p.id, location);
            endTriggering(null, null, null, null);
            return;
        }
        CheckpointBarrier barrier = new CheckpointBarrier(p.id, p.triggerTimestamp, config.optionsFor(p.type),
                location);
        try {
            gateway.triggerCheckpoint(barrier, plan.tasksToTrigger());
        } catch (RuntimeException e) {
            endTriggering(null, null, null, null);
            abort(p, CheckpointFailureReason.TRIGGER_FAILURE, new CheckpointException("the barriers of "
                    + describe(p) + " could not be injected: " + e.getMessage(), e));
            return;
        }
        endTriggering(null, null, null, null);
    }

    /** Ends the trigger phase; fails {@code request} if given (no id was assigned to it), then looks at the queue. */
    private void endTriggering(CheckpointRequest request, CheckpointFailureReason reason, String message, Throwable cause) {
        synchronized (lock) {
            triggering = false;
        }
        if (request != null) {
            LOG.log(Level.DEBUG, "checkpoint request of job {0} failed ({1}): {2}", jobId, reason, message);
            request.fail(reason, message, cause);
        }
        scheduleNext();
    }

    // ---------------------------------------------------------------- completion

    /** Completes a fully acknowledged checkpoint, on an I/O thread. */
    private void complete(PendingCheckpoint p) {
        Map<SubtaskId, SubtaskSnapshot> acks;
        synchronized (lock) {
            acks = new HashMap<>(p.acks);
        }
        CheckpointMetadata metadata;
        try {
            metadata = CheckpointMetadataAssembler.assemble(p.id, p.triggerTimestamp, p.plan, acks);
        } catch (CheckpointMetadataAssembler.PartiallyFinishedUnionStateException e) {
            abort(p, CheckpointFailureReason.TASK_CLOSING, new CheckpointException(describe(p) + " declined: "
                    + e.getMessage(), e));
            return;
        } catch (RuntimeException e) {
            abort(p, CheckpointFailureReason.FINALIZE_FAILURE, new CheckpointException("the metadata of "
                    + describe(p) + " could not be built: " + e.getMessage(), e));
            return;
        }
        CompletedCheckpoint completed;
        try {
            completed = p.location.finalizeCheckpoint(metadata);
        } catch (RuntimeException e) {
            abort(p, CheckpointFailureReason.FINALIZE_FAILURE, new CheckpointException("the metadata of "
                    + describe(p) + " could not be written: " + e.getMessage(), e));
            return;
        }
        List<Aborted> subsumed = new ArrayList<>();
        List<CompletedCheckpoint> toDiscard = new ArrayList<>();
        boolean lost;
        if (!p.savepoint) {
            sharedState.register(completed);
        }
        synchronized (lock) {
            lost = p.disposed;
            if (!lost) {
                p.disposed = true;
                p.cancelTimeout();
                pending.remove(p.id);
                if (!p.savepoint) {
                    retained.add(new Retained(completed, true));
                    retained.sort(Comparator.comparingLong(r -> r.checkpoint.checkpointId()));
                    forceFullSnapshot = false;
                    anyCompleted = true;
                    lastCompletionNanos = System.nanoTime();
                    failures.checkpointCompleted(p.id);
                    for (PendingCheckpoint older : List.copyOf(pending.headMap(p.id).values())) {
                        if (!older.savepoint) {
                            Aborted a = abortLocked(older, CheckpointFailureReason.SUBSUMED,
                                    new CheckpointException(describe(older) + " was subsumed by checkpoint " + p.id));
                            if (a != null) {
                                subsumed.add(a);
                            }
                        }
                    }
                    while (retained.size() > config.numRetainedCheckpoints()) {
                        Retained oldest = retained.remove(0);
                        if (oldest.discardable) {
                            toDiscard.add(oldest.checkpoint);
                        }
                    }
                }
            }
        }
        if (lost) {
            LOG.log(Level.DEBUG, "{0} was aborted while its metadata was written; discarding it", describe(p));
            discardQuietly(completed);
            return;
        }
        subsumed.forEach(this::finishAbort);
        toDiscard.forEach(this::discardQuietly);
        if (!p.savepoint) {
            try {
                gateway.notifyCheckpointComplete(p.id);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "notifying the tasks that checkpoint " + p.id + " completed failed", e);
            }
        }
        CheckpointStats stats = p.stats(CheckpointStats.Status.COMPLETED, null, null, completed.pointer());
        for (CheckpointStatsListener l : listeners) {
            try {
                l.onCheckpointCompleted(stats);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "checkpoint stats listener " + l + " failed", e);
            }
        }
        p.request.future.complete(completed);
        scheduleNext();
    }

    private boolean isPartOfRetained(long checkpointId, SubtaskId subtask) {
        for (Retained r : retained) {
            if (r.checkpoint.checkpointId() == checkpointId) {
                for (OperatorSnapshot op : r.checkpoint.metadata().operators()) {
                    if (op.operatorId().equals(subtask.operatorId())) {
                        return op.subtasks().stream().anyMatch(s -> s.subtaskIndex() == subtask.subtaskIndex());
                    }
                }
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- failure

    private void expire(PendingCheckpoint p) {
        Aborted aborted;
        synchronized (lock) {
            aborted = abortLocked(p, CheckpointFailureReason.EXPIRED, new CheckpointException(describe(p)
                    + " expired: it did not complete within the checkpoint timeout of " + timeoutMillis + " ms"));
        }
        finishAbortAsync(aborted);
    }

    private void abort(PendingCheckpoint p, CheckpointFailureReason reason, CheckpointException cause) {
        Aborted aborted;
        synchronized (lock) {
            aborted = abortLocked(p, reason, cause);
        }
        if (aborted != null) {
            finishAbort(aborted);
        }
        scheduleNext();
    }

    /** Removes {@code p} and counts the failure; returns what is left to do off the lock, or null if already gone. */
    private Aborted abortLocked(PendingCheckpoint p, CheckpointFailureReason reason, CheckpointException cause) {
        if (p.disposed) {
            return null;
        }
        p.disposed = true;
        p.cancelTimeout();
        pending.remove(p.id);
        CheckpointException failJob = null;
        if (!p.savepoint && reason.isCounted() && failures.checkpointFailed(p.id)) {
            failJob = new CheckpointException("Exceeded checkpoint tolerable failure threshold. The latest failure: "
                    + reason + " of checkpoint " + p.id + " (tolerable failures: " + failures.tolerable() + "): "
                    + cause.getMessage(), cause);
        }
        return new Aborted(p, p.location, reason, cause, failJob);
    }

    private void finishAbortAsync(Aborted aborted) {
        if (aborted == null) {
            return;
        }
        runIo(() -> {
            finishAbort(aborted);
            scheduleNext();
        });
    }

    /** Deletes what the aborted checkpoint wrote, notifies tasks and listeners, fails over if needed, fails its future. */
    private void finishAbort(Aborted a) {
        PendingCheckpoint p = a.pending;
        if (a.location != null) {
            discardLocationQuietly(p.id, a.location);
        }
        try {
            gateway.notifyCheckpointAborted(p.id);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "notifying the tasks that checkpoint " + p.id + " was aborted failed", e);
        }
        CheckpointStats stats = p.stats(CheckpointStats.Status.FAILED, a.reason, a.cause.getMessage(), null);
        for (CheckpointStatsListener l : listeners) {
            try {
                l.onCheckpointFailed(stats);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "checkpoint stats listener " + l + " failed", e);
            }
        }
        if (a.failJob != null) {
            LOG.log(Level.WARNING, "job {0}: {1}", jobId, a.failJob.getMessage());
            stopCheckpointScheduler();
            try {
                gateway.failJob(a.failJob);
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "failing job " + jobId + " after too many checkpoint failures failed", e);
            }
        }
        p.request.future.completeExceptionally(new CheckpointFailedException(a.reason, a.cause));
    }

    private void discardLocationQuietly(long checkpointId, CheckpointStorageLocation location) {
        try {
            location.discardOnFailure();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "deleting the files of aborted checkpoint " + checkpointId + " failed", e);
        }
    }

    /** Discards a checkpoint, then the shared files that no retained checkpoint refers to any more. */
    private void discardQuietly(CompletedCheckpoint checkpoint) {
        try {
            storage.discard(checkpoint);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "discarding checkpoint " + checkpoint.pointer() + " failed", e);
        }
        sharedState.unregisterAndDelete(checkpoint.checkpointId());
    }

    // ---------------------------------------------------------------- life cycle

    private List<CheckpointRequest> stopLocked(List<Aborted> aborted, String reason) {
        shutdown = true;
        periodicActive = false;
        if (periodicTask != null) {
            periodicTask.cancel(false);
            periodicTask = null;
        }
        List<CheckpointRequest> queued = new ArrayList<>(queue);
        queue.clear();
        for (PendingCheckpoint p : List.copyOf(pending.values())) {
            Aborted a = abortLocked(p, CheckpointFailureReason.COORDINATOR_SHUTDOWN,
                    new CheckpointException(describe(p) + " aborted: " + reason));
            if (a != null) {
                aborted.add(a);
            }
        }
        return queued;
    }

    private void finishShutdown(List<Aborted> aborted, List<CheckpointRequest> queued) {
        for (CheckpointRequest r : queued) {
            r.fail(CheckpointFailureReason.COORDINATOR_SHUTDOWN, "the checkpoint coordinator of job " + jobId
                    + " shut down", null);
        }
        aborted.forEach(this::finishAbort);
    }

    private void stopThreads() {
        timer.shutdownNow();
        io.shutdown();
        if (!(Thread.currentThread() instanceof CoordinatorThread)) {
            try {
                if (!io.awaitTermination(SHUTDOWN_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                    LOG.log(Level.WARNING, "storage I/O of job {0} still running after {1} ms; interrupting it",
                            jobId, SHUTDOWN_WAIT_MILLIS);
                    io.shutdownNow();
                }
            } catch (InterruptedException e) {
                io.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
    }

    private void checkNotShutdown() {
        if (shutdown) {
            throw new IllegalStateException("the checkpoint coordinator of job " + jobId + " is shut down");
        }
    }

    /** Runs on the I/O pool, or on this thread once the pool is shut down. */
    private void runIo(Runnable task) {
        try {
            io.execute(task);
        } catch (RejectedExecutionException e) {
            task.run();
        }
    }

    private static String describe(PendingCheckpoint p) {
        return (p.savepoint ? "savepoint " : "checkpoint ") + p.id;
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return r -> {
            Thread t = new CoordinatorThread(r, prefix + "-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private static final class CoordinatorThread extends Thread {
        CoordinatorThread(Runnable r, String name) {
            super(r, name);
        }
    }

    /** A checkpoint the coordinator keeps; {@code discardable} is false for one restored without claim. */
    private record Retained(CompletedCheckpoint checkpoint, boolean discardable) {
    }

    /** What remains to do, off the lock, for an aborted checkpoint. */
    private record Aborted(PendingCheckpoint pending, CheckpointStorageLocation location, CheckpointFailureReason reason,
            CheckpointException cause, CheckpointException failJob) {
    }

}
