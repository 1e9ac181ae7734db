package dev.cairn.runtime.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.backend.SnapshotType;
import dev.cairn.checkpoint.CompletedCheckpoint;
import dev.cairn.runtime.config.ExternalizedCheckpointRetention;
import dev.cairn.runtime.config.JobTermination;
import dev.cairn.runtime.config.RecoveryClaimMode;
import dev.cairn.runtime.storage.FileCheckpointStorage;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class CheckpointCoordinatorRestoreTest extends CoordinatorTestSupport {

    /** Runs a first job that completes checkpoints 1..3 and fails, keeping checkpoint 3. */
    private CompletedCheckpoint firstRun(FileCheckpointStorage storage) throws Exception {
        TestGateway gateway = new TestGateway(TestGateway.simplePlan());
        gateway.autoAck = true;
        CheckpointCoordinator first = coordinator(config().externalizedCheckpointRetention(
                ExternalizedCheckpointRetention.DELETE_ON_CANCELLATION).build(), storage, gateway);
        for (int i = 0; i < 3; i++) {
            get(first.triggerCheckpoint());
        }
        first.shutdown(JobTermination.FAILED);
        assertThat(ids(storage.completedCheckpoints())).containsExactly(3L);
        return storage.completedCheckpoints().get(0);
    }

    @Test
    void noClaimNeverDeletesTheRestoredCheckpointAndStartsWithAFullOne() throws Exception {
        FileCheckpointStorage storage = fileStorage();
        CompletedCheckpoint restored = reopen(storage).resolve(firstRun(storage).pointer());
        FileCheckpointStorage second = reopen(storage);
        TestGateway gateway = new TestGateway(TestGateway.simplePlan());
        gateway.autoAck = true;
        CheckpointCoordinator c = coordinator(config().build(), second, gateway);
        c.restoreFrom(restored, RecoveryClaimMode.NO_CLAIM);
        assertThat(c.latestCompletedCheckpoint()).contains(restored);

        CompletedCheckpoint four = get(c.triggerCheckpoint());
        assertThat(four.checkpointId()).as("ids continue after the restored one").isEqualTo(4);
        assertThat(gateway.triggered.get(0).options().snapshotType()).isEqualTo(SnapshotType.FULL_CHECKPOINT);
        assertThat(ids(c.retainedCheckpoints())).containsExactly(4L);
        assertThat(second.resolve(restored.pointer()).checkpointId()).as("not deleted when subsumed").isEqualTo(3);

        get(c.triggerSavepoint(null));
        get(c.triggerCheckpoint());
        assertThat(gateway.triggered.get(2).options().snapshotType()).as("full only until one completed")
                .isEqualTo(SnapshotType.CHECKPOINT);
        c.shutdown(JobTermination.FINISHED);
        assertThat(ids(second.completedCheckpoints())).as("the job's own checkpoints deleted, the restored kept")
                .containsExactly(3L);
        ResumePoint point = ResumePoint.takeOver(reopen(storage), false);
        assertThat(((ResumePoint.JobEnded) point).end().keptCheckpoints()).containsExactly(restored.pointer());
        assertThat(ids(second.completedCheckpoints())).as("the end's clean-up keeps what the run kept on purpose")
                .containsExactly(3L);
    }

    @Test
    void claimDiscardsTheRestoredCheckpointOnceSubsumed() throws Exception {
        FileCheckpointStorage storage = fileStorage();
        CompletedCheckpoint restored = firstRun(storage);
        FileCheckpointStorage second = reopen(storage);
        TestGateway gateway = new TestGateway(TestGateway.simplePlan());
        gateway.autoAck = true;
        CheckpointCoordinator c = coordinator(config().build(), second, gateway);
        c.restoreFrom(restored, RecoveryClaimMode.CLAIM);
        assertThat(ids(c.retainedCheckpoints())).containsExactly(3L);
        CompletedCheckpoint four = get(c.triggerCheckpoint());
        assertThat(four.checkpointId()).isEqualTo(4);
        assertThat(gateway.triggered.get(0).options().snapshotType()).isEqualTo(SnapshotType.CHECKPOINT);
        assertThat(ids(second.completedCheckpoints())).containsExactly(4L);
        assertThat(filesOf(second, 3)).isEmpty();
    }

    @Test
    void checkpointIdsGrowMonotonicallyAcrossRestores() throws Exception {
        FileCheckpointStorage storage = fileStorage();
        TestGateway gateway = new TestGateway(TestGateway.simplePlan());
        gateway.autoAck = true;
        CheckpointCoordinator c = coordinator(config().numRetainedCheckpoints(3).build(), storage, gateway);
        CompletedCheckpoint one = get(c.triggerCheckpoint());
        get(c.triggerCheckpoint());
        c.restoreFrom(one, RecoveryClaimMode.CLAIM);
        assertThat(get(c.triggerCheckpoint()).checkpointId()).as("restoring an older one never reuses ids")
                .isEqualTo(3);
        CompletedCheckpoint savepoint = get(c.triggerSavepoint(null));
        assertThat(savepoint.checkpointId()).isEqualTo(4);

        TestGateway next = new TestGateway(TestGateway.simplePlan());
        next.autoAck = true;
        CheckpointCoordinator fromSavepoint = coordinator(config().build(), reopen(storage), next);
        fromSavepoint.restoreFrom(savepoint, RecoveryClaimMode.NO_CLAIM);
        assertThat(get(fromSavepoint.triggerCheckpoint()).checkpointId()).isEqualTo(5);
        fromSavepoint.shutdown(JobTermination.CANCELED);
        assertThat(storage.resolve(savepoint.pointer()).checkpointId()).as("the savepoint survives").isEqualTo(4);
    }

    @ParameterizedTest
    @EnumSource(ExternalizedCheckpointRetention.class)
    void externalizedRetentionByHowTheJobEnded(ExternalizedCheckpointRetention policy) throws Exception {
        for (JobTermination termination : JobTermination.values()) {
            FileCheckpointStorage storage = fileStorage();
            TestGateway gateway = new TestGateway(TestGateway.simplePlan());
            gateway.autoAck = true;
            CheckpointCoordinator c = coordinator(config().externalizedCheckpointRetention(policy)
                    .numRetainedCheckpoints(2).build(), storage, gateway);
            get(c.triggerCheckpoint());
            CompletedCheckpoint savepoint = get(c.triggerSavepoint(null));
            get(c.triggerCheckpoint());
            gateway.autoAck = false;
            gateway.barriers.clear();
            CompletableFuture<CompletedCheckpoint> pending = c.triggerCheckpoint();
            gateway.ack(gateway.nextBarrier(), new SubtaskId("src", 0));
            assertThat(filesOf(storage, 4)).hasSize(1);

            c.shutdown(termination);
            boolean deleted = switch (policy) {
                case NO_EXTERNALIZED_CHECKPOINTS -> true;
                case DELETE_ON_CANCELLATION -> termination != JobTermination.FAILED;
                case RETAIN_ON_CANCELLATION -> termination == JobTermination.FINISHED;
            };
            String what = policy + " when the job " + termination;
            assertThat(ids(storage.completedCheckpoints())).as(what).isEqualTo(
                    deleted ? java.util.List.of() : java.util.List.of(1L, 3L));
            assertThat(ids(c.retainedCheckpoints())).as(what).isEqualTo(
                    deleted ? java.util.List.of() : java.util.List.of(1L, 3L));
            assertThat(storage.resolve(savepoint.pointer()).checkpointId()).as(what).isEqualTo(2);
            assertThat(failure(pending)).as(what).isEqualTo(CheckpointFailureReason.COORDINATOR_SHUTDOWN);
            assertThat(filesOf(storage, 4)).as(what + ": files of the aborted pending checkpoint").isEmpty();
            assertThat(gateway.jobFailures).isEmpty();
        }
    }

    @Test
    void closeWithoutShutdownLeavesRetainedCheckpoints() throws Exception {
        FileCheckpointStorage storage = fileStorage();
        TestGateway gateway = new TestGateway(TestGateway.simplePlan());
        gateway.autoAck = true;
        CheckpointCoordinator c = coordinator(config().build(), storage, gateway);
        get(c.triggerCheckpoint());
        c.close();
        assertThat(ids(storage.completedCheckpoints())).containsExactly(1L);
        assertThat(failure(c.triggerCheckpoint())).isEqualTo(CheckpointFailureReason.COORDINATOR_SHUTDOWN);
    }

    @Test
    void claimingOneOfTheDirectorysCheckpointsFencesEveryOtherOne() throws Exception {
        FileCheckpointStorage storage = fileStorage();
        TestGateway gateway = new TestGateway(TestGateway.simplePlan());
        gateway.autoAck = true;
        CheckpointCoordinator first = coordinator(config().numRetainedCheckpoints(3).build(), storage, gateway);
        get(first.triggerCheckpoint());
        CompletedCheckpoint two = get(first.triggerCheckpoint());
        get(first.triggerCheckpoint());
        gateway.autoAck = false;
        gateway.barriers.clear();
        first.triggerCheckpoint();
        gateway.ack(gateway.nextBarrier(), new SubtaskId("src", 0));
        assertThat(filesOf(storage, 4)).as("a checkpoint that never completes: its process is killed").hasSize(1);

        FileCheckpointStorage second = reopen(storage);
        TestGateway next = new TestGateway(TestGateway.simplePlan());
        next.autoAck = true;
        CheckpointCoordinator c = coordinator(config().numRetainedCheckpoints(3).build(), second, next);
        c.restoreFrom(second.resolve(two.pointer()), RecoveryClaimMode.CLAIM);
        assertThat(ids(second.completedCheckpoints())).as("older and newer checkpoints fenced").containsExactly(2L);
        assertThat(filesOf(second, 4)).as("files of the checkpoint that never completed").isEmpty();
        assertThat(filesButLeases(second)).as("the claimed checkpoint, and the id floor that keeps id 4")
                .allMatch(f -> f.startsWith(second.checkpointLocation(2))
                        || f.equals(second.jobLocation() + "_checkpoint-id-floor"));
        assertThat(second.leases()).as("the first run's lease fenced, the claiming run's kept").singleElement()
                .satisfies(l -> assertThat(files(second, second.jobLocation())).contains(
                        second.jobLocation() + "_lease-" + l.holder() + "-1"));
        assertThat(ids(c.retainedCheckpoints())).containsExactly(2L);
        assertThat(get(c.triggerCheckpoint()).checkpointId()).as("above every id the directory held").isEqualTo(5);
    }

    @Test
    void idsStartAboveEveryTraceOfTheDirectoryWithoutARestore() throws Exception {
        FileCheckpointStorage storage = fileStorage();
        TestGateway gateway = new TestGateway(TestGateway.simplePlan());
        gateway.autoAck = true;
        CheckpointCoordinator first = coordinator(config().build(), storage, gateway);
        get(first.triggerCheckpoint());
        gateway.autoAck = false;
        gateway.barriers.clear();
        first.triggerCheckpoint();
        gateway.ack(gateway.nextBarrier(), new SubtaskId("src", 0));
        assertThat(filesOf(storage, 2)).as("checkpoint 2 never completes: its process is killed").hasSize(1);

        TestGateway next = new TestGateway(TestGateway.simplePlan());
        next.autoAck = true;
        CheckpointCoordinator c = coordinator(config().build(), reopen(storage), next);
        assertThat(get(c.triggerCheckpoint()).checkpointId()).isEqualTo(3);
    }

    @Test
    void anEndedJobRecordsItsEndBeforeDeletingItsCheckpoints() throws Exception {
        FileCheckpointStorage files = fileStorage();
        FaultyStorage storage = new FaultyStorage(files);
        TestGateway gateway = new TestGateway(TestGateway.simplePlan());
        gateway.autoAck = true;
        CheckpointCoordinator c = coordinator(config().numRetainedCheckpoints(2).build(), storage, gateway);
        for (int i = 0; i < 3; i++) {
            get(c.triggerCheckpoint());
        }
        storage.failDiscard = true;
        c.shutdown(JobTermination.FINISHED);
        assertThat(ids(files.completedCheckpoints())).as("a crash in the deletion leaves checkpoints").containsExactly(2L, 3L);
        ResumePoint point = ResumePoint.find(reopen(files), false);
        assertThat(point).as("but no resume takes them for progress").isInstanceOf(ResumePoint.JobEnded.class);
        assertThat(((ResumePoint.JobEnded) point).end().lastCheckpointId()).isEqualTo(3);
        assertThat(((ResumePoint.JobEnded) point).end().termination()).isEqualTo("FINISHED");

        FileCheckpointStorage clean = fileStorage();
        TestGateway g2 = new TestGateway(TestGateway.simplePlan());
        g2.autoAck = true;
        CheckpointCoordinator ok = coordinator(config().build(), clean, g2);
        get(ok.triggerCheckpoint());
        ok.shutdown(JobTermination.FINISHED);
        assertThat(files(clean, clean.jobLocation())).containsExactly(clean.jobLocation() + "_job-ended");
    }
}
