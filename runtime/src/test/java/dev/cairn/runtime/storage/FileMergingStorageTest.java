package dev.cairn.runtime.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.blob.SeekableInputStream;
import dev.cairn.checkpoint.CheckpointMetadata;
import dev.cairn.checkpoint.CheckpointStateOutputStream;
import dev.cairn.checkpoint.CheckpointStorageLocation;
import dev.cairn.checkpoint.CheckpointStreamFactory;
import dev.cairn.checkpoint.CheckpointedStateScope;
import dev.cairn.checkpoint.CompletedCheckpoint;
import dev.cairn.checkpoint.KeyGroupsStateHandle;
import dev.cairn.checkpoint.OperatorSnapshot;
import dev.cairn.checkpoint.SegmentStateHandle;
import dev.cairn.checkpoint.StreamStateHandle;
import dev.cairn.checkpoint.SubtaskSnapshot;
import dev.cairn.error.CheckpointException;
import dev.cairn.error.ConfigurationException;
import dev.cairn.error.CorruptCheckpointException;
import dev.cairn.filemerging.FileMergingOptions;
import dev.cairn.filemerging.FileMergingStats;
import dev.cairn.filemerging.SegmentReader;
import dev.cairn.keygroup.KeyGroupRange;
import dev.cairn.runtime.sharedstate.SharedStateRegistry;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** File merging through {@link FileCheckpointStorage}: layout, reads, the space bound, deletion, pools. */
class FileMergingStorageTest {
    private static final String BASE = "map://bucket/checkpoints/";

    private static FileCheckpointStorage storage(MapBlobStore store, FileMergingOptions merging) {
        return new FileCheckpointStorage(store, BASE, "job", FileCheckpointStorageOptions.builder()
                .inlineThreshold(64).fileMerging(merging).build());
    }

    private static FileMergingOptions.Builder merging() {
        return FileMergingOptions.builder().enabled(true);
    }

    @Test
    void sixteenSubtasksWriteFewPhysicalFilesAndReadBack() {
        MapBlobStore store = new MapBlobStore();
        MergingJobHarness job = new MergingJobHarness(store, storage(store, merging().build()), 16, 1);
        CompletedCheckpoint cp = job.checkpoint(1, 0);
        job.assertReadsBack(cp);
        // 16 shared pools (one per subtask) and 4 exclusive pools (4 subtasks each): 20 physical files, 1 metadata.
        assertThat(job.mergedFiles()).hasSize(20);
        assertThat(store.creates.get()).isEqualTo(21);
        assertThat(FileCheckpointStorage.segments(cp.metadata())).hasSize(16 * 11);
        CompletedCheckpoint resolved = job.storage.resolve(cp.pointer());
        assertThat(resolved.metadata()).isEqualTo(cp.metadata());
    }

    @ParameterizedTest(name = "across={0}, retained={1}")
    @CsvSource({"false, 1", "false, 3", "true, 1", "true, 3"})
    void churnKeepsEveryFileWithinTheBoundAndLeavesNoOrphan(boolean across, int retained) {
        AppendableMapBlobStore store = new AppendableMapBlobStore();
        MergingJobHarness job = new MergingJobHarness(store, storage(store,
                merging().acrossCheckpointBoundary(across).maxFileSize(256 << 10).build()), 16, retained);
        double worst = 0;
        for (long id = 1; id <= 30; id++) {
            CompletedCheckpoint cp = job.checkpoint(id, 3);
            job.assertReadsBack(cp);
            worst = Math.max(worst, job.assertBound(2.0));
        }
        FileMergingStats stats = job.manager().stats();
        assertThat(stats.reuploadsForced()).as("the bound re-uploaded state").isPositive();
        assertThat(stats.spaceAmplification()).isLessThanOrEqualTo(2.0);
        if (across) {
            assertThat(store.appends.get()).as("appends to committed files").isPositive();
        }
        System.out.printf("churn across=%s retained=%d: %d physical files created, %d appends, %d segments,"
                + " worst amplification %.3f, reuploads forced %d%n", across, retained, stats.physicalFilesCreated(),
                stats.appendsOpened(), stats.segmentsWritten(), worst, stats.reuploadsForced());
    }

    @Test
    void acrossCheckpointsCreatesFewerFilesThanWithin() {
        long[] creates = new long[2];
        for (int mode = 0; mode < 2; mode++) {
            AppendableMapBlobStore store = new AppendableMapBlobStore();
            MergingJobHarness job = new MergingJobHarness(store, storage(store,
                    merging().acrossCheckpointBoundary(mode == 1).build()), 4, 1);
            for (long id = 1; id <= 10; id++) {
                job.checkpoint(id, 1);
            }
            creates[mode] = job.manager().stats().physicalFilesCreated();
        }
        assertThat(creates[1]).as("files created across boundaries vs within (%s)", creates[0])
                .isLessThan(creates[0]);
    }

    @Test
    void aFlippedByteIsRefusedNamingThePhysicalFileAndSegment() {
        for (int size : new int[] {5000, SegmentReader.IN_MEMORY_LIMIT + 12345}) {
            MapBlobStore store = new MapBlobStore();
            FileCheckpointStorage storage = storage(store, merging().build());
            CheckpointStorageLocation location = storage.initializeLocation(1);
            byte[] bytes = new byte[size];
            new Random(size).nextBytes(bytes);
            SegmentStateHandle segment;
            try (CheckpointStateOutputStream out = location.createOutputStream(CheckpointedStateScope.EXCLUSIVE)) {
                out.write(bytes, 0, bytes.length);
                segment = (SegmentStateHandle) out.commit();
            }
            location.finalizeCheckpoint(metadata(1, segment));
            store.blobs.get(segment.physicalLocation())[(int) segment.offset() + size - 10] ^= 0x20;
            assertThatThrownBy(() -> {
                try (SeekableInputStream in = storage.open(segment)) {
                    in.readFully(new byte[size], 0, size);
                }
            }).isInstanceOf(CorruptCheckpointException.class)
                    .hasMessageContaining(segment.physicalLocation())
                    .hasMessageContaining("segment [" + segment.offset() + ", " + segment.end() + ")");
            if (size > SegmentReader.IN_MEMORY_LIMIT) {
                assertThatThrownBy(() -> {
                    try (SeekableInputStream in = storage.open(segment)) {
                        in.read();
                    }
                }).as("a reader that stops early still gets the rest checked at close")
                        .isInstanceOf(CorruptCheckpointException.class);
                assertThatThrownBy(() -> {
                    try (SeekableInputStream in = storage.open(segment)) {
                        in.seek(100);
                    }
                }).as("a seek checks the whole segment").isInstanceOf(CorruptCheckpointException.class);
            }
        }
    }

    @Test
    void anAbortedCheckpointLeavesNoMergedFileAndCutsAppendsBack() {
        AppendableMapBlobStore store = new AppendableMapBlobStore();
        MergingJobHarness job = new MergingJobHarness(store, storage(store,
                merging().acrossCheckpointBoundary(true).build()), 2, 1);
        job.checkpoint(1, 0);
        Map<String, Long> before = job.mergedFiles();
        Map<String, byte[]> bytesBefore = new java.util.HashMap<>();
        before.keySet().forEach(l -> bytesBefore.put(l, store.blobs.get(l).clone()));

        CheckpointStorageLocation location = job.storage.initializeLocation(2);
        CheckpointStreamFactory streams = location.forSubtask("op", 0);
        List<StreamStateHandle> sharedOfSubtask0 = FileCheckpointStorage.segments(job.retained.getLast().metadata())
                .stream().filter(s -> s.physicalLocation().contains("/s-op-0-")).map(s -> (StreamStateHandle) s)
                .toList();
        SegmentStateHandle reused = (SegmentStateHandle) sharedOfSubtask0.get(0);
        assertThat(streams.reusable(List.of(reused))).as("one segment alone is too little of its file").isEmpty();
        assertThat(streams.reusable(sharedOfSubtask0)).as("all of them are enough")
                .containsExactlyInAnyOrderElementsOf(sharedOfSubtask0);
        StreamStateHandle appended = writeBytes(streams, CheckpointedStateScope.SHARED, 3000);
        StreamStateHandle created = writeBytes(streams, CheckpointedStateScope.EXCLUSIVE, 3000);
        assertThat(((SegmentStateHandle) appended).physicalLocation()).as("appended to the reused file")
                .isEqualTo(reused.physicalLocation());
        location.discardOnFailure();

        assertThat(job.mergedFiles()).as("merged files after the abort").isEqualTo(before);
        before.keySet().forEach(l -> assertThat(store.blobs.get(l)).as("bytes of %s", l).isEqualTo(bytesBefore.get(l)));
        assertThat(((SegmentStateHandle) created).physicalLocation()).isNotIn(before.keySet());
        job.checkpoint(3, 1);
        job.assertReadsBack(job.retained.getLast());
        job.assertBound(2.0);
    }

    @Test
    void aFileThatACheckpointInProgressReusesIsDeletedOnlyAfterIt() {
        MapBlobStore store = new MapBlobStore();
        FileCheckpointStorage storage = storage(store, merging().build());
        SharedStateRegistry registry = SharedStateRegistry.forStorage(storage);
        CheckpointStorageLocation first = storage.initializeLocation(1);
        SegmentStateHandle segment = (SegmentStateHandle) writeBytes(first.forSubtask("op", 0),
                CheckpointedStateScope.SHARED, 4000);
        CompletedCheckpoint one = first.finalizeCheckpoint(metadata(1, segment));
        registry.register(one);

        CheckpointStorageLocation second = storage.initializeLocation(2);
        assertThat(second.forSubtask("op", 0).reusable(List.of(segment))).containsExactly(segment);
        storage.discard(one);
        registry.unregisterAndDelete(1);
        assertThat(store.blobs).as("kept while checkpoint 2 reuses it").containsKey(segment.physicalLocation());
        CompletedCheckpoint two = second.finalizeCheckpoint(metadata(2, segment));
        registry.register(two);
        assertThat(store.blobs).containsKey(segment.physicalLocation());

        CheckpointStorageLocation third = storage.initializeLocation(3);
        assertThat(third.forSubtask("op", 0).reusable(List.of(segment))).containsExactly(segment);
        storage.discard(two);
        registry.unregisterAndDelete(2);
        assertThat(store.blobs).containsKey(segment.physicalLocation());
        StreamStateHandle other = writeBytes(third.forSubtask("op", 0), CheckpointedStateScope.SHARED, 4000);
        registry.register(third.finalizeCheckpoint(metadata(3, other)));
        assertThat(store.blobs).as("deleted once checkpoint 3 completed without it")
                .doesNotContainKey(segment.physicalLocation());
    }

    @Test
    void aNewProcessReadsReusesAndDeletesTheFilesOfAnEarlierOne() {
        AppendableMapBlobStore store = new AppendableMapBlobStore();
        MergingJobHarness job = new MergingJobHarness(store, storage(store,
                merging().acrossCheckpointBoundary(true).build()), 4, 1);
        for (long id = 1; id <= 3; id++) {
            job.checkpoint(id, 2);
        }
        CompletedCheckpoint last = job.retained.getLast();
        java.util.Set<String> earlierFiles = job.mergedFiles().keySet();
        job.storage.close();

        FileCheckpointStorage restarted = storage(store, merging().acrossCheckpointBoundary(true).build());
        CompletedCheckpoint restored = restarted.resolve(last.pointer());
        MergingJobHarness resumed = new MergingJobHarness(store, restarted, 4, 1);
        resumed.registry.registerRestored(restored, true);
        resumed.retained.add(restored);
        job.assertReadsBack(restored);
        CheckpointStorageLocation location = restarted.initializeLocation(4);
        List<StreamStateHandle> old = List.copyOf(FileCheckpointStorage.segments(restored.metadata()));
        assertThat(location.forSubtask("op", 0).reusable(old)).as("segments of the earlier run can be reused")
                .isNotEmpty();
        location.discardOnFailure();
        for (long id = 5; id <= 8; id++) {
            resumed.checkpoint(id, 8);
        }
        resumed.assertBound(2.0);
        assertThat(resumed.mergedFiles().keySet()).as("files of the earlier run are deleted once unreferenced")
                .noneMatch(earlierFiles::contains);
    }

    @Test
    void blockingPoolBoundsOpenFilesAndAbortReleasesAWaitingWriter() throws Exception {
        MapBlobStore store = new MapBlobStore();
        FileCheckpointStorage storage = storage(store, merging().poolBlocking(true).writeBufferSize(1024).build());
        CheckpointStorageLocation location = storage.initializeLocation(1);
        CheckpointStreamFactory streams = location.forSubtask("op", 0);
        CheckpointStateOutputStream holder = streams.createOutputStream(CheckpointedStateScope.SHARED);
        holder.write(new byte[5000], 0, 5000);
        CompletableFuture<StreamStateHandle> waiting = CompletableFuture.supplyAsync(
                () -> writeBytes(streams, CheckpointedStateScope.SHARED, 5000));
        assertThatThrownBy(() -> waiting.get(300, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
        assertThat(storage.fileMerging().orElseThrow().stats().waits()).isEqualTo(1);
        StreamStateHandle first = holder.commit();
        StreamStateHandle second = waiting.get(10, TimeUnit.SECONDS);
        assertThat(((SegmentStateHandle) second).physicalLocation())
                .isEqualTo(((SegmentStateHandle) first).physicalLocation());
        assertThat(storage.fileMerging().orElseThrow().stats().maxOpenFilesPerPool()).isEqualTo(1);

        CheckpointStateOutputStream holder2 = streams.createOutputStream(CheckpointedStateScope.SHARED);
        holder2.write(new byte[5000], 0, 5000);
        CompletableFuture<StreamStateHandle> stuck = CompletableFuture.supplyAsync(
                () -> writeBytes(streams, CheckpointedStateScope.SHARED, 5000));
        assertThatThrownBy(() -> stuck.get(300, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
        location.discardOnFailure();
        assertThatThrownBy(() -> stuck.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(CheckpointException.class).hasMessageContaining("aborted");
        holder2.close();
        assertThat(store.blobs.keySet()).as("nothing of the aborted checkpoint").isEmpty();
        assertThat(store.openStreams.get()).as("open blob streams").isZero();
    }

    @Test
    void nonBlockingPoolOpensAnotherFileInsteadOfWaiting() {
        MapBlobStore store = new MapBlobStore();
        FileCheckpointStorage storage = storage(store, merging().writeBufferSize(1024).build());
        CheckpointStorageLocation location = storage.initializeLocation(1);
        CheckpointStreamFactory streams = location.forSubtask("op", 0);
        CheckpointStateOutputStream holder = streams.createOutputStream(CheckpointedStateScope.SHARED);
        holder.write(new byte[5000], 0, 5000);
        StreamStateHandle other = writeBytes(streams, CheckpointedStateScope.SHARED, 5000);
        StreamStateHandle first = holder.commit();
        assertThat(((SegmentStateHandle) other).physicalLocation())
                .isNotEqualTo(((SegmentStateHandle) first).physicalLocation());
        FileMergingStats stats = storage.fileMerging().orElseThrow().stats();
        assertThat(stats.waits()).isZero();
        assertThat(stats.maxOpenFilesPerPool()).isEqualTo(2);
    }

    @Test
    void optionsRefuseInvalidValuesAndCombinationsNamingBothOptions() {
        assertThatThrownBy(() -> FileMergingOptions.builder().acrossCheckpointBoundary(true).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining(FileMergingOptions.ACROSS_CHECKPOINT_BOUNDARY)
                .hasMessageContaining(FileMergingOptions.ENABLED);
        assertThatThrownBy(() -> merging().maxOpenFilesPerPool(2).build())
                .hasMessageContaining(FileMergingOptions.MAX_OPEN_FILES_PER_POOL)
                .hasMessageContaining(FileMergingOptions.POOL_BLOCKING);
        assertThatThrownBy(() -> merging().maxSpaceAmplification(0.9).build())
                .hasMessageContaining(FileMergingOptions.MAX_SPACE_AMPLIFICATION);
        assertThatThrownBy(() -> FileCheckpointStorageOptions.fromConfig(Map.of(FileMergingOptions.ENABLED, "yes")))
                .hasMessageContaining(FileMergingOptions.ENABLED);
        FileMergingOptions across = merging().acrossCheckpointBoundary(true).build();
        MapBlobStore objectStoreLike = new MapBlobStore();
        assertThat(across.fallbackReason(objectStoreLike)).hasValueSatisfying(reason -> assertThat(reason)
                .contains(FileMergingOptions.ACROSS_CHECKPOINT_BOUNDARY).contains("within each checkpoint"));
        assertThat(storage(objectStoreLike, across).fileMerging().orElseThrow().options().acrossCheckpointBoundary())
                .isFalse();
        assertThat(across.fallbackReason(new AppendableMapBlobStore())).isEmpty();
        assertThat(FileCheckpointStorageOptions.fromConfig(Map.of(FileMergingOptions.ENABLED, "true",
                FileMergingOptions.MAX_FILE_SIZE, "8mb")).fileMerging().maxFileSize()).isEqualTo(8L << 20);
    }

    private static StreamStateHandle writeBytes(CheckpointStreamFactory streams, CheckpointedStateScope scope,
            int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        try (CheckpointStateOutputStream out = streams.createOutputStream(scope)) {
            out.write(bytes, 0, size);
            return out.commit();
        }
    }

    private static CheckpointMetadata metadata(long id, StreamStateHandle stream) {
        return new CheckpointMetadata(id, 1000 + id, List.of(new OperatorSnapshot("op", 1, 2, List.of(
                new SubtaskSnapshot(0, List.of(new KeyGroupsStateHandle(KeyGroupRange.of(0, 1),
                        new long[] {0, stream.stateSize()}, stream)), List.of(), false)))));
    }
}
