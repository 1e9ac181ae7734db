package dev.cairn.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cairn.blob.BlobOutputStream;
import dev.cairn.blob.BlobStore;
import dev.cairn.blob.InputBlob;
import dev.cairn.blob.SupportsAppend;
import dev.cairn.blob.SupportsPrefixListing;
import dev.cairn.checkpoint.IncrementalKeyedStateHandle;
import dev.cairn.checkpoint.CheckpointStorage;

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
import dev.cairn.error.CorruptCheckpointException;
import dev.cairn.filemerging.FileMergingOptions;
import dev.cairn.filemerging.FileMergingStats;
import dev.cairn.filemerging.SegmentReader;
import dev.cairn.keygroup.KeyGroupRange;
import dev.cairn.runtime.sharedstate.SharedStateRegistry;
import dev.cairn.runtime.storage.FileCheckpointStorage;
import dev.cairn.runtime.storage.FileCheckpointStorageOptions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The file merging rules ({@code MERGE-nn} in {@code tck/CONTRACT.md}): a checkpoint storage with
 * merging on, over the blob store under test, writes few physical files that read back exactly,
 * refuses a damaged one, keeps every file within the space bound and deletes it exactly when no
 * retained checkpoint refers to it, takes back what an aborted checkpoint wrote, bounds a blocking
 * pool, and resumes in a new process.
 *
 * <p>To certify a store, extend this class and implement {@link #createBlobStore()} (it must
 * implement {@link SupportsPrefixListing}) and {@link #newBaseLocation()}. Rules about merging across
 * checkpoint boundaries run when the store implements {@link SupportsAppend}. To certify another
 * merging setup, override {@link #createStorage}.
 */
public abstract class FileMergingTck {
    /** The store under test, created before each rule and closed after it. */
    protected BlobStore store;
    private String base;
    private String jobId;
    private final List<CheckpointStorage> storages = new java.util.ArrayList<>();

    /** A new store instance; called once per rule. */
    protected abstract BlobStore createBlobStore();

    /** A location under which nothing exists yet, unique per call. */
    protected abstract String newBaseLocation();

    /**
     * The storage the rules run: by default a {@link FileCheckpointStorage} with {@code options};
     * its merged files must lie under {@code <base>/<jobId>/shared/merged/}.
     */
    protected CheckpointStorage createStorage(BlobStore store, String base, String jobId,
            FileCheckpointStorageOptions options) {
        return new FileCheckpointStorage(store, base, jobId, options);
    }

    @BeforeEach
    void createStore() {
        store = createBlobStore();
        base = newBaseLocation();
        jobId = "job-" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(store).as("the store lists (the rules measure by listing)").isInstanceOf(SupportsPrefixListing.class);
    }

    @AfterEach
    void closeStore() {
        for (CheckpointStorage s : storages) {
            s.close();
        }
        storages.clear();
        if (store != null) {
            store.close();
        }
    }

    private CheckpointStorage storage(FileMergingOptions merging) {
        CheckpointStorage s = createStorage(store, base, jobId, FileCheckpointStorageOptions.builder()
                .inlineThreshold(64).fileMerging(merging).build());
        storages.add(s);
        return s;
    }

    private String mergedLocation() {
        return base.endsWith("/") ? base + jobId + "/shared/merged/" : base + "/" + jobId + "/shared/merged/";
    }

    private MergingWorkload workload(FileMergingOptions merging, int subtasks, int retained) {
        return new MergingWorkload(store, storage(merging), mergedLocation(), subtasks, retained);
    }

    private static FileMergingOptions.Builder merging() {
        return FileMergingOptions.builder().enabled(true);
    }

    private boolean appends() {
        return store instanceof SupportsAppend;
    }

    private byte[] read(String location) {
        InputBlob blob = store.open(location);
        byte[] bytes = new byte[(int) blob.length()];
        blob.readFully(0, bytes, 0, bytes.length);
        return bytes;
    }

    private void replace(String location, byte[] bytes) {
        store.delete(location);
        try (BlobOutputStream out = store.create(location)) {
            out.write(bytes);
            out.commit();
        }
    }

    @Test
    @DisplayName("MERGE-01 MUST: the 176 streams of 16 subtasks become segments of 4 physical files that read back exactly")
    void ruleMERGE01_fewPhysicalFilesReadBack() {
        MergingWorkload job = workload(merging().maxSubtasksPerFile(4).build(), 16, 1);
        CompletedCheckpoint cp = job.checkpoint(1, 0);
        job.assertReadsBack(cp);
        assertThat(job.mergedFiles()).as("physical files (one pool per 4 subtasks)").hasSize(4);
        assertThat(job.manager().stats().physicalFilesCreated()).isEqualTo(4);
        assertThat(FileCheckpointStorage.segments(cp.metadata())).hasSize(16 * 11);
        CompletedCheckpoint resolved = job.storage.resolve(cp.pointer());
        assertThat(resolved.metadata()).isEqualTo(cp.metadata());
    }

    @ParameterizedTest(name = "MERGE-03 MUST: after every checkpoint of a churning job, every merged file holds at most"
            + " 2.0 x the bytes its window of checkpoints refers to and none is unreferenced (across={0}, retained={1})")
    @CsvSource({"false, 1", "false, 3", "true, 1", "true, 3"})
    void ruleMERGE03_spaceBoundAfterEveryCheckpoint(boolean across, int retained) {
        assumeTrue(!across || appends(), "merging across checkpoints needs SupportsAppend");
        MergingWorkload job = workload(merging().acrossCheckpointBoundary(across).maxFileSize(256 << 10).build(),
                16, retained);
        double worst = 0;
        for (long id = 1; id <= 30; id++) {
            CompletedCheckpoint cp = job.checkpoint(id, 3);
            job.assertReadsBack(cp);
            worst = Math.max(worst, job.assertBound(2.0));
        }
        FileMergingStats stats = job.manager().stats();
        assertThat(stats.reuploadsForced()).as("the bound re-uploaded state").isPositive();
        assertThat(stats.boundExceeded()).as("files referred to beyond the bound").isZero();
        if (across) {
            assertThat(stats.appendsOpened()).as("appends to committed files").isPositive();
        }
        System.out.printf("churn across=%s retained=%d: %d physical files created, %d appends, %d segments,"
                + " worst amplification %.3f, reuploads forced %d%n", across, retained, stats.physicalFilesCreated(),
                stats.appendsOpened(), stats.segmentsWritten(), worst, stats.reuploadsForced());
    }

    @Test
    @DisplayName("MERGE-08 MUST: across checkpoint boundaries, committed files take later segments if the store appends;"
            + " otherwise merging falls back to within checkpoints and says why")
    void ruleMERGE08_acrossBoundaries() {
        FileMergingOptions across = merging().acrossCheckpointBoundary(true).build();
        if (!appends()) {
            assertThat(across.fallbackReason(store)).hasValueSatisfying(reason -> assertThat(reason)
                    .contains(FileMergingOptions.ACROSS_CHECKPOINT_BOUNDARY).contains("within each checkpoint"));
            assertThat(MergingWorkload.manager(storage(across)).options().acrossCheckpointBoundary()).isFalse();
            return;
        }
        assertThat(across.fallbackReason(store)).isEmpty();
        MergingWorkload job = workload(across, 4, 1);
        for (long id = 1; id <= 10; id++) {
            job.assertReadsBack(job.checkpoint(id, 1));
        }
        FileMergingStats stats = job.manager().stats();
        assertThat(stats.appendsOpened()).as("appends").isPositive();
        assertThat(stats.physicalFilesCreated()).as("files created in 10 checkpoints of one pool").isLessThan(10);
        job.assertBound(2.0);
    }

    @Test
    @DisplayName("MERGE-02 MUST: a flipped byte in a merged file is refused, naming the physical file and the segment")
    void ruleMERGE02_damagedSegmentRefused() {
        long id = 0;
        for (int size : new int[] {5000, SegmentReader.IN_MEMORY_LIMIT + 12345}) {
            CheckpointStorage storage = storage(merging().build());
            CheckpointStorageLocation location = storage.initializeLocation(++id);
            byte[] bytes = new byte[size];
            new Random(size).nextBytes(bytes);
            SegmentStateHandle segment;
            try (CheckpointStateOutputStream out = location.createOutputStream(CheckpointedStateScope.EXCLUSIVE)) {
                out.write(bytes, 0, bytes.length);
                segment = (SegmentStateHandle) out.commit();
            }
            location.finalizeCheckpoint(metadata(id, segment));
            byte[] damaged = read(segment.physicalLocation());
            damaged[(int) segment.offset() + size - 10] ^= 0x20;
            replace(segment.physicalLocation(), damaged);
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
    @DisplayName("MERGE-05 MUST: an aborted checkpoint leaves no merged file of its own and cuts its appends back")
    void ruleMERGE05_abortTakesBack() {
        MergingWorkload job = workload(merging().acrossCheckpointBoundary(appends()).writeBufferSize(1024).build(), 2,
                1);
        job.checkpoint(1, 0);
        Map<String, Long> before = job.mergedFiles();
        Map<String, byte[]> bytesBefore = new HashMap<>();
        before.keySet().forEach(l -> bytesBefore.put(l, read(l)));

        CheckpointStorageLocation location = job.storage.initializeLocation(2);
        CheckpointStreamFactory streams = location.forSubtask("op", 0);
        List<StreamStateHandle> sharedOfSubtask0 = job.retained.getLast().metadata().operators().get(0).subtasks()
                .get(0).keyedState().stream().flatMap(h -> ((IncrementalKeyedStateHandle) h).sharedState().values()
                        .stream()).filter(h -> h instanceof SegmentStateHandle).toList();
        SegmentStateHandle reused = (SegmentStateHandle) sharedOfSubtask0.get(0);
        assertThat(streams.reusable(sharedOfSubtask0)).as("segments the retained checkpoint refers to in full")
                .containsExactlyInAnyOrderElementsOf(sharedOfSubtask0);
        // the shared stream holds the reused file while the exclusive one is written, which takes a new file
        CheckpointStateOutputStream holder = streams.createOutputStream(CheckpointedStateScope.SHARED);
        holder.write(new byte[3000], 0, 3000);
        StreamStateHandle created = writeBytes(streams, CheckpointedStateScope.EXCLUSIVE, 3000);
        StreamStateHandle appended = holder.commit();
        if (appends()) {
            assertThat(((SegmentStateHandle) appended).physicalLocation()).as("appended to the reused file")
                    .isEqualTo(reused.physicalLocation());
        }
        location.discardOnFailure();

        assertThat(job.mergedFiles()).as("merged files after the abort").isEqualTo(before);
        before.keySet().forEach(l -> assertThat(read(l)).as("bytes of %s", l).isEqualTo(bytesBefore.get(l)));
        assertThat(((SegmentStateHandle) created).physicalLocation()).isNotIn(before.keySet());
        job.checkpoint(3, 1);
        job.assertReadsBack(job.retained.getLast());
        job.assertBound(2.0);
    }

    @Test
    @DisplayName("MERGE-04 MUST: a merged file is kept while a retained checkpoint or one in progress refers to it, and"
            + " deleted once none does")
    void ruleMERGE04_deletedExactlyWhenUnreferenced() {
        CheckpointStorage storage = storage(merging().build());
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
        assertThat(store.exists(segment.physicalLocation())).as("kept while checkpoint 2 reuses it").isTrue();
        CompletedCheckpoint two = second.finalizeCheckpoint(metadata(2, segment));
        registry.register(two);
        assertThat(store.exists(segment.physicalLocation())).as("kept while referenced").isTrue();

        CheckpointStorageLocation third = storage.initializeLocation(3);
        assertThat(third.forSubtask("op", 0).reusable(List.of(segment))).containsExactly(segment);
        storage.discard(two);
        registry.unregisterAndDelete(2);
        assertThat(store.exists(segment.physicalLocation())).as("kept while referenced").isTrue();
        StreamStateHandle other = writeBytes(third.forSubtask("op", 0), CheckpointedStateScope.SHARED, 4000);
        registry.register(third.finalizeCheckpoint(metadata(3, other)));
        assertThat(store.exists(segment.physicalLocation())).as("deleted once checkpoint 3 completed without it")
                .isFalse();
    }

    @Test
    @DisplayName("MERGE-07 MUST: a new process reads and may reuse the segments of an earlier one, and deletes its"
            + " files once no checkpoint refers to them")
    void ruleMERGE07_newProcess() {
        FileMergingOptions options = merging().acrossCheckpointBoundary(appends()).build();
        MergingWorkload job = workload(options, 4, 1);
        for (long id = 1; id <= 3; id++) {
            job.checkpoint(id, 2);
        }
        CompletedCheckpoint last = job.retained.getLast();
        Set<String> earlierFiles = job.mergedFiles().keySet();
        job.storage.close();

        CheckpointStorage restarted = storage(options);
        CompletedCheckpoint restored = restarted.resolve(last.pointer());
        MergingWorkload resumed = new MergingWorkload(store, restarted, mergedLocation(), 4, 1);
        resumed.registry.registerRestored(restored, true);
        resumed.adopt(restored);
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
    @DisplayName("MERGE-06 MUST: a writer of a full blocking pool waits until a file is returned, and an abort releases it")
    void ruleMERGE06_blockingPool() throws Exception {
        CheckpointStorage storage = storage(merging().poolBlocking(true).writeBufferSize(1024).build());
        CheckpointStorageLocation location = storage.initializeLocation(1);
        CheckpointStreamFactory streams = location.forSubtask("op", 0);
        CheckpointStateOutputStream holder = streams.createOutputStream(CheckpointedStateScope.SHARED);
        holder.write(new byte[5000], 0, 5000);
        CompletableFuture<StreamStateHandle> waiting = CompletableFuture.supplyAsync(
                () -> writeBytes(streams, CheckpointedStateScope.SHARED, 5000));
        assertThatThrownBy(() -> waiting.get(300, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
        assertThat(MergingWorkload.manager(storage).stats().waits()).isEqualTo(1);
        StreamStateHandle first = holder.commit();
        StreamStateHandle second = waiting.get(10, TimeUnit.SECONDS);
        assertThat(((SegmentStateHandle) second).physicalLocation())
                .isEqualTo(((SegmentStateHandle) first).physicalLocation());
        assertThat(MergingWorkload.manager(storage).stats().maxOpenFilesPerPool()).isEqualTo(1);

        CheckpointStateOutputStream holder2 = streams.createOutputStream(CheckpointedStateScope.SHARED);
        holder2.write(new byte[5000], 0, 5000);
        CompletableFuture<StreamStateHandle> stuck = CompletableFuture.supplyAsync(
                () -> writeBytes(streams, CheckpointedStateScope.SHARED, 5000));
        assertThatThrownBy(() -> stuck.get(300, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
        location.discardOnFailure();
        assertThatThrownBy(() -> stuck.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(CheckpointException.class).hasMessageContaining("aborted");
        holder2.close();
        assertThat(new MergingWorkload(store, storage, mergedLocation(), 1, 1).mergedFiles())
                .as("merged files of the aborted checkpoint").isEmpty();
    }

    @Test
    @DisplayName("MERGE-09 MUST: a writer of a non-blocking pool whose files are all taken opens another at once")
    void ruleMERGE09_nonBlockingPool() {
        CheckpointStorage storage = storage(merging().writeBufferSize(1024).build());
        CheckpointStorageLocation location = storage.initializeLocation(1);
        CheckpointStreamFactory streams = location.forSubtask("op", 0);
        CheckpointStateOutputStream holder = streams.createOutputStream(CheckpointedStateScope.SHARED);
        holder.write(new byte[5000], 0, 5000);
        StreamStateHandle other = writeBytes(streams, CheckpointedStateScope.SHARED, 5000);
        StreamStateHandle first = holder.commit();
        assertThat(((SegmentStateHandle) other).physicalLocation())
                .isNotEqualTo(((SegmentStateHandle) first).physicalLocation());
        FileMergingStats stats = MergingWorkload.manager(storage).stats();
        assertThat(stats.waits()).isZero();
        assertThat(stats.maxOpenFilesPerPool()).isEqualTo(2);
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
