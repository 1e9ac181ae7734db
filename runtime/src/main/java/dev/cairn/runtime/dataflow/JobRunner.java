package dev.cairn.runtime.dataflow;

import dev.cairn.backend.StateBackend;
import dev.cairn.checkpoint.CheckpointMetadata;
import dev.cairn.checkpoint.CheckpointStorage;
import dev.cairn.checkpoint.CompletedCheckpoint;
import dev.cairn.error.CairnException;
import dev.cairn.error.CheckpointException;
import dev.cairn.error.StorageException;
import dev.cairn.keygroup.KeyGroups;
import dev.cairn.runtime.config.CheckpointConfig;
import dev.cairn.runtime.config.JobTermination;
import dev.cairn.runtime.config.RecoveryClaimMode;
import dev.cairn.runtime.coordinator.CheckpointBarrier;
import dev.cairn.runtime.coordinator.CheckpointCoordinator;
import dev.cairn.runtime.coordinator.CheckpointPlan;
import dev.cairn.runtime.coordinator.CheckpointStatsListener;
import dev.cairn.runtime.coordinator.CheckpointTaskGateway;
import dev.cairn.runtime.coordinator.StateAssignment;
import dev.cairn.runtime.coordinator.SubtaskId;
import dev.cairn.runtime.coordinator.SubtaskRestoreState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

/**
 * Runs a {@link JobGraph} on the embedded runtime with a {@link CheckpointConfig}, a {@link StateBackend}
 * and a {@link CheckpointStorage}. It owns the job's {@link CheckpointCoordinator} (and is its
 * {@link CheckpointTaskGateway}), triggers a final checkpoint once every task reached the end of its input
 * so two-phase-commit sinks can commit, and on a task failure or a fail-over demand stops all tasks, aborts
 * pending checkpoints and restarts every task from the latest completed checkpoint per the
 * {@link RestartStrategy}. A run can start from a retained checkpoint or savepoint, also at another
 * parallelism. The storage is the caller's and is not closed here.
 *
 * <pre>{@code
 * try (JobRunner runner = JobRunner.builder(graph).checkpointConfig(config).stateBackend(backend)
 *         .checkpointStorage(storage).restartStrategy(RestartStrategy.fixedDelay(3, Duration.ZERO)).build()) {
 *     JobResult result = runner.run(Duration.ofMinutes(1));
 * }
 * }</pre>
 */
public final class JobRunner implements AutoCloseable {
    /** Default capacity of a channel between two subtasks, in records. */
    public static final int DEFAULT_CHANNEL_CAPACITY = 64;
    private static final long FINAL_CHECKPOINT_RETRY_MILLIS = 20;

    private final JobGraph graph;
    private final CheckpointConfig config;
    private final StateBackend stateBackend;
    private final CheckpointStorage storage;
    private final RestartStrategy restartStrategy;
    private final FailureInjector failureInjector;
    private final CompletedCheckpoint initialCheckpoint;
    private final RecoveryClaimMode claimMode;
    private final int channelCapacity;
    private final LocalRunDirectory localDirectory;
    private final List<JobListener> listeners;
    private final CheckpointCoordinator coordinator;
    private final String runId = UUID.randomUUID().toString().substring(0, 8);
    private final Map<String, LongAdder> processed = new ConcurrentHashMap<>();
    private final LinkedBlockingQueue<Runnable> events = new LinkedBlockingQueue<>();
    private final CompletableFuture<JobResult> result = new CompletableFuture<>();
    private final List<Throwable> failures = new ArrayList<>();
    private final Thread master;

    private volatile Execution current;
    private int attempt = -1;
    private int restarts;
    private long restartAtNanos = -1;
    private boolean started;
    private boolean terminated;
    private long startNanos;

    private JobRunner(Builder b) {
        this.graph = b.graph;
        this.config = b.config;
        this.stateBackend = b.stateBackend;
        this.storage = b.storage;
        this.restartStrategy = b.restartStrategy;
        this.failureInjector = b.failureInjector;
        this.initialCheckpoint = b.restoreFrom;
        this.claimMode = b.claimMode;
        this.channelCapacity = b.channelCapacity;
        this.listeners = List.copyOf(b.listeners);
        try {
            this.localDirectory = b.localDirectory != null ? LocalRunDirectory.create(b.localDirectory, runId)
                    : LocalRunDirectory.createTemporary("cairn-" + graph.name() + "-");
        } catch (IOException e) {
            throw new StorageException("creating the local directory of job " + graph.name() + " failed", e);
        }
        this.coordinator = new CheckpointCoordinator(b.jobId != null ? b.jobId : graph.name(), config, storage,
                new Gateway());
        b.statsListeners.forEach(coordinator::addListener);
        if (initialCheckpoint != null) {
            try {
                coordinator.restoreFrom(initialCheckpoint, claimMode);
            } catch (RuntimeException e) {
                coordinator.close();
                localDirectory.close();
                throw e;
            }
        }
        this.master = new Thread(this::masterLoop, "cairn-job-" + graph.name());
        this.master.setDaemon(true);
    }

    public static Builder builder(JobGraph graph) {
        return new Builder(graph);
    }

    /** The job's coordinator: for stats listeners, savepoints and retained checkpoints. */
    public CheckpointCoordinator coordinator() {
        return coordinator;
    }

    public JobGraph graph() {
        return graph;
    }

    /** Records processed (emitted, for sources) by all subtasks of {@code operatorId}, over all attempts. */
    public long recordsProcessed(String operatorId) {
        LongAdder a = processed.get(operatorId);
        return a == null ? 0 : a.sum();
    }

    /** Starts the job; returns at once. */
    public synchronized void start() {
        if (started) {
            throw new IllegalStateException("job " + graph.name() + " was already started");
        }
        started = true;
        startNanos = System.nanoTime();
        events.add(this::startAttempt);
        master.start();
    }

    /** Starts the job if needed and waits for it to end. */
    public JobResult run(Duration timeout) throws TimeoutException {
        synchronized (this) {
            if (!started) {
                start();
            }
        }
        return awaitTermination(timeout);
    }

    /** Waits for the job to end; on timeout the exception describes every task's state. */
    public JobResult awaitTermination(Duration timeout) throws TimeoutException {
        try {
            return result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            Execution e2 = current;
            TimeoutException t = new TimeoutException("job " + graph.name() + " did not end within " + timeout
                    + "; pending checkpoints " + coordinator.pendingCheckpointIds()
                    + (e2 == null ? "" : "; " + e2.describe()));
            t.initCause(e);
            throw t;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CairnException("interrupted while waiting for job " + graph.name(), e);
        } catch (ExecutionException e) {
            throw new CairnException("job " + graph.name() + " runner failed", e.getCause());
        }
    }

    /** The result once the job ended. */
    public Optional<JobResult> result() {
        return Optional.ofNullable(result.getNow(null));
    }

    /** Cancels the job: stops its tasks and shuts the coordinator down as {@link JobTermination#CANCELED}. */
    public void cancel() {
        events.add(() -> terminate(JobTermination.CANCELED, null));
    }

    /**
     * Deletes the run directories ({@code run-<id>}) under a local directory given to
     * {@link Builder#localDirectory} that no live run holds: what runs killed with {@code kill -9} left. A run
     * does this when it is built; a caller that ends up not starting one (because the job already ended, say)
     * calls this instead, so the leftovers of the last killed run do not stay forever.
     */
    public static void deleteAbandonedLocalRuns(Path localDirectory) {
        Objects.requireNonNull(localDirectory, "localDirectory");
        try {
            LocalRunDirectory.deleteAbandonedRuns(localDirectory);
        } catch (IOException e) {
            throw new StorageException("deleting the abandoned run directories under " + localDirectory + " failed", e);
        }
    }

    /** Cancels the job if it still runs, waits for it, and releases the coordinator and the local directory. */
    @Override
    public void close() {
        if (started && !result.isDone()) {
            cancel();
            try {
                result.get(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                // the runner thread is a daemon; the coordinator is closed below either way
            }
        }
        coordinator.close();
        localDirectory.close();
    }

    // ---- the runner thread ---------------------------------------------------------------------------------

    private void masterLoop() {
        while (!terminated) {
            try {
                long wait = restartAtNanos < 0 ? 100 : Math.max(0,
                        TimeUnit.NANOSECONDS.toMillis(restartAtNanos - System.nanoTime()));
                Runnable event = events.poll(wait, TimeUnit.MILLISECONDS);
                if (event != null) {
                    event.run();
                } else if (restartAtNanos >= 0 && System.nanoTime() >= restartAtNanos) {
                    restartAtNanos = -1;
                    startAttempt();
                }
            } catch (InterruptedException e) {
                terminate(JobTermination.FAILED, e);
            } catch (Throwable t) {
                terminate(JobTermination.FAILED, t);
            }
        }
    }

    private void startAttempt() {
        if (terminated) {
            return;
        }
        attempt++;
        Optional<CompletedCheckpoint> checkpoint = coordinator.latestCompletedCheckpoint();
        Execution.RestoreSource restore = checkpoint.<Execution.RestoreSource>map(c -> new CheckpointRestore(
                c.metadata())).orElseGet(FreshStart::new);
        Path dir = localDirectory.path().resolve("attempt-" + attempt);
        Execution.Setup setup = new Execution.Setup(graph, attempt, runId + "-" + attempt, stateBackend, storage,
                coordinator, restore, finalCheckpointExpected(), failureInjector, channelCapacity, dir,
                new ExecutionEvents());
        Execution execution = new Execution(setup);
        current = execution;
        for (JobListener l : listeners) {
            l.onAttemptStarted(attempt, restore.checkpointId());
        }
        execution.start();
        if (config.isCheckpointingEnabled()) {
            coordinator.startCheckpointScheduler();
        }
    }

    private boolean finalCheckpointExpected() {
        return config.isCheckpointingEnabled() && config.checkpointsAfterTasksFinish();
    }

    private void failover(Execution execution, Throwable cause) {
        if (terminated || execution != current) {
            return;
        }
        failures.add(cause);
        for (JobListener l : listeners) {
            l.onFailure(attempt, cause);
        }
        coordinator.stopCheckpointScheduler();
        execution.stop();
        current = null;
        coordinator.abortPendingCheckpoints("fail-over of job " + graph.name() + " after: " + cause);
        if (restarts >= restartStrategy.maxRestarts()) {
            terminate(JobTermination.FAILED, null);
            return;
        }
        restarts++;
        restartAtNanos = System.nanoTime() + restartStrategy.delay().toNanos();
    }

    private void finalCheckpoint(Execution execution) {
        if (terminated || execution != current || !finalCheckpointExpected()) {
            return;
        }
        coordinator.triggerCheckpoint().whenComplete((cp, failure) -> {
            if (failure != null) {
                Thread retry = new Thread(() -> {
                    try {
                        Thread.sleep(FINAL_CHECKPOINT_RETRY_MILLIS);
                    } catch (InterruptedException e) {
                        return;
                    }
                    events.add(() -> finalCheckpoint(execution));
                }, "cairn-final-checkpoint-retry");
                retry.setDaemon(true);
                retry.start();
            }
        });
    }

    private void terminate(JobTermination termination, Throwable cause) {
        if (terminated) {
            return;
        }
        terminated = true;
        restartAtNanos = -1;
        if (cause != null) {
            failures.add(cause);
        }
        coordinator.stopCheckpointScheduler();
        Execution execution = current;
        current = null;
        if (execution != null) {
            execution.stop();
        }
        Optional<CompletedCheckpoint> latest = coordinator.latestCompletedCheckpoint();
        coordinator.shutdown(termination);
        result.complete(new JobResult(termination, restarts, failures, latest,
                Duration.ofNanos(System.nanoTime() - startNanos)));
    }

    /** Events from the current attempt, handled on the runner thread. */
    private final class ExecutionEvents implements Execution.Listener {
        @Override
        public void taskFailed(Execution execution, SubtaskId task, Throwable cause) {
            events.add(() -> failover(execution, new CairnException("task " + task + " failed: " + cause, cause)));
        }

        @Override
        public void allEndOfData(Execution execution) {
            events.add(() -> finalCheckpoint(execution));
        }

        @Override
        public void allFinished(Execution execution) {
            events.add(() -> {
                if (execution == current) {
                    terminate(JobTermination.FINISHED, null);
                }
            });
        }

        @Override
        public void recordProcessed(String operatorId) {
            processed.computeIfAbsent(operatorId, k -> new LongAdder()).increment();
        }
    }

    /** The coordinator's view of the running job. */
    private final class Gateway implements CheckpointTaskGateway {
        @Override
        public CheckpointPlan planCheckpoint() {
            Execution e = current;
            if (e == null) {
                throw new CheckpointException("job " + graph.name() + " has no running tasks (restarting or ended)");
            }
            return e.plan();
        }

        @Override
        public void triggerCheckpoint(CheckpointBarrier barrier, Set<SubtaskId> tasks) {
            Execution e = current;
            if (e != null) {
                e.trigger(barrier, tasks);
            }
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            Execution e = current;
            if (e != null) {
                e.notifyComplete(checkpointId);
            }
        }

        @Override
        public void notifyCheckpointAborted(long checkpointId) {
            Execution e = current;
            if (e != null) {
                e.notifyAborted(checkpointId);
            }
        }

        @Override
        public void failJob(Throwable cause) {
            Execution e = current;
            events.add(() -> failover(e, cause));
        }
    }

    /** No checkpoint: every subtask starts empty with its share of key groups. */
    private final class FreshStart implements Execution.RestoreSource {
        @Override
        public OptionalLong checkpointId() {
            return OptionalLong.empty();
        }

        @Override
        public boolean contains(String operatorId) {
            return false;
        }

        @Override
        public TaskRestore restoreFor(JobGraph.Node node, int subtask) {
            return new TaskRestore(KeyGroups.rangeForSubtask(graph.maxParallelism(), node.parallelism(), subtask),
                    List.of(), List.of());
        }
    }

    /** State assigned from a completed checkpoint with {@link StateAssignment}, at the graph's parallelism. */
    private final class CheckpointRestore implements Execution.RestoreSource {
        private final CheckpointMetadata metadata;
        private final Map<String, List<SubtaskRestoreState>> assignments = new HashMap<>();

        CheckpointRestore(CheckpointMetadata metadata) {
            this.metadata = metadata;
            for (JobGraph.Node node : graph.nodes()) {
                assignments.put(node.id(), StateAssignment.assign(metadata, node.id(), node.parallelism(),
                        graph.maxParallelism()));
            }
        }

        @Override
        public OptionalLong checkpointId() {
            return OptionalLong.of(metadata.checkpointId());
        }

        @Override
        public boolean contains(String operatorId) {
            return metadata.operators().stream().anyMatch(o -> o.operatorId().equals(operatorId));
        }

        @Override
        public TaskRestore restoreFor(JobGraph.Node node, int subtask) {
            SubtaskRestoreState s = assignments.get(node.id()).get(subtask);
            return new TaskRestore(s.keyGroupRange(), s.keyedState(), s.operatorState());
        }
    }

    /** Configures a {@link JobRunner}. */
    public static final class Builder {
        private final JobGraph graph;
        private CheckpointConfig config = CheckpointConfig.builder().build();
        private StateBackend stateBackend;
        private CheckpointStorage storage;
        private RestartStrategy restartStrategy = RestartStrategy.none();
        private FailureInjector failureInjector = FailureInjector.none();
        private CompletedCheckpoint restoreFrom;
        private RecoveryClaimMode claimMode = RecoveryClaimMode.NO_CLAIM;
        private int channelCapacity = DEFAULT_CHANNEL_CAPACITY;
        private Path localDirectory;
        private String jobId;
        private final List<JobListener> listeners = new ArrayList<>();
        private final List<CheckpointStatsListener> statsListeners = new ArrayList<>();

        private Builder(JobGraph graph) {
            this.graph = Objects.requireNonNull(graph, "graph");
        }

        public Builder checkpointConfig(CheckpointConfig config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        public Builder stateBackend(StateBackend backend) {
            this.stateBackend = Objects.requireNonNull(backend, "backend");
            return this;
        }

        public Builder checkpointStorage(CheckpointStorage storage) {
            this.storage = Objects.requireNonNull(storage, "storage");
            return this;
        }

        public Builder restartStrategy(RestartStrategy strategy) {
            this.restartStrategy = Objects.requireNonNull(strategy, "strategy");
            return this;
        }

        public Builder failureInjector(FailureInjector injector) {
            this.failureInjector = Objects.requireNonNull(injector, "injector");
            return this;
        }

        /** Starts from a retained checkpoint or savepoint (resolved from the storage) instead of empty state. */
        public Builder restoreFrom(CompletedCheckpoint checkpoint, RecoveryClaimMode claimMode) {
            this.restoreFrom = Objects.requireNonNull(checkpoint, "checkpoint");
            this.claimMode = Objects.requireNonNull(claimMode, "claimMode");
            return this;
        }

        /** Records a channel holds before its producer is backpressured (default 64). */
        public Builder channelCapacity(int capacity) {
            if (capacity < 1) {
                throw new IllegalArgumentException("channel capacity must be at least 1: " + capacity);
            }
            this.channelCapacity = capacity;
            return this;
        }

        /**
         * Where keyed backends keep local files. The run works in its own subdirectory {@code run-<id>}
         * (locked while it runs, deleted on close) and deletes the subdirectories of earlier runs whose lock
         * is free, which a killed process left behind. A temporary directory (deleted on close) when unset.
         */
        public Builder localDirectory(Path dir) {
            this.localDirectory = Objects.requireNonNull(dir, "dir");
            return this;
        }

        /** The job id given to the coordinator (and used in checkpoint paths); the graph's name when unset. */
        public Builder jobId(String jobId) {
            this.jobId = Objects.requireNonNull(jobId, "jobId");
            return this;
        }

        public Builder listener(JobListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        public Builder statsListener(CheckpointStatsListener listener) {
            statsListeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * The runner, with its coordinator created (and told about {@link #restoreFrom}).
         *
         * @throws dev.cairn.error.ConfigurationException if the graph has a feedback edge, checkpointing is on
         *                                                and not forced, or the backend or storage is missing
         */
        public JobRunner build() {
            if (stateBackend == null) {
                throw new dev.cairn.error.ConfigurationException("job " + graph.name() + ": no state backend given");
            }
            if (storage == null) {
                throw new dev.cairn.error.ConfigurationException("job " + graph.name()
                        + ": no checkpoint storage given");
            }
            CheckpointConfig.checkIterativeJob(graph.hasFeedbackEdge(), config);
            return new JobRunner(this);
        }
    }
}
