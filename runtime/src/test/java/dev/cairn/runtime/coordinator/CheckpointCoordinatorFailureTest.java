package dev.cairn.runtime.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.checkpoint.CompletedCheckpoint;
import dev.cairn.runtime.storage.FileCheckpointStorage;
import dev.cairn.runtime.storage.MemoryCheckpointStorage;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class CheckpointCoordinatorFailureTest extends CoordinatorTestSupport {
    private static final SubtaskId SRC = new SubtaskId("src", 0);
    private static final SubtaskId MAP0 = new SubtaskId("map", 0);

    @Test
    void anExpiredCheckpointIsAbortedItsFilesDeletedAndItCounts() throws Exception {
        FileCheckpointStorage storage = fileStorage();
        TestGateway gateway = new TestGateway(TestGateway.simplePlan());
        List<CheckpointStats> failed = new CopyOnWriteArrayList<>();
        CheckpointCoordinator c = coordinator(config().checkpointTimeout(ms(200)).tolerableCheckpointFailureNumber(1)
                .build(), storage, gateway);
        c.addListener(new CheckpointStatsListener() {
            @Override
            public void onCheckpointFailed(CheckpointStats stats) {
                failed.add(stats);
            }
        });
        CompletableFuture<CompletedCheckpoint> future = c.triggerCheckpoint();
        CheckpointBarrier barrier = gateway.nextBarrier();
        gateway.ack(barrier, SRC);
        gateway.ack(barrier, MAP0);
        assertThat(filesOf(storage, 1)).as("state written by two subtasks").hasSize(2);
        assertThat(failure(future)).isEqualTo(CheckpointFailureReason.EXPIRED);
        assertThat(filesOf(storage, 1)).as("files of the expired checkpoint").isEmpty();
        assertThat(gateway.aborted).containsExactly(1L);
        assertThat(c.pendingCheckpointIds()).isEmpty();
        assertThat(c.retainedCheckpoints()).isEmpty();
        assertThat(c.consecutiveFailures()).isEqualTo(1);
        assertThat(gateway.jobFailures).as("1 failure is tolerated").isEmpty();
        assertThat(failed).singleElement().satisfies(s -> {
            assertThat(s.status()).isEqualTo(CheckpointStats.Status.FAILED);
            assertThat(s.failureReason()).isEqualTo(CheckpointFailureReason.EXPIRED);
            assertThat(s.failureMessage()).contains("timeout of 200 ms");
            assertThat(s.taskMetrics()).containsOnlyKeys(SRC, MAP0);
            assertThat(s.durationMillis()).isGreaterThanOrEqualTo(195);
        });

        CompletableFuture<CompletedCheckpoint> second = c.triggerCheckpoint();
        gateway.nextBarrier();
        assertThat(failure(second)).isEqualTo(CheckpointFailureReason.EXPIRED);
        await("fail-over demanded", () -> gateway.jobFailures.size() == 1);
        assertThat(gateway.jobFailures.get(0)).hasMessageStartingWith(
                "Exceeded checkpoint tolerable failure threshold");
    }

    @Test
    void declinesCountAndACompletedCheckpointResetsTheCount() throws Exception {
        TestGateway gateway = new TestGateway(TestGateway.simplePlan());
        CheckpointCoordinator c = coordinator(config().tolerableCheckpointFailureNumber(1).build(),
                new MemoryCheckpointStorage(JOB), gateway);

        CompletableFuture<CompletedCheckpoint> one = c.triggerCheckpoint();
        c.declineCheckpoint(gateway.nextBarrier().checkpointId(), MAP0, new RuntimeException("async phase failed"));
        assertThat(failure(one)).isEqualTo(CheckpointFailureReason.DECLINED);
        assertThat(c.consecutiveFailures()).isEqualTo(1);
        c.declineCheckpoint(1, SRC, new RuntimeException("again"));
        assertThat(c.consecutiveFailures()).as("an id counts once").isEqualTo(1);

        CompletableFuture<CompletedCheckpoint> two = c.triggerCheckpoint();
        gateway.ackAll(gateway.nextBarrier());
        get(two);
        assertThat(c.consecutiveFailures()).as("reset by a completed checkpoint").isZero();

        CompletableFuture<CompletedCheckpoint> three = c.triggerCheckpoint();
        c.declineCheckpoint(gateway.nextBarrier().checkpointId(), SRC, new RuntimeException("x"));
        failure(three);
        assertThat(gateway.jobFailures).isEmpty();

        CompletableFuture<CompletedCheckpoint> four = c.triggerCheckpoint();
        c.declineCheckpoint(gateway.nextBarrier().checkpointId(), SRC, new RuntimeException("y"));
        failure(four);
        await("fail-over demanded", () -> gateway.jobFailures.size() == 1);
        assertThat(gateway.jobFailures.get(0)).hasMessageStartingWith(
                "Exceeded checkpoint tolerable failure threshold").hasMessageContaining("checkpoint 4");
        assertThat(c.consecutiveFailures()).as("counting starts afresh after the fail-over").isZero();
    }

    @Test
    void aCoordinatorSideIoErrorCounts() throws Exception {
        FaultyStorage storage = new FaultyStorage(new MemoryCheckpointStorage(JOB));
        storage.failInitialize = true;
        TestGateway gateway = new TestGateway(TestGateway.simplePlan());
        CheckpointCoordinator c = coordinator(config().build(), storage, gateway);
        assertThat(failure(c.triggerCheckpoint())).isEqualTo(CheckpointFailureReason.IO_EXCEPTION);
        assertThat(gateway.triggered).as("no barrier without a location").isEmpty();
        await("fail-over demanded", () -> gateway.jobFailures.size() == 1);
        assertThat(gateway.jobFailures.get(0)).hasMessageStartingWith(
                "Exceeded checkpoint tolerable failure threshold");
    }

    @Test
    void aFinalizationFailureCountsAndDeletesTheFiles() throws Exception {
        FileCheckpointStorage files = fileStorage();
        FaultyStorage storage = new FaultyStorage(files);
        storage.failFinalize = true;
        TestGateway gateway = new TestGateway(TestGateway.simplePlan());
        gateway.autoAck = true;
        CheckpointCoordinator c = coordinator(config().build(), storage, gateway);
        assertThat(failure(c.triggerCheckpoint())).isEqualTo(CheckpointFailureReason.FINALIZE_FAILURE);
        assertThat(filesOf(files, 1)).isEmpty();
        assertThat(files.completedCheckpoints()).isEmpty();
        await("fail-over demanded", () -> gateway.jobFailures.size() == 1);
    }

    @Test
    void savepointFailuresAreNeverCounted() throws Exception {
        FaultyStorage storage = new FaultyStorage(new MemoryCheckpointStorage(JOB));
        TestGateway gateway = new TestGateway(TestGateway.simplePlan());
        CheckpointCoordinator c = coordinator(config().checkpointTimeout(ms(200)).build(), storage, gateway);
        CompletableFuture<CompletedCheckpoint> declined = c.triggerSavepoint(null);
        c.declineCheckpoint(gateway.nextBarrier().checkpointId(), SRC, new RuntimeException("async"));
        assertThat(failure(declined)).isEqualTo(CheckpointFailureReason.DECLINED);
        assertThat(failure(c.triggerSavepoint(null))).as("never acknowledged")
                .isEqualTo(CheckpointFailureReason.EXPIRED);
        storage.failInitialize = true;
        assertThat(failure(c.triggerSavepoint(null))).isEqualTo(CheckpointFailureReason.IO_EXCEPTION);
        storage.failInitialize = false;
        storage.failFinalize = true;
        gateway.autoAck = true;
        assertThat(failure(c.triggerSavepoint(null))).isEqualTo(CheckpointFailureReason.FINALIZE_FAILURE);
        Thread.sleep(20);
        assertThat(c.consecutiveFailures()).isZero();
        assertThat(gateway.jobFailures).isEmpty();
    }

    @Test
    void subsumedFailOverAndTriggerFailuresAreNotCounted() throws Exception {
        TestGateway gateway = new TestGateway(TestGateway.simplePlan());
        CheckpointCoordinator c = coordinator(config().maxConcurrentCheckpoints(2).build(),
                new MemoryCheckpointStorage(JOB), gateway);
        CompletableFuture<CompletedCheckpoint> one = c.triggerCheckpoint();
        CompletableFuture<CompletedCheckpoint> two = c.triggerCheckpoint();
        gateway.nextBarrier();
        gateway.ackAll(gateway.nextBarrier());
        assertThat(get(two).checkpointId()).isEqualTo(2);
        assertThat(failure(one)).isEqualTo(CheckpointFailureReason.SUBSUMED);

        CompletableFuture<CompletedCheckpoint> three = c.triggerCheckpoint();
        gateway.nextBarrier();
        c.abortPendingCheckpoints("task map#1 failed");
        assertThat(failure(three)).isEqualTo(CheckpointFailureReason.JOB_FAILOVER);
        assertThat(gateway.aborted).containsExactly(1L, 3L);

        gateway.planFailure = new IllegalStateException("restarting");
        assertThat(failure(c.triggerCheckpoint())).isEqualTo(CheckpointFailureReason.TRIGGER_FAILURE);
        assertThat(c.consecutiveFailures()).isZero();
        assertThat(gateway.jobFailures).isEmpty();
    }

    @Test
    void aCheckpointStalledInFinalizationExpiresAndStaysInvisible() throws Exception {
        FileCheckpointStorage files = fileStorage();
        FaultyStorage storage = new FaultyStorage(files);
        CountDownLatch gate = new CountDownLatch(1);
        storage.finalizeGate = gate;
        TestGateway gateway = new TestGateway(TestGateway.simplePlan());
        gateway.autoAck = true;
        CheckpointCoordinator c = coordinator(config().checkpointTimeout(ms(50)).tolerableCheckpointFailureNumber(5)
                .build(), storage, gateway);
        assertThat(failure(c.triggerCheckpoint())).isEqualTo(CheckpointFailureReason.EXPIRED);
        gate.countDown();
        await("no trace of checkpoint 1", () -> filesButLeases(files).isEmpty());
        assertThat(c.retainedCheckpoints()).isEmpty();
        assertThat(gateway.completed).isEmpty();
    }
}
