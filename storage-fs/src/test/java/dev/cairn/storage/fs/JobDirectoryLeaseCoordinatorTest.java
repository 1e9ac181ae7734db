package dev.cairn.storage.fs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.blob.BlobInfo;
import dev.cairn.blob.BlobOutputStream;
import dev.cairn.checkpoint.CompletedCheckpoint;
import dev.cairn.checkpoint.JobLease;
import dev.cairn.checkpoint.SubtaskSnapshot;
import dev.cairn.error.StorageException;
import dev.cairn.runtime.config.CheckpointConfig;
import dev.cairn.runtime.config.JobTermination;
import dev.cairn.runtime.config.RecoveryClaimMode;
import dev.cairn.runtime.coordinator.CheckpointBarrier;
import dev.cairn.runtime.coordinator.CheckpointCoordinator;
import dev.cairn.runtime.coordinator.CheckpointPlan;
import dev.cairn.runtime.coordinator.CheckpointTaskGateway;
import dev.cairn.runtime.coordinator.ResumePoint;
import dev.cairn.runtime.coordinator.SubtaskId;
import dev.cairn.runtime.coordinator.TaskCheckpointMetrics;
import dev.cairn.runtime.storage.FileCheckpointStorage;
import dev.cairn.runtime.storage.FileCheckpointStorageOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The coordinator holds its job directory with a lease from creation to shutdown; a resume fences a killed run's. */
class JobDirectoryLeaseCoordinatorTest {
    private static final String JOB = "job-lease";
    private static final SubtaskId SOURCE = new SubtaskId("src", 0);

    @TempDir
    Path dir;
    private String base;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void setUp() {
        base = LocalBlobStore.toLocation(dir.toAbsolutePath()) + "/checkpoints";
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    /** A {@code file://} store that a test can stop, as {@code kill -9} stops the process: every later write fails. */
    static final class KillableStore extends ForwardingLocalStore {
        volatile boolean killed;

        private void check(String location) {
            if (killed) {
                throw new StorageException(location + ": the process was killed");
            }
        }

        @Override
        public BlobOutputStream create(String location) {
            check(location);
            return super.create(location);
        }

        @Override
        public void delete(String location) {
            check(location);
            super.delete(location);
        }

        @Override
        public void deleteAll(Iterable<String> locations) {
            check(String.valueOf(locations));
            super.deleteAll(locations);
        }
    }

    /** One source subtask that acknowledges every barrier at once with empty state. */
    static final class OneSubtask implements CheckpointTaskGateway {
        volatile CheckpointCoordinator coordinator;

        @Override
        public CheckpointPlan planCheckpoint() {
            return new CheckpointPlan(Set.of(SOURCE), Set.of(SOURCE), Set.of(),
                    Map.of("src", new CheckpointPlan.OperatorInfo(1, 128, false)));
        }

        @Override
        public void triggerCheckpoint(CheckpointBarrier barrier, Set<SubtaskId> tasks) {
            coordinator.acknowledgeCheckpoint(barrier.checkpointId(), SOURCE,
                    new SubtaskSnapshot(0, List.of(), List.of(), false),
                    new TaskCheckpointMetrics(1, 2, 0, 100, 40, false));
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
        }

        @Override
        public void notifyCheckpointAborted(long checkpointId) {
        }

        @Override
        public void failJob(Throwable cause) {
        }
    }

    private FileCheckpointStorage storage(dev.cairn.blob.BlobStore store) {
        FileCheckpointStorage s = new FileCheckpointStorage(store, base, JOB,
                FileCheckpointStorageOptions.builder().inlineThreshold(1).build());
        closeables.add(s);
        return s;
    }

    private CheckpointCoordinator coordinator(FileCheckpointStorage storage) {
        OneSubtask gateway = new OneSubtask();
        CheckpointCoordinator c = new CheckpointCoordinator(JOB, CheckpointConfig.builder().build(), storage, gateway);
        gateway.coordinator = c;
        closeables.add(c);
        return c;
    }

    private static CompletedCheckpoint checkpoint(CheckpointCoordinator c) throws Exception {
        return c.triggerCheckpoint().get(10, TimeUnit.SECONDS);
    }

    private static List<String> jobFiles(FileCheckpointStorage s) {
        List<String> names = new ArrayList<>();
        for (BlobInfo info : ((LocalBlobStore) s.blobStore()).list(s.jobLocation())) {
            names.add(info.location().substring(s.jobLocation().length()));
        }
        return names;
    }

    @Test
    void aRunningJobsLeaseIsVisibleAndGoneAfterShutdown() throws Exception {
        FileCheckpointStorage storage = storage(new LocalBlobStore());
        CheckpointCoordinator coordinator = coordinator(storage);
        assertThat(storage.leases()).singleElement().satisfies(l -> {
            assertThat(l.description()).startsWith("cairn job " + JOB + " on ")
                    .endsWith(" pid " + ProcessHandle.current().pid());
            assertThat(l.liveAt(Instant.now())).isTrue();
        });
        assertThat(checkpoint(coordinator).checkpointId()).isEqualTo(1);
        assertThat(checkpoint(coordinator).checkpointId()).isEqualTo(2);
        assertThat(storage.leases()).hasSize(1);

        coordinator.shutdown(JobTermination.FINISHED);
        assertThat(storage.leases()).isEmpty();
        assertThat(jobFiles(storage)).containsExactly("_job-ended");
        coordinator.close();
        assertThat(jobFiles(storage)).containsExactly("_job-ended");
    }

    @Test
    void closingWithoutShutdownReleasesTheLeaseAndKeepsTheCheckpoints() throws Exception {
        FileCheckpointStorage storage = storage(new LocalBlobStore());
        CheckpointCoordinator coordinator = coordinator(storage);
        checkpoint(coordinator);
        coordinator.close();
        assertThat(storage.leases()).isEmpty();
        assertThat(jobFiles(storage)).containsExactly("chk-1/_metadata");
    }

    @Test
    void aResumeAfterAKillProceedsAndRemovesTheKilledRunsLease() throws Exception {
        KillableStore killable = new KillableStore();
        FileCheckpointStorage first = storage(killable);
        CheckpointCoordinator killedRun = coordinator(first);
        checkpoint(killedRun);
        checkpoint(killedRun);
        JobLease killedLease = first.leases().get(0);
        killable.killed = true;
        killedRun.close();

        FileCheckpointStorage second = storage(new LocalBlobStore());
        assertThat(second.leases()).as("the killed run's lease stays, fresh").singleElement().satisfies(l -> {
            assertThat(l.holder()).isEqualTo(killedLease.holder());
            assertThat(l.liveAt(Instant.now())).isTrue();
        });
        ResumePoint point = ResumePoint.takeOver(second, false);
        assertThat(point).isInstanceOf(ResumePoint.Checkpoint.class);
        CompletedCheckpoint resumed = ((ResumePoint.Checkpoint) point).checkpoint();
        assertThat(resumed.checkpointId()).isEqualTo(2);

        CheckpointCoordinator resumedRun = coordinator(second);
        assertThat(second.leases()).hasSize(2);
        resumedRun.restoreFrom(resumed, RecoveryClaimMode.CLAIM);
        assertThat(second.leases()).singleElement().satisfies(l -> {
            assertThat(l.holder()).isNotEqualTo(killedLease.holder());
            assertThat(l.liveAt(Instant.now())).isTrue();
        });
        assertThat(jobFiles(second)).noneMatch(n -> n.contains(killedLease.holder()));
        assertThat(checkpoint(resumedRun).checkpointId()).isEqualTo(3);

        resumedRun.shutdown(JobTermination.FINISHED);
        assertThat(jobFiles(second)).containsExactly("_job-ended");
    }

    @Test
    void aFailingStoreNeverFailsTheHold() throws Exception {
        KillableStore killable = new KillableStore();
        killable.killed = true;
        FileCheckpointStorage storage = new FileCheckpointStorage(killable, base, JOB,
                FileCheckpointStorageOptions.builder().leaseTtl(Duration.ofMillis(30)).build());
        closeables.add(storage);
        storage.holdJobDirectory("failing").close();
        assertThat(storage.leases()).isEmpty();
    }
}
