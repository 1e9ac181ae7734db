package dev.cairn.runtime.storage;

import static dev.cairn.runtime.storage.FileCheckpointStorageTest.bytes;
import static dev.cairn.runtime.storage.FileCheckpointStorageTest.metadata;
import static dev.cairn.runtime.storage.FileCheckpointStorageTest.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.blob.BlobOutputStream;
import dev.cairn.checkpoint.CheckpointScan;
import dev.cairn.checkpoint.CheckpointStorageLocation;
import dev.cairn.checkpoint.CheckpointedStateScope;
import dev.cairn.checkpoint.CompletedCheckpoint;
import dev.cairn.checkpoint.FileStateHandle;
import dev.cairn.checkpoint.JobEnd;
import dev.cairn.error.CorruptCheckpointException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Scanning, fencing and clearing a job directory: {@link FileCheckpointStorage#scan()} and the methods around it. */
class JobDirectoryTest {
    private static final String BASE = "mem:///checkpoints";
    private final MapBlobStore store = new MapBlobStore();
    private final FileCheckpointStorage storage = new FileCheckpointStorage(store, BASE, "job-1");

    private CompletedCheckpoint checkpoint(long id) {
        CheckpointStorageLocation loc = storage.initializeLocation(id);
        FileStateHandle exclusive = (FileStateHandle) write(loc, CheckpointedStateScope.EXCLUSIVE, bytes(30_000, id));
        FileStateHandle shared = (FileStateHandle) write(loc, CheckpointedStateScope.SHARED, bytes(30_000, -id));
        return loc.finalizeCheckpoint(metadata(id, exclusive, shared));
    }

    private void corrupt(String location) {
        byte[] b = store.blobs.get(location).clone();
        b[b.length / 2] ^= 1;
        store.blobs.put(location, b);
    }

    @Test
    void scanReportsDamagedCheckpointsInsteadOfFailing() {
        checkpoint(1);
        checkpoint(2);
        checkpoint(3);
        corrupt(storage.metadataLocation(2));
        assertThatThrownBy(storage::completedCheckpoints).isInstanceOf(CorruptCheckpointException.class);

        CheckpointScan scan = storage.scan();
        assertThat(scan.completed()).extracting(CompletedCheckpoint::checkpointId).containsExactly(1L, 3L);
        assertThat(scan.damaged()).singleElement().satisfies(d -> {
            assertThat(d.checkpointId()).isEqualTo(2);
            assertThat(d.reason().file()).isEqualTo(storage.metadataLocation(2));
            assertThat(d.reason().getMessage()).contains("checksum mismatch");
        });
        assertThat(scan.damagedNewerThanLatest()).isEmpty();
        assertThat(scan.latestCompleted()).hasValueSatisfying(c -> assertThat(c.checkpointId()).isEqualTo(3));
    }

    @Test
    void aMissingStateFileMakesACheckpointDamaged() {
        CompletedCheckpoint one = checkpoint(1);
        String exclusive = ((FileStateHandle) one.metadata().operators().get(0).subtasks().get(0).keyedState().get(0)
                .streams().get(0)).location();
        store.delete(exclusive);
        assertThat(storage.scan().damaged()).singleElement()
                .satisfies(d -> assertThat(d.reason().getMessage()).contains(exclusive).contains("does not exist"));
    }

    @Test
    void highestIdCountsCheckpointsThatNeverCompletedAndTheJobEndRecord() {
        checkpoint(4);
        CheckpointStorageLocation unfinished = storage.initializeLocation(9);
        write(unfinished, CheckpointedStateScope.EXCLUSIVE, bytes(30_000, 9));
        assertThat(storage.scan().highestCheckpointId()).isEqualTo(9);

        assertThat(storage.highestCheckpointId()).as("from the listing alone").isEqualTo(9);
        storage.markJobEnded(new JobEnd("FINISHED", 12, 1234));
        CheckpointScan scan = storage.scan();
        assertThat(scan.highestCheckpointId()).isEqualTo(12);
        assertThat(storage.highestCheckpointId()).isEqualTo(12);
        assertThat(scan.jobEnd()).contains(new JobEnd("FINISHED", 12, 1234));
        assertThat(scan.ended()).contains(new JobEnd("FINISHED", 12, 1234));
    }

    @Test
    void aCheckpointNewerThanTheJobEndMakesTheRecordStale() {
        storage.markJobEnded(new JobEnd("FINISHED", 3, 1));
        checkpoint(4);
        assertThat(storage.scan().jobEnd()).isPresent();
        assertThat(storage.scan().ended()).isEmpty();
        JobEnd canceled = new JobEnd("CANCELED", 4, 2, List.of(BASE + "/job-1/chk-4", "s3://other/job/chk-9"));
        storage.markJobEnded(canceled);
        assertThat(storage.scan().ended()).contains(canceled);
    }

    @Test
    void aDamagedJobEndRecordIsRefusedByName() {
        storage.markJobEnded(new JobEnd("FINISHED", 3, 1));
        String file = storage.jobLocation() + "_job-ended";
        corrupt(file);
        assertThatThrownBy(storage::scan).isInstanceOf(CorruptCheckpointException.class)
                .hasMessageStartingWith(file + ": job-end record checksum mismatch");
    }

    @Test
    void removeUnreferencedKeepsExactlyWhatTheKeptCheckpointsNameAndDeletesMetadataFirst() {
        checkpoint(1);
        CompletedCheckpoint two = checkpoint(2);
        CheckpointStorageLocation unfinished = storage.initializeLocation(3);
        write(unfinished, CheckpointedStateScope.SHARED, bytes(30_000, 33));
        write(unfinished, CheckpointedStateScope.EXCLUSIVE, bytes(30_000, 34));
        storage.markJobEnded(new JobEnd("FINISHED", 0, 1));
        List<String> order = new ArrayList<>();
        store.onDelete = order::add;

        List<String> deleted = storage.removeUnreferenced(List.of(two));

        assertThat(deleted).hasSize(1 + 2 + 2);
        assertThat(order.get(0)).isEqualTo(storage.metadataLocation(1));
        assertThat(storage.scan().completed()).containsExactly(two);
        java.util.Set<String> expected = new java.util.HashSet<>();
        expected.add(storage.metadataLocation(2));
        expected.add(storage.jobLocation() + "_job-ended");
        expected.add(storage.jobLocation() + "_checkpoint-id-floor");
        two.metadata().allHandles().forEach(h -> h.streams().forEach(s -> expected.add(((FileStateHandle) s).location())));
        assertThat(store.locations()).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void unreferencedFilesListWithoutDeletingAndRemoveFilesDeletesOnlyThose() {
        CompletedCheckpoint one = checkpoint(1);
        CheckpointStorageLocation unfinished = storage.initializeLocation(7);
        FileStateHandle aborted = (FileStateHandle) write(unfinished, CheckpointedStateScope.EXCLUSIVE, bytes(30_000, 7));
        FileStateHandle orphan = (FileStateHandle) write(unfinished, CheckpointedStateScope.SHARED, bytes(30_000, 8));
        List<String> before = List.copyOf(store.locations());

        List<String> listed = storage.unreferencedFiles(List.of(one), java.util.Set.of(orphan.location())).stream()
                .map(dev.cairn.blob.BlobInfo::location).toList();
        assertThat(listed).as("what another checkpoint refers to is not listed").containsExactly(aborted.location());
        assertThat(store.locations()).containsExactlyInAnyOrderElementsOf(before);

        String referenced = ((FileStateHandle) one.metadata().allHandles().get(0).streams().get(0)).location();
        assertThatThrownBy(() -> storage.removeFiles(List.of(one), List.of(aborted.location(), referenced)))
                .hasMessageContaining(referenced).hasMessageContaining("not deleted");
        assertThatThrownBy(() -> storage.removeFiles(List.of(one), List.of("mem:///checkpoints/job-2/chk-1/x")))
                .hasMessageContaining("outside the job directory");
        assertThat(store.locations()).as("a refused removal deletes nothing").containsExactlyInAnyOrderElementsOf(before);

        assertThat(storage.removeFiles(List.of(one), List.of(aborted.location()))).containsExactly(aborted.location());
        assertThat(store.locations()).doesNotContain(aborted.location()).contains(orphan.location())
                .contains(storage.jobLocation() + "_checkpoint-id-floor");
        assertThat(storage.highestCheckpointId()).as("removing chk-7's only file keeps the highest id").isEqualTo(7);
    }

    @Test
    void discardJobLeavesNothing() {
        checkpoint(1);
        checkpoint(2);
        corrupt(storage.metadataLocation(2));
        storage.markJobEnded(new JobEnd("FINISHED", 2, 1));
        try (BlobOutputStream out = store.create(storage.sharedLocation() + "stray")) {
            out.write(new byte[] {1});
            out.commit();
        }
        storage.discardJob();
        assertThat(store.locations()).isEmpty();
        assertThat(storage.scan()).isEqualTo(CheckpointScan.empty());
    }

    @Test
    void removingTheTracesOfANewerUnfinishedCheckpointNeverLowersTheHighestId() {
        CompletedCheckpoint four = checkpoint(4);
        write(storage.initializeLocation(9), CheckpointedStateScope.EXCLUSIVE, bytes(30_000, 9));
        storage.removeUnreferenced(List.of(four));
        assertThat(store.locations()).as("chk-9's file is gone").noneMatch(l -> l.contains("/chk-9/"))
                .contains(storage.jobLocation() + "_checkpoint-id-floor");
        assertThat(storage.scan().highestCheckpointId()).isEqualTo(9);
        assertThat(storage.highestCheckpointId()).isEqualTo(9);
        assertThat(storage.scan().completed()).containsExactly(four);

        CompletedCheckpoint ten = checkpoint(10);
        storage.removeUnreferenced(List.of(ten));
        assertThat(store.locations()).as("a floor the kept checkpoint covers is deleted")
                .doesNotContain(storage.jobLocation() + "_checkpoint-id-floor");
        assertThat(storage.scan().highestCheckpointId()).isEqualTo(10);
    }

    @Test
    void theEndOfAJobLeavesNoIdFloorWhenItsRecordCoversIt() {
        checkpoint(1);
        write(storage.initializeLocation(5), CheckpointedStateScope.EXCLUSIVE, bytes(30_000, 5));
        storage.markJobEnded(new JobEnd("FINISHED", 6, 1));
        storage.removeUnreferenced(List.of());
        assertThat(store.locations()).containsExactly(storage.jobLocation() + "_job-ended");
        assertThat(storage.scan().highestCheckpointId()).isEqualTo(6);
    }
}
