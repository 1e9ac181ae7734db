package dev.cairn.runtime.coordinator;

import dev.cairn.checkpoint.CheckpointStateOutputStream;
import dev.cairn.checkpoint.CheckpointedStateScope;
import dev.cairn.checkpoint.OperatorStateHandle;
import dev.cairn.checkpoint.StreamStateHandle;
import dev.cairn.checkpoint.SubtaskSnapshot;
import dev.cairn.state.RedistributionMode;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A job for the coordinator's tests: it returns a configurable plan, records every call, and
 * either leaves acknowledging to the test or acknowledges every waited-for subtask at once with a
 * small operator state written through the barrier's stream factory.
 */
final class TestGateway implements CheckpointTaskGateway {
    volatile CheckpointPlan plan;
    volatile CheckpointResponder responder;
    volatile boolean autoAck;
    volatile RuntimeException planFailure;
    final BlockingQueue<CheckpointBarrier> barriers = new LinkedBlockingQueue<>();
    final List<CheckpointBarrier> triggered = new CopyOnWriteArrayList<>();
    final List<Set<SubtaskId>> triggeredTasks = new CopyOnWriteArrayList<>();
    final Map<Long, Long> triggerNanos = new ConcurrentHashMap<>();
    final Map<Long, Long> completeNanos = new ConcurrentHashMap<>();
    final List<Long> completed = new CopyOnWriteArrayList<>();
    final List<Long> aborted = new CopyOnWriteArrayList<>();
    final List<Throwable> jobFailures = new CopyOnWriteArrayList<>();
    final List<String> events = new CopyOnWriteArrayList<>();

    TestGateway(CheckpointPlan plan) {
        this.plan = plan;
    }

    /** Sources {@code source#0..n-1} triggered, all subtasks of both operators running, max parallelism 128. */
    static CheckpointPlan runningPlan(String source, int sourceParallelism, String other, int otherParallelism) {
        Set<SubtaskId> trigger = new HashSet<>();
        Set<SubtaskId> all = new HashSet<>();
        for (int i = 0; i < sourceParallelism; i++) {
            trigger.add(new SubtaskId(source, i));
        }
        all.addAll(trigger);
        for (int i = 0; i < otherParallelism; i++) {
            all.add(new SubtaskId(other, i));
        }
        return new CheckpointPlan(trigger, all, Set.of(), Map.of(
                source, new CheckpointPlan.OperatorInfo(sourceParallelism, 128, false),
                other, new CheckpointPlan.OperatorInfo(otherParallelism, 128, false)));
    }

    /** The default plan: {@code src} with 1 subtask, {@code map} with 2. */
    static CheckpointPlan simplePlan() {
        return runningPlan("src", 1, "map", 2);
    }

    @Override
    public CheckpointPlan planCheckpoint() {
        RuntimeException failure = planFailure;
        if (failure != null) {
            throw failure;
        }
        return plan;
    }

    @Override
    public void triggerCheckpoint(CheckpointBarrier barrier, Set<SubtaskId> tasks) {
        triggerNanos.put(barrier.checkpointId(), System.nanoTime());
        triggeredTasks.add(Set.copyOf(tasks));
        triggered.add(barrier);
        events.add("trigger:" + barrier.checkpointId());
        barriers.add(barrier);
        if (autoAck) {
            CheckpointPlan current = plan;
            for (SubtaskId s : current.tasksToWaitFor()) {
                ack(barrier, s);
            }
        }
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        completeNanos.put(checkpointId, System.nanoTime());
        completed.add(checkpointId);
        events.add("complete:" + checkpointId);
    }

    @Override
    public void notifyCheckpointAborted(long checkpointId) {
        aborted.add(checkpointId);
        events.add("abort:" + checkpointId);
    }

    @Override
    public void failJob(Throwable cause) {
        jobFailures.add(cause);
        events.add("failJob");
    }

    /** The next barrier, waiting up to 5 s. */
    CheckpointBarrier nextBarrier() throws InterruptedException {
        CheckpointBarrier b = barriers.poll(5, TimeUnit.SECONDS);
        if (b == null) {
            throw new AssertionError("no checkpoint was triggered within 5 s");
        }
        return b;
    }

    /** Acknowledges {@code barrier} for {@code subtask} with one small operator state file. */
    SubtaskSnapshot ack(CheckpointBarrier barrier, SubtaskId subtask) {
        SubtaskSnapshot snapshot = snapshot(barrier, subtask, RedistributionMode.SPLIT, false);
        responder.acknowledgeCheckpoint(barrier.checkpointId(), subtask, snapshot, metrics(subtask));
        return snapshot;
    }

    /** Acknowledges {@code barrier} for every subtask the plan waits for. */
    void ackAll(CheckpointBarrier barrier) {
        for (SubtaskId s : plan.tasksToWaitFor()) {
            ack(barrier, s);
        }
    }

    static TaskCheckpointMetrics metrics(SubtaskId subtask) {
        return new TaskCheckpointMetrics(1, 2, 10L * subtask.subtaskIndex(), 100, 40, false);
    }

    /** A snapshot whose operator state (one element) is written through the barrier's stream factory. */
    static SubtaskSnapshot snapshot(CheckpointBarrier barrier, SubtaskId subtask, RedistributionMode mode,
            boolean finished) {
        StreamStateHandle handle;
        try (CheckpointStateOutputStream out = barrier.streams().createOutputStream(CheckpointedStateScope.EXCLUSIVE)) {
            out.write((subtask + "@" + barrier.checkpointId()).getBytes(StandardCharsets.UTF_8));
            handle = out.commit();
        }
        Map<String, OperatorStateHandle.StateMetaInfo> states = new HashMap<>();
        states.put("offsets", new OperatorStateHandle.StateMetaInfo(mode, new long[] {0}));
        return new SubtaskSnapshot(subtask.subtaskIndex(), List.of(), List.of(new OperatorStateHandle(states, handle)),
                finished);
    }
}
