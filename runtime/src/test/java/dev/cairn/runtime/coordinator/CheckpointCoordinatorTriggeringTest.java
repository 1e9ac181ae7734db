package dev.cairn.runtime.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.backend.SnapshotType;
import dev.cairn.checkpoint.CompletedCheckpoint;
import dev.cairn.runtime.storage.MemoryCheckpointStorage;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CheckpointCoordinatorTriggeringTest extends CoordinatorTestSupport {

    @Test
    void periodicCheckpointsFollowTheInterval() throws Exception {
        TestGateway gateway = new TestGateway(TestGateway.simplePlan());
        gateway.autoAck = true;
        CheckpointCoordinator c = coordinator(config().interval(ms(30)).build(), new MemoryCheckpointStorage(JOB),
                gateway);
        long start = System.nanoTime();
        c.startCheckpointScheduler();
        await("four periodic checkpoints", () -> gateway.completed.size() >= 4);
        c.stopCheckpointScheduler();
        long elapsed = System.nanoTime() - start;
        assertThat(gateway.triggerNanos.get(1L) - start).as("first trigger after one interval")
                .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(29));
        assertThat(elapsed).as("four checkpoints need about four intervals")
                .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(4 * 30 - 5));
        assertThat(gateway.triggered.stream().map(CheckpointBarrier::checkpointId).toList().subList(0, 4))
                .containsExactly(1L, 2L, 3L, 4L);
        assertThat(gateway.triggered.get(0).options())
                .isEqualTo(new CheckpointOptions(SnapshotType.CHECKPOINT, AlignmentType.ALIGNED, 0));
        Thread.sleep(20);
        int count = gateway.triggered.size();
        Thread.sleep(100);
        assertThat(gateway.triggered).as("no trigger after the scheduler stopped").hasSize(count);
    }

    @Test
    void nextPeriodicCheckpointWaitsTheMinPauseAfterTheLastCompletion() throws Exception {
        TestGateway gateway = new TestGateway(TestGateway.simplePlan());
        gateway.autoAck = true;
        CheckpointCoordinator c = coordinator(config().interval(ms(20)).minPauseBetweenCheckpoints(ms(100)).build(),
                new MemoryCheckpointStorage(JOB), gateway);
        c.startCheckpointScheduler();
        await("three periodic checkpoints", () -> gateway.completed.size() >= 3);
        c.stopCheckpointScheduler();
        for (long id = 2; id <= 3; id++) {
            long pause = gateway.triggerNanos.get(id) - gateway.completeNanos.get(id - 1);
            assertThat(TimeUnit.NANOSECONDS.toMillis(pause)).as("pause before checkpoint " + id)
                    .isGreaterThanOrEqualTo(80);
        }
    }

    @Test
    void noPeriodicCheckpointStartsWhileMaxConcurrentArePending() throws Exception {
        TestGateway gateway = new TestGateway(TestGateway.simplePlan());
        CheckpointCoordinator c = coordinator(config().interval(ms(20)).maxConcurrentCheckpoints(2).build(),
                new MemoryCheckpointStorage(JOB), gateway);
        c.startCheckpointScheduler();
        CheckpointBarrier first = gateway.nextBarrier();
        gateway.nextBarrier();
        Thread.sleep(120);
        assertThat(gateway.triggered).as("six intervals passed, but two checkpoints are pending").hasSize(2);
        assertThat(c.pendingCheckpointIds()).containsExactly(1L, 2L);
        gateway.ackAll(first);
        CheckpointBarrier third = gateway.nextBarrier();
        assertThat(third.checkpointId()).isEqualTo(3);
        await("checkpoint 1 completed", () -> gateway.completed.contains(1L));
        assertThat(c.pendingCheckpointIds()).containsExactly(2L, 3L);
    }

    @Test
    void manualCheckpointsQueueBehindMaxConcurrentButIgnoreTheMinPause() throws Exception {
        TestGateway gateway = new TestGateway(TestGateway.simplePlan());
        CheckpointCoordinator c = coordinator(config().minPauseBetweenCheckpoints(ms(10_000)).build(),
                new MemoryCheckpointStorage(JOB), gateway);
        CompletableFuture<CompletedCheckpoint> one = c.triggerCheckpoint();
        CompletableFuture<CompletedCheckpoint> two = c.triggerCheckpoint();
        CheckpointBarrier b1 = gateway.nextBarrier();
        Thread.sleep(50);
        assertThat(gateway.triggered).as("the second request waits while one is pending").hasSize(1);
        assertThat(two).isNotDone();
        gateway.ackAll(b1);
        assertThat(get(one).checkpointId()).isEqualTo(1);
        CheckpointBarrier b2 = gateway.nextBarrier();
        assertThat(b2.checkpointId()).as("started at once despite the 10 s min pause").isEqualTo(2);
        gateway.ackAll(b2);
        assertThat(get(two).checkpointId()).isEqualTo(2);
    }

    @Test
    void savepointsDoNotWaitForPendingCheckpointsUnlessUnaligned() throws Exception {
        TestGateway gateway = new TestGateway(TestGateway.simplePlan());
        CheckpointCoordinator c = coordinator(config().build(), new MemoryCheckpointStorage(JOB), gateway);
        c.triggerCheckpoint();
        gateway.nextBarrier();
        CompletableFuture<CompletedCheckpoint> savepoint = c.triggerSavepoint(null);
        CheckpointBarrier sp = gateway.nextBarrier();
        assertThat(sp.options()).isEqualTo(new CheckpointOptions(SnapshotType.SAVEPOINT, AlignmentType.ALIGNED, 0));
        gateway.ackAll(sp);
        assertThat(get(savepoint).pointer()).contains("savepoint-");
        assertThat(gateway.completed).as("a savepoint sends no completion notification").isEmpty();

        TestGateway unalignedGateway = new TestGateway(TestGateway.simplePlan());
        CheckpointCoordinator unaligned = coordinator(config().unalignedCheckpoints(true).build(),
                new MemoryCheckpointStorage(JOB), unalignedGateway);
        unaligned.triggerCheckpoint();
        CheckpointBarrier cp = unalignedGateway.nextBarrier();
        assertThat(cp.options().alignment()).isEqualTo(AlignmentType.UNALIGNED);
        CompletableFuture<CompletedCheckpoint> queued = unaligned.triggerSavepoint(null);
        Thread.sleep(50);
        assertThat(unalignedGateway.triggered).as("with unaligned checkpoints the savepoint waits").hasSize(1);
        unalignedGateway.ackAll(cp);
        CheckpointBarrier sp2 = unalignedGateway.nextBarrier();
        assertThat(sp2.options().alignment()).isEqualTo(AlignmentType.ALIGNED);
        unalignedGateway.ackAll(sp2);
        assertThat(get(queued).checkpointId()).isEqualTo(2);
    }

    @Test
    void barriersCarryTheConfiguredAlignment() throws Exception {
        TestGateway gateway = new TestGateway(TestGateway.simplePlan());
        gateway.autoAck = true;
        CheckpointCoordinator c = coordinator(config().unalignedCheckpoints(true).alignedCheckpointTimeout(ms(250))
                .build(), new MemoryCheckpointStorage(JOB), gateway);
        get(c.triggerCheckpoint());
        CheckpointBarrier b = gateway.triggered.get(0);
        assertThat(b.options()).isEqualTo(new CheckpointOptions(SnapshotType.CHECKPOINT, AlignmentType.ALIGNED, 250));
        assertThat(b.options().isTimeoutable()).isTrue();
        assertThat(b.triggerTimestamp()).isPositive();
    }

    @Test
    void onlyTheSourcesAreTriggered() throws Exception {
        TestGateway gateway = new TestGateway(TestGateway.runningPlan("src", 2, "sink", 3));
        CheckpointCoordinator c = coordinator(config().build(), new MemoryCheckpointStorage(JOB), gateway);
        c.triggerCheckpoint();
        gateway.nextBarrier();
        assertThat(gateway.triggeredTasks.get(0)).containsExactlyInAnyOrder(new SubtaskId("src", 0),
                new SubtaskId("src", 1));
    }

    @Test
    void anInvalidPlanOrFinishedTasksWithoutCheckpointsAfterFinishFailTheTriggerUncounted() throws Exception {
        TestGateway gateway = new TestGateway(new CheckpointPlan(Set.of(new SubtaskId("src", 0)),
                Set.of(new SubtaskId("src", 0)), Set.of(), java.util.Map.of(
                        "src", new CheckpointPlan.OperatorInfo(1, 128, false),
                        "map", new CheckpointPlan.OperatorInfo(1, 128, false))));
        CheckpointCoordinator c = coordinator(config().build(), new MemoryCheckpointStorage(JOB), gateway);
        assertThat(failure(c.triggerCheckpoint())).isEqualTo(CheckpointFailureReason.TRIGGER_FAILURE);

        gateway.plan = new CheckpointPlan(Set.of(new SubtaskId("map", 0)), Set.of(new SubtaskId("map", 0)),
                Set.of(new SubtaskId("src", 0)), gateway.plan.operators());
        TestGateway strict = new TestGateway(gateway.plan);
        CheckpointCoordinator noAfterFinish = coordinator(config().checkpointsAfterTasksFinish(false).build(),
                new MemoryCheckpointStorage(JOB), strict);
        assertThat(failure(noAfterFinish.triggerCheckpoint()))
                .isEqualTo(CheckpointFailureReason.NOT_ALL_REQUIRED_TASKS_RUNNING);

        gateway.planFailure = new IllegalStateException("tasks are restarting");
        assertThat(failure(c.triggerCheckpoint())).isEqualTo(CheckpointFailureReason.TRIGGER_FAILURE);
        assertThat(gateway.jobFailures).isEmpty();
        assertThat(strict.jobFailures).isEmpty();
        assertThat(c.consecutiveFailures()).isZero();
    }

    @Test
    void theSchedulerNeedsAnInterval() {
        CheckpointCoordinator c = coordinator(config().build(), new MemoryCheckpointStorage(JOB),
                new TestGateway(TestGateway.simplePlan()));
        assertThatThrownBy(c::startCheckpointScheduler).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no interval");
    }

    @Test
    void requestsAfterShutdownFail() throws Exception {
        CheckpointCoordinator c = coordinator(config().build(), new MemoryCheckpointStorage(JOB),
                new TestGateway(TestGateway.simplePlan()));
        c.shutdown(dev.cairn.runtime.config.JobTermination.FINISHED);
        assertThat(failure(c.triggerCheckpoint())).isEqualTo(CheckpointFailureReason.COORDINATOR_SHUTDOWN);
    }
}
