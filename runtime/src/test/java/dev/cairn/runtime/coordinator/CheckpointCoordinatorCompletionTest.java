package dev.cairn.runtime.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.checkpoint.CompletedCheckpoint;
import dev.cairn.checkpoint.OperatorSnapshot;
import dev.cairn.checkpoint.SubtaskSnapshot;
import dev.cairn.runtime.storage.FileCheckpointStorage;
import dev.cairn.runtime.storage.MemoryCheckpointStorage;
import dev.cairn.state.RedistributionMode;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class CheckpointCoordinatorCompletionTest extends CoordinatorTestSupport {
    private static final SubtaskId SRC = new SubtaskId("src", 0);
    private static final SubtaskId MAP0 = new SubtaskId("map", 0);
    private static final SubtaskId MAP1 = new SubtaskId("map", 1);

    @Test
    void completionWritesMetadataNotifiesReportsThenCompletesTheFuture() throws Exception {
        FileCheckpointStorage storage = fileStorage();
        TestGateway gateway = new TestGateway(TestGateway.simplePlan());
        List<CheckpointStats> completed = new CopyOnWriteArrayList<>();
        CheckpointCoordinator c = coordinator(config().build(), storage, gateway);
        c.addListener(new CheckpointStatsListener() {
            @Override
            public void onCheckpointCompleted(CheckpointStats stats) {
                gateway.events.add("stats:" + stats.checkpointId());
                completed.add(stats);
            }
        });
        CompletableFuture<CompletedCheckpoint> future = c.triggerCheckpoint();
        future.thenRun(() -> gateway.events.add("future"));
        CheckpointBarrier barrier = gateway.nextBarrier();
        gateway.ack(barrier, SRC);
        gateway.ack(barrier, MAP0);
        Thread.sleep(20);
        assertThat(future).as("map#1 has not acknowledged").isNotDone();
        gateway.ack(barrier, MAP1);
        CompletedCheckpoint cp = get(future);
        await("future callback", () -> gateway.events.contains("future"));
        assertThat(gateway.events).containsExactly("trigger:1", "complete:1", "stats:1", "future");
        assertThat(cp.pointer()).isEqualTo(storage.checkpointLocation(1).replaceAll("/$", ""));
        assertThat(storage.resolve(cp.pointer())).isEqualTo(cp);
        assertThat(c.latestCompletedCheckpoint()).contains(cp);
        assertThat(cp.metadata().operators()).extracting(OperatorSnapshot::operatorId).containsExactly("map", "src");
        assertThat(cp.metadata().operators().get(0).subtasks()).extracting(SubtaskSnapshot::subtaskIndex)
                .containsExactly(0, 1);

        CheckpointStats stats = completed.get(0);
        assertThat(stats.status()).isEqualTo(CheckpointStats.Status.COMPLETED);
        assertThat(stats.isCompleted()).isTrue();
        assertThat(stats.savepoint()).isFalse();
        assertThat(stats.pointer()).isEqualTo(cp.pointer());
        assertThat(stats.failureReason()).isNull();
        assertThat(stats.taskMetrics()).containsOnlyKeys(SRC, MAP0, MAP1);
        assertThat(stats.taskMetrics().get(MAP1)).isEqualTo(TestGateway.metrics(MAP1));
        assertThat(stats.maxAlignmentMillis()).isEqualTo(10);
        assertThat(stats.stateSize()).isEqualTo(300);
        assertThat(stats.persistedBytes()).isEqualTo(120);
        assertThat(stats.triggerTimestamp()).isEqualTo(barrier.triggerTimestamp());
        assertThat(stats.durationMillis()).isGreaterThanOrEqualTo(20);
    }

    @Test
    void finishedSubtasksAreRecordedAsFinishedWithoutState() throws Exception {
        Map<String, CheckpointPlan.OperatorInfo> ops = Map.of(
                "src", new CheckpointPlan.OperatorInfo(2, 128, false),
                "map", new CheckpointPlan.OperatorInfo(1, 128, false));
        TestGateway gateway = new TestGateway(new CheckpointPlan(Set.of(MAP0), Set.of(MAP0),
                Set.of(SRC, new SubtaskId("src", 1)), ops));
        gateway.autoAck = true;
        CheckpointCoordinator c = coordinator(config().build(), new MemoryCheckpointStorage(JOB), gateway);
        CompletedCheckpoint cp = get(c.triggerCheckpoint());
        OperatorSnapshot src = cp.metadata().operators().stream().filter(o -> o.operatorId().equals("src"))
                .findFirst().orElseThrow();
        assertThat(src.parallelism()).isEqualTo(2);
        assertThat(src.subtasks()).containsExactly(new SubtaskSnapshot(0, List.of(), List.of(), true),
                new SubtaskSnapshot(1, List.of(), List.of(), true));
        assertThat(gateway.triggeredTasks.get(0)).containsExactly(MAP0);
    }

    @Test
    void unionStateIsOnlyCheckpointedWhenNoneOrAllSubtasksFinished() throws Exception {
        Map<String, CheckpointPlan.OperatorInfo> ops = Map.of(
                "src", new CheckpointPlan.OperatorInfo(1, 128, false),
                "map", new CheckpointPlan.OperatorInfo(2, 128, false));
        TestGateway gateway = new TestGateway(new CheckpointPlan(Set.of(SRC), Set.of(SRC, MAP0, MAP1), Set.of(), ops));
        CheckpointCoordinator c = coordinator(config().build(), new MemoryCheckpointStorage(JOB), gateway);

        CompletableFuture<CompletedCheckpoint> partial = c.triggerCheckpoint();
        CheckpointBarrier b1 = gateway.nextBarrier();
        gateway.ack(b1, SRC);
        ackUnion(c, b1, MAP0, true);
        ackUnion(c, b1, MAP1, false);
        assertThat(failure(partial)).isEqualTo(CheckpointFailureReason.TASK_CLOSING);
        assertThat(gateway.jobFailures).as("not counted, although nothing is tolerated").isEmpty();
        assertThat(c.consecutiveFailures()).isZero();

        CompletableFuture<CompletedCheckpoint> none = c.triggerCheckpoint();
        CheckpointBarrier b2 = gateway.nextBarrier();
        gateway.ack(b2, SRC);
        ackUnion(c, b2, MAP0, false);
        ackUnion(c, b2, MAP1, false);
        assertThat(get(none).checkpointId()).isEqualTo(2);

        CompletableFuture<CompletedCheckpoint> all = c.triggerCheckpoint();
        CheckpointBarrier b3 = gateway.nextBarrier();
        gateway.ack(b3, SRC);
        ackUnion(c, b3, MAP0, true);
        ackUnion(c, b3, MAP1, true);
        assertThat(get(all).checkpointId()).isEqualTo(3);

        gateway.plan = new CheckpointPlan(Set.of(SRC), Set.of(SRC, MAP0), Set.of(MAP1), Map.of(
                "src", new CheckpointPlan.OperatorInfo(1, 128, false),
                "map", new CheckpointPlan.OperatorInfo(2, 128, true)));
        CompletableFuture<CompletedCheckpoint> oneFinishedTask = c.triggerCheckpoint();
        CheckpointBarrier b4 = gateway.nextBarrier();
        gateway.ack(b4, SRC);
        gateway.ack(b4, MAP0);
        assertThat(failure(oneFinishedTask)).as("declared union state, one task finished")
                .isEqualTo(CheckpointFailureReason.TASK_CLOSING);
    }

    private static void ackUnion(CheckpointCoordinator c, CheckpointBarrier b, SubtaskId s, boolean finished) {
        c.acknowledgeCheckpoint(b.checkpointId(), s, TestGateway.snapshot(b, s, RedistributionMode.UNION, finished),
                TestGateway.metrics(s));
    }

    @Test
    void theNewestCheckpointsAreRetainedAndOlderOnesDiscarded() throws Exception {
        FileCheckpointStorage storage = fileStorage();
        TestGateway gateway = new TestGateway(TestGateway.simplePlan());
        gateway.autoAck = true;
        CheckpointCoordinator c = coordinator(config().numRetainedCheckpoints(2).build(), storage, gateway);
        for (int i = 0; i < 5; i++) {
            get(c.triggerCheckpoint());
        }
        CompletedCheckpoint savepoint = get(c.triggerSavepoint(null));
        for (int i = 0; i < 3; i++) {
            get(c.triggerCheckpoint());
        }
        assertThat(ids(c.retainedCheckpoints())).containsExactly(8L, 9L);
        assertThat(ids(storage.completedCheckpoints())).containsExactly(8L, 9L);
        for (long id = 1; id <= 7; id++) {
            assertThat(filesOf(storage, id)).as("files of discarded checkpoint " + id).isEmpty();
        }
        assertThat(filesOf(storage, 9)).hasSize(4);
        assertThat(storage.resolve(savepoint.pointer()).checkpointId()).as("the savepoint is kept").isEqualTo(6);
        assertThat(gateway.completed).containsExactly(1L, 2L, 3L, 4L, 5L, 7L, 8L, 9L);
    }

    @Test
    void aCompletedCheckpointSubsumesOlderPendingCheckpointsButNotSavepoints() throws Exception {
        FileCheckpointStorage storage = fileStorage();
        TestGateway gateway = new TestGateway(TestGateway.simplePlan());
        CheckpointCoordinator c = coordinator(config().maxConcurrentCheckpoints(3).build(), storage, gateway);
        CompletableFuture<CompletedCheckpoint> one = c.triggerCheckpoint();
        CheckpointBarrier b1 = gateway.nextBarrier();
        gateway.ack(b1, SRC);
        CompletableFuture<CompletedCheckpoint> savepoint = c.triggerSavepoint(null);
        CheckpointBarrier sp = gateway.nextBarrier();
        CompletableFuture<CompletedCheckpoint> three = c.triggerCheckpoint();
        gateway.ackAll(gateway.nextBarrier());
        assertThat(get(three).checkpointId()).isEqualTo(3);
        assertThat(failure(one)).isEqualTo(CheckpointFailureReason.SUBSUMED);
        assertThat(filesOf(storage, 1)).as("files of the subsumed checkpoint").isEmpty();
        assertThat(savepoint).isNotDone();
        assertThat(c.pendingCheckpointIds()).containsExactly(2L);
        gateway.ackAll(sp);
        assertThat(get(savepoint).checkpointId()).isEqualTo(2);
        assertThat(ids(c.retainedCheckpoints())).as("savepoints are not retained checkpoints").containsExactly(3L);
    }

    @Test
    void lateUnknownAndDuplicateAcknowledgements() throws Exception {
        FileCheckpointStorage storage = fileStorage();
        TestGateway gateway = new TestGateway(TestGateway.simplePlan());
        CheckpointCoordinator c = coordinator(config().build(), storage, gateway);

        CompletableFuture<CompletedCheckpoint> aborted = c.triggerCheckpoint();
        CheckpointBarrier b1 = gateway.nextBarrier();
        SubtaskSnapshot tracked = TestGateway.snapshot(b1, SRC, RedistributionMode.SPLIT, false);
        CheckpointBarrier untrackedWriter = new CheckpointBarrier(1, b1.triggerTimestamp(), b1.options(),
                reopen(storage).initializeLocation(1));
        SubtaskSnapshot untracked = TestGateway.snapshot(untrackedWriter, MAP0, RedistributionMode.SPLIT, false);
        assertThat(filesOf(storage, 1)).hasSize(2);
        c.abortPendingCheckpoints("fail-over");
        assertThat(failure(aborted)).isEqualTo(CheckpointFailureReason.JOB_FAILOVER);
        assertThat(filesOf(storage, 1)).as("the location deleted what it wrote").hasSize(1);
        c.acknowledgeCheckpoint(1, SRC, tracked, TestGateway.metrics(SRC));
        c.acknowledgeCheckpoint(1, MAP0, untracked, TestGateway.metrics(MAP0));
        await("late state of checkpoint 1 deleted", () -> filesOf(storage, 1).isEmpty());

        CompletableFuture<CompletedCheckpoint> second = c.triggerCheckpoint();
        CheckpointBarrier b2 = gateway.nextBarrier();
        SubtaskSnapshot src = gateway.ack(b2, SRC);
        c.acknowledgeCheckpoint(2, SRC, src, TestGateway.metrics(SRC));
        gateway.ack(b2, new SubtaskId("unknown", 0));
        SubtaskSnapshot map0 = gateway.ack(b2, MAP0);
        SubtaskId stranger = new SubtaskId("map", 5);
        SubtaskSnapshot strangerState = TestGateway.snapshot(b2, stranger, RedistributionMode.SPLIT, false);
        Thread.sleep(20);
        assertThat(second).as("a duplicate is not a second acknowledgement").isNotDone();
        gateway.ack(b2, MAP1);
        CompletedCheckpoint cp = get(second);
        assertThat(cp.metadata().allHandles()).hasSize(3);
        await("only referenced files and the stranger's remain", () -> filesOf(storage, 2).size() == 5);

        c.acknowledgeCheckpoint(2, MAP0, map0, TestGateway.metrics(MAP0));
        c.acknowledgeCheckpoint(2, stranger, strangerState, TestGateway.metrics(stranger));
        await("the stranger's late state deleted", () -> filesOf(storage, 2).size() == 4);
        assertThat(storage.resolve(cp.pointer()).metadata()).as("a duplicate after completion is ignored")
                .isEqualTo(cp.metadata());
    }
}
