package dev.cairn.runtime.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.checkpoint.CheckpointStateOutputStream;
import dev.cairn.checkpoint.CheckpointedStateScope;
import dev.cairn.checkpoint.CompletedCheckpoint;
import dev.cairn.checkpoint.FileStateHandle;
import dev.cairn.checkpoint.IncrementalKeyedStateHandle;
import dev.cairn.checkpoint.StreamStateHandle;
import dev.cairn.checkpoint.SubtaskSnapshot;
import dev.cairn.keygroup.KeyGroups;
import dev.cairn.runtime.config.ExternalizedCheckpointRetention;
import dev.cairn.runtime.config.JobTermination;
import dev.cairn.runtime.config.RecoveryClaimMode;
import dev.cairn.runtime.sharedstate.SharedStateRegistry;
import dev.cairn.runtime.storage.FileCheckpointStorage;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The coordinator and the shared-state registry: subtasks acknowledge incremental handles whose
 * shared files are partly new and partly reused from the previous checkpoint, and the files under
 * {@code shared/} must always be exactly those the retained checkpoints refer to.
 */
class CheckpointCoordinatorSharedStateTest extends CoordinatorTestSupport {
    /** Per subtask of "map": local file name to the uploaded handle, as of the last acknowledgement. */
    private final Map<Integer, Map<String, StreamStateHandle>> lastFiles = new HashMap<>();

    /** Acknowledges every subtask; "map" subtasks reuse {@code reuse} of their last files and upload {@code fresh}. */
    private void ackIncremental(TestGateway gateway, CheckpointBarrier barrier, List<String> reuse, List<String> fresh) {
        for (SubtaskId s : gateway.plan.tasksToWaitFor()) {
            if (!s.operatorId().equals("map")) {
                gateway.ack(barrier, s);
                continue;
            }
            Map<String, StreamStateHandle> shared = new TreeMap<>();
            Map<String, StreamStateHandle> previous = lastFiles.getOrDefault(s.subtaskIndex(), Map.of());
            for (String name : reuse) {
                shared.put(name, previous.get(name));
            }
            long persisted = 0;
            for (String name : fresh) {
                StreamStateHandle h = write(barrier, CheckpointedStateScope.SHARED, s + "/" + name);
                shared.put(name, h);
                persisted += h.stateSize();
            }
            StreamStateHandle meta = write(barrier, CheckpointedStateScope.EXCLUSIVE, "meta of " + s);
            StreamStateHandle manifest = write(barrier, CheckpointedStateScope.EXCLUSIVE, "manifest of " + s);
            persisted += meta.stateSize() + manifest.stateSize();
            lastFiles.put(s.subtaskIndex(), shared);
            IncrementalKeyedStateHandle handle = new IncrementalKeyedStateHandle("backend-" + s.subtaskIndex(),
                    barrier.checkpointId(), KeyGroups.rangeForSubtask(128, 2, s.subtaskIndex()), shared,
                    Map.of("MANIFEST-1", manifest), meta, persisted);
            gateway.responder.acknowledgeCheckpoint(barrier.checkpointId(), s,
                    new SubtaskSnapshot(s.subtaskIndex(), List.of(handle), List.of(), false),
                    TestGateway.metrics(s));
        }
    }

    private static StreamStateHandle write(CheckpointBarrier barrier, CheckpointedStateScope scope, String content) {
        try (CheckpointStateOutputStream out = barrier.streams().createOutputStream(scope)) {
            out.write((content + "@" + barrier.checkpointId()).getBytes(StandardCharsets.UTF_8));
            return out.commit();
        }
    }

    private CompletedCheckpoint checkpoint(CheckpointCoordinator c, TestGateway gateway, List<String> reuse,
            List<String> fresh) throws Exception {
        var future = c.triggerCheckpoint();
        ackIncremental(gateway, gateway.nextBarrier(), reuse, fresh);
        return get(future);
    }

    private static Set<String> referencedSharedFiles(List<CompletedCheckpoint> checkpoints) {
        Set<String> files = new HashSet<>();
        for (CompletedCheckpoint cp : checkpoints) {
            files.addAll(SharedStateRegistry.sharedFiles(cp).keySet());
        }
        return files;
    }

    private static void assertSharedDirectoryMatches(FileCheckpointStorage storage, CheckpointCoordinator c) {
        Set<String> expected = referencedSharedFiles(c.retainedCheckpoints());
        assertThat(files(storage, storage.sharedLocation())).as("shared/ after retaining %s",
                ids(c.retainedCheckpoints())).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(c.sharedStateRegistry().registeredLocations()).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void sharedFilesLiveExactlyAsLongAsARetainedCheckpointRefersToThem() throws Exception {
        FileCheckpointStorage storage = fileStorage();
        TestGateway gateway = new TestGateway(TestGateway.simplePlan());
        CheckpointCoordinator c = coordinator(config().numRetainedCheckpoints(2).externalizedCheckpointRetention(
                ExternalizedCheckpointRetention.DELETE_ON_CANCELLATION).build(), storage, gateway);
        checkpoint(c, gateway, List.of(), List.of("1.sst", "2.sst"));
        checkpoint(c, gateway, List.of("1.sst"), List.of("3.sst"));
        assertSharedDirectoryMatches(storage, c);
        for (int i = 0; i < 8; i++) {
            String last = lastFiles.get(0).keySet().stream().max(String::compareTo).orElseThrow();
            checkpoint(c, gateway, List.of("1.sst", last), List.of((10 + i) + ".sst"));
            assertSharedDirectoryMatches(storage, c);
        }
        String oldest = lastFiles.get(0).get("1.sst") instanceof FileStateHandle f ? f.location() : null;
        assertThat(files(storage, storage.sharedLocation())).as("a file every checkpoint reuses survives")
                .contains(oldest);
        c.shutdown(JobTermination.CANCELED);
        assertThat(files(storage, storage.jobLocation())).as("everything deleted on cancellation, but the job-end record")
                .containsExactly(storage.jobLocation() + "_job-ended");
        assertThat(c.sharedStateRegistry().registeredLocations()).isEmpty();
    }

    @Test
    void anAbortedCheckpointLeavesNoSharedFilesBehind() throws Exception {
        FileCheckpointStorage storage = fileStorage();
        TestGateway gateway = new TestGateway(TestGateway.simplePlan());
        CheckpointCoordinator c = coordinator(config().numRetainedCheckpoints(1).build(), storage, gateway);
        checkpoint(c, gateway, List.of(), List.of("1.sst"));
        var future = c.triggerCheckpoint();
        CheckpointBarrier barrier = gateway.nextBarrier();
        SubtaskId map0 = new SubtaskId("map", 0);
        write(barrier, CheckpointedStateScope.SHARED, "uploaded before the decline");
        c.declineCheckpoint(barrier.checkpointId(), map0, new IllegalStateException("task failed"));
        failure(future);
        await("the aborted checkpoint's files to be deleted", () -> {
            Set<String> expected = referencedSharedFiles(c.retainedCheckpoints());
            return new HashSet<>(files(storage, storage.sharedLocation())).equals(expected);
        });
        checkpoint(c, gateway, List.of("1.sst"), List.of("2.sst"));
        assertSharedDirectoryMatches(storage, c);
    }

    @Test
    void noClaimRestoreNeverDeletesTheRestoredFilesAndClaimDoes() throws Exception {
        FileCheckpointStorage storage = fileStorage();
        TestGateway first = new TestGateway(TestGateway.simplePlan());
        CheckpointCoordinator run1 = coordinator(config().numRetainedCheckpoints(1).externalizedCheckpointRetention(
                ExternalizedCheckpointRetention.DELETE_ON_CANCELLATION).build(), storage, first);
        checkpoint(run1, first, List.of(), List.of("1.sst", "2.sst"));
        CompletedCheckpoint restored = checkpoint(run1, first, List.of("1.sst"), List.of("3.sst"));
        run1.shutdown(JobTermination.FAILED);
        Set<String> restoredFiles = SharedStateRegistry.sharedFiles(restored).keySet();

        TestGateway second = new TestGateway(TestGateway.simplePlan());
        CheckpointCoordinator noClaim = coordinator(config().numRetainedCheckpoints(1).build(), reopen(storage),
                second);
        noClaim.restoreFrom(reopen(storage).resolve(restored.pointer()), RecoveryClaimMode.NO_CLAIM);
        checkpoint(noClaim, second, List.of(), List.of("10.sst"));
        checkpoint(noClaim, second, List.of("10.sst"), List.of("11.sst"));
        noClaim.shutdown(JobTermination.CANCELED);
        assertThat(files(storage, storage.sharedLocation())).containsExactlyInAnyOrderElementsOf(restoredFiles);

        lastFiles.clear();
        TestGateway third = new TestGateway(TestGateway.simplePlan());
        CheckpointCoordinator claim = coordinator(config().numRetainedCheckpoints(1).build(), reopen(storage), third);
        CompletedCheckpoint claimed = reopen(storage).resolve(restored.pointer());
        claim.restoreFrom(claimed, RecoveryClaimMode.CLAIM);
        for (int subtask = 0; subtask < 2; subtask++) {
            IncrementalKeyedStateHandle h = (IncrementalKeyedStateHandle) claimed.metadata().operators().stream()
                    .filter(o -> o.operatorId().equals("map")).findFirst().orElseThrow().subtasks().get(subtask)
                    .keyedState().get(0);
            lastFiles.put(subtask, h.sharedState());
        }
        checkpoint(claim, third, List.of("3.sst"), List.of("20.sst"));
        assertSharedDirectoryMatches(reopen(storage), claim);
        assertThat(files(storage, storage.sharedLocation())).as("claimed files still used are kept, others deleted")
                .hasSize(4);
    }
}
