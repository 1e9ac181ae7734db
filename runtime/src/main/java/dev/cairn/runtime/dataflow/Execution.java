package dev.cairn.runtime.dataflow;

import dev.cairn.backend.StateBackend;
import dev.cairn.checkpoint.StateHandleReader;
import dev.cairn.checkpoint.SubtaskSnapshot;
import dev.cairn.error.CheckpointException;
import dev.cairn.runtime.coordinator.CheckpointBarrier;
import dev.cairn.runtime.coordinator.CheckpointPlan;
import dev.cairn.runtime.coordinator.CheckpointResponder;
import dev.cairn.runtime.coordinator.SubtaskId;
import dev.cairn.runtime.coordinator.TaskCheckpointMetrics;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * One execution attempt of a job graph: its tasks (one thread per subtask), the channels between them, the
 * executor of asynchronous snapshot phases, and the task side of the checkpoint protocol (plans, triggers,
 * notifications, acknowledgements on behalf of finished tasks). A fail-over stops the attempt and starts a
 * new one; acknowledgements of a stopped attempt are dropped.
 */
final class Execution {
    /** What the runner learns from an attempt. */
    interface Listener {
        void taskFailed(Execution execution, SubtaskId task, Throwable cause);

        void allEndOfData(Execution execution);

        void allFinished(Execution execution);

        void recordProcessed(String operatorId);
    }

    /** Everything an attempt is built from. */
    record Setup(JobGraph graph, int attempt, String attemptId, StateBackend stateBackend,
            StateHandleReader handleReader, CheckpointResponder responder, RestoreSource restore,
            boolean finalCheckpointExpected, FailureInjector failureInjector, int channelCapacity,
            Path localDirectory, Listener listener) {
        Setup {
            Objects.requireNonNull(graph, "graph");
            Objects.requireNonNull(stateBackend, "stateBackend");
            Objects.requireNonNull(handleReader, "handleReader");
            Objects.requireNonNull(responder, "responder");
            Objects.requireNonNull(restore, "restore");
            Objects.requireNonNull(failureInjector, "failureInjector");
            Objects.requireNonNull(localDirectory, "localDirectory");
            Objects.requireNonNull(listener, "listener");
            if (channelCapacity < 1) {
                throw new IllegalArgumentException("channel capacity must be at least 1: " + channelCapacity);
            }
        }
    }

    /** Where the tasks' initial state comes from. */
    interface RestoreSource {
        OptionalLong checkpointId();

        /** Whether the restored checkpoint holds the operator. */
        boolean contains(String operatorId);

        TaskRestore restoreFor(JobGraph.Node node, int subtask);
    }

    private final Setup setup;
    private final Map<SubtaskId, StreamTask> tasks = new LinkedHashMap<>();
    private final Map<SubtaskId, List<StreamTask>> downstream = new HashMap<>();
    private final Map<SubtaskId, List<StreamTask>> upstream = new HashMap<>();
    private final TreeMap<Long, CheckpointBarrier> pending = new TreeMap<>();
    private final List<Thread> threads = new ArrayList<>();
    private final ExecutorService asyncExecutor;
    private int endOfDataCount;
    private int finishedCount;
    private volatile boolean stopped;

    Execution(Setup setup) {
        this.setup = setup;
        AtomicInteger n = new AtomicInteger();
        String prefix = "cairn-async-" + setup.graph().name() + "-" + setup.attempt() + "-";
        this.asyncExecutor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        JobGraph graph = setup.graph();
        for (JobGraph.Node node : graph.nodes()) {
            for (int i = 0; i < node.parallelism(); i++) {
                StreamTask task = new StreamTask(this, node, i, setup.restore().restoreFor(node, i));
                tasks.put(task.id, task);
                downstream.put(task.id, new ArrayList<>());
                upstream.put(task.id, new ArrayList<>());
            }
        }
        for (JobGraph.Node node : graph.nodes()) {
            for (int e = 0; e < node.outputs().size(); e++) {
                JobGraph.Edge edge = node.outputs().get(e);
                JobGraph.Node target = edge.target();
                int inputIndex = target.inputs().indexOf(edge);
                for (int s = 0; s < node.parallelism(); s++) {
                    StreamTask producer = task(node, s);
                    List<Channel> channels = new ArrayList<>();
                    for (int t = 0; t < target.parallelism(); t++) {
                        if (edge.partitioning() == JobGraph.Partitioning.FORWARD && s != t) {
                            continue;
                        }
                        StreamTask consumer = task(target, t);
                        Channel channel = new Channel(setup.channelCapacity(), edge.isFeedback(), producer.waker,
                                consumer.waker);
                        channels.add(channel);
                        consumer.inputs.add(new StreamTask.InputChannel(channel, edge, inputIndex));
                        if (!edge.isFeedback()) {
                            downstream.get(producer.id).add(consumer);
                            upstream.get(consumer.id).add(producer);
                        }
                    }
                    producer.outputs.add(new StreamTask.OutputEdge(edge, channels, graph.maxParallelism(), s));
                }
            }
        }
    }

    private StreamTask task(JobGraph.Node node, int subtask) {
        return tasks.get(new SubtaskId(node.id(), subtask));
    }

    void start() {
        for (StreamTask task : tasks.values()) {
            Thread t = new Thread(task, "cairn-task-" + task.id + "-a" + setup.attempt());
            t.setDaemon(true);
            threads.add(t);
        }
        threads.forEach(Thread::start);
    }

    /** Cancels every task, waits for their threads and the asynchronous phases, and drops later acknowledgements. */
    void stop() {
        stopped = true;
        for (StreamTask t : tasks.values()) {
            t.cancelled = true;
        }
        threads.forEach(Thread::interrupt);
        for (Thread t : threads) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        asyncExecutor.shutdownNow();
        try {
            asyncExecutor.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Each task's state, one per line. */
    String describe() {
        StringBuilder sb = new StringBuilder("attempt ").append(setup.attempt());
        synchronized (this) {
            sb.append(", pending barriers ").append(pending.keySet());
        }
        for (StreamTask t : tasks.values()) {
            sb.append("\n  ").append(t.describe());
        }
        return sb.toString();
    }

    boolean isStopped() {
        return stopped;
    }

    int attempt() {
        return setup.attempt();
    }

    // ---- what tasks ask ------------------------------------------------------------------------------------

    StateBackend stateBackend() {
        return setup.stateBackend();
    }

    StateHandleReader handleReader() {
        return setup.handleReader();
    }

    Path localDirectory() {
        return setup.localDirectory();
    }

    int maxParallelism() {
        return setup.graph().maxParallelism();
    }

    String attemptId() {
        return setup.attemptId();
    }

    OptionalLong restoredCheckpointId() {
        return setup.restore().checkpointId();
    }

    boolean isRestored(JobGraph.Node node) {
        return setup.restore().contains(node.id());
    }

    boolean finalCheckpointExpected() {
        return setup.finalCheckpointExpected();
    }

    void beforeRecord(StreamTask task, long count) {
        setup.failureInjector().beforeRecord(task.id, count, setup.attempt());
    }

    void recordProcessed(JobGraph.Node node) {
        setup.listener().recordProcessed(node.id());
    }

    /** Runs the asynchronous phase of a snapshot and acknowledges or declines it. */
    void runAsync(StreamTask task, long checkpointId, Supplier<Long> statePhase,
            CompletableFuture<List<byte[]>> channelState, BiFunction<Long, List<byte[]>, StreamTask.Ack> finish) {
        if (stopped) {
            return;
        }
        try {
            CompletableFuture.supplyAsync(statePhase, asyncExecutor)
                    .thenCombine(channelState, (start, input) -> new Object[] {start, input})
                    .thenApplyAsync(pair -> {
                        @SuppressWarnings("unchecked")
                        List<byte[]> input = (List<byte[]>) pair[1];
                        return finish.apply((Long) pair[0], input);
                    }, asyncExecutor)
                    .whenComplete((ack, failure) -> {
                        if (stopped) {
                            return;
                        }
                        if (failure == null) {
                            setup.responder().acknowledgeCheckpoint(checkpointId, task.id, ack.snapshot(),
                                    ack.metrics());
                        } else if (!StreamTask.isSuperseded(failure)) {
                            setup.responder().declineCheckpoint(checkpointId, task.id, unwrap(failure));
                        }
                    });
        } catch (RejectedExecutionException e) {
            if (!stopped) {
                throw e;
            }
        }
    }

    private static Throwable unwrap(Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }

    void taskFailed(StreamTask task, Throwable cause) {
        if (!stopped) {
            setup.listener().taskFailed(this, task.id, cause);
        }
    }

    void endOfData(StreamTask task) {
        boolean all;
        synchronized (this) {
            endOfDataCount++;
            all = endOfDataCount == tasks.size();
        }
        if (all && !stopped) {
            setup.listener().allEndOfData(this);
        }
    }

    void taskFinished(StreamTask task) {
        boolean all;
        List<Long> acks = new ArrayList<>();
        synchronized (this) {
            task.finished = true;
            finishedCount++;
            all = finishedCount == tasks.size();
            for (CheckpointBarrier b : pending.tailMap(task.lastSnapshotted, false).values()) {
                acks.add(b.checkpointId());
                forwardTrigger(task, b);
            }
        }
        for (long id : acks) {
            acknowledgeFinished(task, id);
        }
        if (all && !stopped) {
            setup.listener().allFinished(this);
        }
    }

    // ---- the gateway side ----------------------------------------------------------------------------------

    /** The plan of a checkpoint triggered now: see {@link CheckpointPlan}. */
    synchronized CheckpointPlan plan() {
        if (stopped) {
            throw new CheckpointException("job " + setup.graph().name() + " is restarting; its tasks are not running");
        }
        Set<SubtaskId> trigger = new HashSet<>();
        Set<SubtaskId> waitFor = new HashSet<>();
        Set<SubtaskId> finished = new HashSet<>();
        for (StreamTask t : tasks.values()) {
            if (t.finished) {
                finished.add(t.id);
                continue;
            }
            waitFor.add(t.id);
            boolean runningUpstream = false;
            for (StreamTask u : upstream.get(t.id)) {
                runningUpstream |= !u.finished;
            }
            if (!runningUpstream) {
                trigger.add(t.id);
            }
        }
        Map<String, CheckpointPlan.OperatorInfo> operators = new LinkedHashMap<>();
        for (JobGraph.Node node : setup.graph().nodes()) {
            boolean union = false;
            for (int i = 0; i < node.parallelism(); i++) {
                union |= task(node, i).usesUnionState();
            }
            operators.put(node.id(), new CheckpointPlan.OperatorInfo(node.parallelism(), maxParallelism(), union));
        }
        return new CheckpointPlan(trigger, waitFor, finished, operators);
    }

    /**
     * Injects {@code barrier} at {@code targets}. A target that already finished passes the trigger to its
     * downstream tasks, and every finished task acknowledges with empty, finished state.
     */
    void trigger(CheckpointBarrier barrier, Set<SubtaskId> targets) {
        List<StreamTask> finished = new ArrayList<>();
        synchronized (this) {
            if (stopped) {
                return;
            }
            pending.put(barrier.checkpointId(), barrier);
            for (SubtaskId target : targets) {
                StreamTask t = tasks.get(target);
                if (t == null) {
                    continue;
                }
                if (t.finished) {
                    forwardTrigger(t, barrier);
                } else {
                    t.trigger(barrier);
                }
            }
            for (StreamTask t : tasks.values()) {
                if (t.finished) {
                    finished.add(t);
                }
            }
        }
        for (StreamTask t : finished) {
            acknowledgeFinished(t, barrier.checkpointId());
        }
    }

    private void forwardTrigger(StreamTask from, CheckpointBarrier barrier) {
        for (StreamTask d : downstream.get(from.id)) {
            if (d.finished) {
                forwardTrigger(d, barrier);
            } else {
                d.trigger(barrier);
            }
        }
    }

    private void acknowledgeFinished(StreamTask task, long checkpointId) {
        synchronized (this) {
            if (checkpointId <= task.acknowledgedWhileFinished || checkpointId <= task.lastSnapshotted) {
                return;
            }
            task.acknowledgedWhileFinished = checkpointId;
        }
        SubtaskSnapshot empty = new SubtaskSnapshot(task.index, List.of(), List.of(), true);
        try {
            asyncExecutor.execute(() -> {
                if (!stopped) {
                    setup.responder().acknowledgeCheckpoint(checkpointId, task.id, empty,
                            new TaskCheckpointMetrics(0, 0, 0, 0, 0, false));
                }
            });
        } catch (RejectedExecutionException e) {
            if (!stopped) {
                throw e;
            }
        }
    }

    void notifyComplete(long checkpointId) {
        synchronized (this) {
            pending.headMap(checkpointId, true).clear();
        }
        for (StreamTask t : tasks.values()) {
            t.notifyComplete(checkpointId);
        }
    }

    void notifyAborted(long checkpointId) {
        synchronized (this) {
            pending.remove(checkpointId);
        }
        for (StreamTask t : tasks.values()) {
            t.notifyAborted(checkpointId);
        }
    }
}
