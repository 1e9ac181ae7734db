package dev.cairn.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.cairn.blob.BlobOutputStream;
import dev.cairn.blob.BlobStore;
import dev.cairn.blob.SeekableInputStream;
import dev.cairn.blob.SupportsPrefixListing;
import dev.cairn.checkpoint.CheckpointMetadata;
import dev.cairn.checkpoint.CheckpointStateOutputStream;
import dev.cairn.checkpoint.CheckpointStorageLocation;
import dev.cairn.checkpoint.CheckpointedStateScope;
import dev.cairn.checkpoint.CompletedCheckpoint;
import dev.cairn.checkpoint.FileStateHandle;
import dev.cairn.checkpoint.InlineStateHandle;
import dev.cairn.checkpoint.KeyGroupsStateHandle;
import dev.cairn.checkpoint.KeyedStateHandle;
import dev.cairn.checkpoint.OperatorSnapshot;
import dev.cairn.checkpoint.OperatorStateHandle;
import dev.cairn.checkpoint.OperatorStateHandle.StateMetaInfo;
import dev.cairn.checkpoint.SegmentStateHandle;
import dev.cairn.checkpoint.StreamStateHandle;
import dev.cairn.checkpoint.SubtaskSnapshot;
import dev.cairn.error.CairnException;
import dev.cairn.error.CheckpointException;
import dev.cairn.error.CorruptCheckpointException;
import dev.cairn.error.UnsupportedVersionException;
import dev.cairn.format.Envelope;
import dev.cairn.format.HandleFormat;
import dev.cairn.format.MetadataFormat;
import dev.cairn.keygroup.KeyGroupRange;
import dev.cairn.runtime.storage.FileCheckpointStorage;
import dev.cairn.runtime.storage.FileCheckpointStorageOptions;
import dev.cairn.state.RedistributionMode;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Conformance suite for checkpoint storage over a {@link BlobStore}: the rules {@code STORAGE-01} …
 * in {@code tck/CONTRACT.md}. It runs Cairn's {@link FileCheckpointStorage} on the store under
 * test and checks the layout, that {@code _metadata} is written last and atomically, inlining of
 * small state, discard, and that every kind of damaged or hostile {@code _metadata} is refused with
 * an error naming the file.
 *
 * <p>To certify a store for checkpoints, extend this class and implement {@link #createBlobStore()}
 * and {@link #newBaseLocation()}; override {@link #options()} to test other storage options, e.g.
 * with file merging on (state streams then become segments of merged files; STORAGE-10 does not apply). Listing
 * rules run when the store implements {@link SupportsPrefixListing} and are skipped otherwise.
 */
public abstract class CheckpointStorageTck {
    private static final int KIB = 1024;
    private static final int LARGE_STATE = 4 * 1024 * KIB;

    /** The store under test, created before each rule and closed after it. */
    protected BlobStore store;
    /** The base location of the current rule. */
    protected String base;
    /** The storage under test: {@link FileCheckpointStorage} over {@link #store} under {@link #base}. */
    protected FileCheckpointStorage storage;

    private String jobId;

    /** A new store instance; called once per rule. */
    protected abstract BlobStore createBlobStore();

    /**
     * A location under which nothing exists yet, unique per call, e.g. {@code file:///tmp/junit1/t7}
     * or {@code s3://bucket/run-42/t7}; the storage creates {@code <base>/<job-id>/…} below it.
     */
    protected abstract String newBaseLocation();

    /** The storage options the rules run with; the inline threshold must stay below 64 KiB. */
    protected FileCheckpointStorageOptions options() {
        return FileCheckpointStorageOptions.defaults();
    }

    @BeforeEach
    void createStorage() {
        store = createBlobStore();
        base = newBaseLocation();
        jobId = "job-" + UUID.randomUUID().toString().substring(0, 8);
        storage = new FileCheckpointStorage(store, base, jobId, options());
        assertThat(options().inlineThreshold()).as("inline threshold used by the TCK").isLessThan(64 * KIB);
    }

    @AfterEach
    void closeStorage() {
        if (storage != null) {
            storage.close();
        }
        if (store != null) {
            store.close();
        }
    }

    // ---------------------------------------------------------------- layout and atomicity

    @Test
    @DisplayName("STORAGE-01 MUST: files follow the layout <base>/<job>/chk-<n>/_metadata, chk-<n>/, shared/, taskowned/")
    void ruleSTORAGE01_layout() {
        CheckpointStorageLocation loc = storage.initializeLocation(3);
        StreamStateHandle exclusive = stored(write(loc, CheckpointedStateScope.EXCLUSIVE, fileSized(1)));
        StreamStateHandle shared = stored(write(loc, CheckpointedStateScope.SHARED, fileSized(2)));
        StreamStateHandle owned = stored(write(loc, CheckpointedStateScope.TASK_OWNED, fileSized(3)));
        CompletedCheckpoint cp = loc.finalizeCheckpoint(metadataOf(3, exclusive, shared, owned));

        String job = storage.baseLocation() + jobId + "/";
        assertThat(storage.jobLocation()).isEqualTo(job);
        assertThat(location(exclusive)).startsWith(merging() ? job + "shared/merged/" : job + "chk-3/");
        assertThat(location(shared)).startsWith(job + "shared/");
        assertThat(location(owned)).startsWith(job + "taskowned/");
        for (StreamStateHandle f : List.of(exclusive, shared, owned)) {
            assertThat(location(f).substring(location(f).lastIndexOf('/') + 1)).as("random file name")
                    .matches((merging() && !f.equals(owned) ? "pool-([0-9]+|any)-" : "")
                            + "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
            assertThat(store.exists(location(f))).as(location(f)).isTrue();
        }
        assertThat(cp.pointer()).isEqualTo(job + "chk-3");
        assertThat(store.exists(job + "chk-3/_metadata")).isTrue();
    }

    @Test
    @DisplayName("STORAGE-02 MUST: no _metadata exists before finalizeCheckpoint, even after state was committed")
    void ruleSTORAGE02_noMetadataBeforeFinalize() throws IOException {
        CheckpointStorageLocation loc = storage.initializeLocation(1);
        String metadata = storage.metadataLocation(1);
        StreamStateHandle committed = write(loc, CheckpointedStateScope.EXCLUSIVE, fileSized(1));
        try (CheckpointStateOutputStream open = loc.createOutputStream(CheckpointedStateScope.EXCLUSIVE)) {
            byte[] data = fileSized(2);
            open.write(data, 0, data.length);
            assertThat(store.exists(metadata)).as("_metadata while a state stream is open").isFalse();
            StreamStateHandle second = open.commit();
            assertThat(store.exists(metadata)).as("_metadata after state commits").isFalse();
            assertThatThrownBy(() -> storage.resolve(storage.checkpointLocation(1)))
                    .isInstanceOf(CairnException.class);
            loc.finalizeCheckpoint(metadataOf(1, committed, second));
        }
        assertThat(store.exists(metadata)).as("_metadata after finalize").isTrue();
    }

    @Test
    @DisplayName("STORAGE-03 MUST: a finalize whose metadata write fails half-way leaves no _metadata")
    void ruleSTORAGE03_failedFinalizeLeavesNoMetadata() {
        CheckpointStorageProbeStore probe = new CheckpointStorageProbeStore(store);
        FileCheckpointStorage probed = new FileCheckpointStorage(probe, base, jobId, options());
        CheckpointStorageLocation loc = probed.initializeLocation(1);
        StreamStateHandle state = write(loc, CheckpointedStateScope.EXCLUSIVE, fileSized(1));
        probe.failMetadataWrites();
        Throwable failure = catchThrowable(() -> loc.finalizeCheckpoint(metadataOf(1, state)));
        assertThat(failure).as("finalize with a failing metadata write").isInstanceOf(CairnException.class);
        assertThat(store.exists(storage.metadataLocation(1))).as("_metadata after a failed finalize").isFalse();
        assertThatThrownBy(() -> storage.resolve(storage.checkpointLocation(1))).isInstanceOf(CairnException.class);

        CheckpointStorageLocation outside = storage.initializeLocation(2);
        assertThatThrownBy(() -> outside.finalizeCheckpoint(metadataOf(2, new FileStateHandle("s3://elsewhere/x", 1))))
                .isInstanceOf(CheckpointException.class);
        assertThat(store.exists(storage.metadataLocation(2))).as("_metadata after a refused finalize").isFalse();
    }

    @Test
    @DisplayName("STORAGE-04 MUST: finalizing a checkpoint id twice is refused and the first metadata survives")
    void ruleSTORAGE04_finalizeTwiceIsRefused() {
        CheckpointStorageLocation first = storage.initializeLocation(5);
        // with file merging a second location of an id in progress is refused at once, before any state is written
        CheckpointStorageLocation second = merging() ? null : storage.initializeLocation(5);
        if (merging()) {
            assertThatThrownBy(() -> storage.initializeLocation(5)).isInstanceOf(CheckpointException.class);
        }
        CheckpointMetadata firstMetadata = metadataOf(5, write(first, CheckpointedStateScope.EXCLUSIVE, fileSized(1)));
        CheckpointMetadata secondMetadata = metadataOf(5, new InlineStateHandle(new byte[] {1, 2, 3}));
        first.finalizeCheckpoint(firstMetadata);
        if (second != null) {
            assertThatThrownBy(() -> second.finalizeCheckpoint(secondMetadata)).isInstanceOf(CheckpointException.class);
        }
        assertThatThrownBy(() -> storage.initializeLocation(5)).isInstanceOf(CheckpointException.class);
        assertThat(storage.resolve(storage.checkpointLocation(5)).metadata()).isEqualTo(firstMetadata);
    }

    // ---------------------------------------------------------------- streams

    @Test
    @DisplayName("STORAGE-05 MUST: a state stream below the inline threshold becomes an inline handle and writes nothing")
    void ruleSTORAGE05_smallStateIsInlined() {
        CheckpointStorageProbeStore probe = new CheckpointStorageProbeStore(store);
        FileCheckpointStorage probed = new FileCheckpointStorage(probe, base, jobId, options());
        CheckpointStorageLocation loc = probed.initializeLocation(1);
        int threshold = options().inlineThreshold();
        for (int size : new int[] {0, 1, threshold - 1}) {
            for (CheckpointedStateScope scope : CheckpointedStateScope.values()) {
                byte[] data = bytes(size, size);
                assertThat(write(loc, scope, data)).as("%d bytes, %s", size, scope)
                        .isEqualTo(new InlineStateHandle(data));
            }
        }
        assertThat(probe.created()).as("blobs created for inline state").isEmpty();
    }

    @Test
    @DisplayName("STORAGE-06 MUST: a state stream at or above the threshold becomes a file that reads back, also by ranges")
    void ruleSTORAGE06_largerStateGoesToAFile() throws IOException {
        CheckpointStorageLocation loc = storage.initializeLocation(1);
        int threshold = options().inlineThreshold();
        int[] sizes = {threshold, threshold + 1, 3 * threshold + 17};
        StreamStateHandle[] handles = new StreamStateHandle[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            handles[i] = stored(write(loc, CheckpointedStateScope.EXCLUSIVE, bytes(sizes[i], sizes[i])));
        }
        if (merging()) {
            loc.finalizeCheckpoint(metadataOf(1, handles)); // segments become readable when their checkpoint commits
        }
        for (int i = 0; i < sizes.length; i++) {
            int size = sizes[i];
            byte[] data = bytes(size, size);
            StreamStateHandle h = handles[i];
            assertThat(h.stateSize()).isEqualTo(size);
            try (SeekableInputStream in = storage.open(h)) {
                assertThat(in.readAllBytes()).as("%d bytes read back", size).isEqualTo(data);
                in.seek(size / 2);
                byte[] tail = new byte[size - size / 2];
                in.readFully(tail, 0, tail.length);
                assertThat(tail).isEqualTo(Arrays.copyOfRange(data, size / 2, size));
            }
        }
    }

    @Test
    @DisplayName("STORAGE-07 MUST: a state stream closed without commit leaves no file, even after spilling")
    void ruleSTORAGE07_abortedStreamLeavesNothing() throws IOException {
        CheckpointStorageProbeStore probe = new CheckpointStorageProbeStore(store);
        FileCheckpointStorage probed = new FileCheckpointStorage(probe, base, jobId, options());
        CheckpointStorageLocation loc = probed.initializeLocation(1);
        for (CheckpointedStateScope scope : CheckpointedStateScope.values()) {
            try (CheckpointStateOutputStream out = loc.createOutputStream(scope)) {
                byte[] data = bytes(4 * options().inlineThreshold() + 5, 1);
                out.write(data, 0, data.length);
            }
        }
        // with file merging the exclusive and the shared stream spill into one physical file
        assertThat(probe.created()).as("the streams spilled to blobs").hasSize(merging() ? 2 : 3);
        for (String location : probe.created()) {
            assertThat(store.exists(location)).as("aborted blob %s", location).isFalse();
        }
        if (store instanceof SupportsPrefixListing listing) {
            assertThat(listing.list(storage.jobLocation())).as("blobs under the job").isEmpty();
        }
    }

    @Test
    @DisplayName("STORAGE-08 MUST: large state (4 MiB, many buffer flushes) survives finalize, resolve and read-back")
    void ruleSTORAGE08_largeStateRoundTrips() throws IOException {
        CheckpointStorageLocation loc = storage.initializeLocation(1);
        byte[] data = bytes(LARGE_STATE, 8);
        StreamStateHandle h;
        try (CheckpointStateOutputStream out = loc.createOutputStream(CheckpointedStateScope.EXCLUSIVE)) {
            for (int off = 0; off < data.length; off += 1000) {
                out.write(data, off, Math.min(1000, data.length - off));
            }
            assertThat(out.position()).isEqualTo(data.length);
            h = out.commit();
        }
        CompletedCheckpoint cp = loc.finalizeCheckpoint(metadataOf(1, h));
        CompletedCheckpoint resolved = storage.resolve(cp.pointer());
        StreamStateHandle back = resolved.metadata().allHandles().get(0).streams().get(0);
        assertThat(back.stateSize()).isEqualTo(data.length);
        try (SeekableInputStream in = storage.open(back)) {
            assertThat(in.readAllBytes()).isEqualTo(data);
        }
    }

    // ---------------------------------------------------------------- metadata

    @Test
    @DisplayName("STORAGE-09 MUST: metadata with every handle type resolves equal, by directory and by _metadata pointer")
    void ruleSTORAGE09_metadataRoundTrip() {
        CompletedCheckpoint cp = finalizeSample(7);
        CompletedCheckpoint byDirectory = storage.resolve(cp.pointer());
        CompletedCheckpoint byFile = storage.resolve(cp.pointer() + "/_metadata");
        assertThat(byDirectory).isEqualTo(cp);
        assertThat(byFile.metadata()).isEqualTo(cp.metadata());
        assertThat(byDirectory.metadata().allHandles()).isEqualTo(cp.metadata().allHandles());
    }

    @Test
    @DisplayName("STORAGE-10 MUST: discard deletes exactly the metadata and exclusive files; shared and task-owned survive")
    void ruleSTORAGE10_discardDeletesExactlyExclusiveFiles() {
        Assumptions.assumeFalse(merging(), "with file merging exclusive segments live in physical files that the"
                + " shared-state registry counts and deletes (FileMergingTck MERGE-04), not discard");
        CheckpointStorageLocation loc1 = storage.initializeLocation(1);
        StreamStateHandle shared = stored(write(loc1, CheckpointedStateScope.SHARED, fileSized(1)));
        StreamStateHandle owned = stored(write(loc1, CheckpointedStateScope.TASK_OWNED, fileSized(2)));
        StreamStateHandle exclusive1 = stored(write(loc1, CheckpointedStateScope.EXCLUSIVE, fileSized(3)));
        CompletedCheckpoint cp1 = loc1.finalizeCheckpoint(metadataOf(1, shared, owned, exclusive1));
        CheckpointStorageLocation loc2 = storage.initializeLocation(2);
        StreamStateHandle exclusive2 = stored(write(loc2, CheckpointedStateScope.EXCLUSIVE, fileSized(4)));
        CompletedCheckpoint cp2 = loc2.finalizeCheckpoint(metadataOf(2, shared, owned, exclusive1, exclusive2));

        storage.discard(cp2);
        assertThat(store.exists(storage.metadataLocation(2))).as("discarded _metadata").isFalse();
        assertThat(store.exists(location(exclusive2))).as("discarded exclusive file").isFalse();
        for (StreamStateHandle kept : List.of(shared, owned, exclusive1)) {
            assertThat(store.exists(location(kept))).as("file of another checkpoint or scope " + kept).isTrue();
        }
        assertThat(storage.resolve(cp1.pointer())).isEqualTo(cp1);
        storage.discard(cp1);
        assertThat(store.exists(location(exclusive1))).isFalse();
        assertThat(store.exists(storage.metadataLocation(1))).isFalse();
        assertThat(store.exists(location(shared))).as("shared file").isTrue();
        assertThat(store.exists(location(owned))).as("task-owned file").isTrue();
        storage.discard(cp1);
    }

    @Test
    @DisplayName("STORAGE-11 MUST: discardOnFailure deletes the exclusive and shared files the location wrote, not task-owned ones")
    void ruleSTORAGE11_discardOnFailure() {
        CheckpointStorageLocation loc = storage.initializeLocation(4);
        StreamStateHandle exclusive = stored(write(loc, CheckpointedStateScope.EXCLUSIVE, fileSized(1)));
        StreamStateHandle shared = stored(write(loc, CheckpointedStateScope.SHARED, fileSized(2)));
        StreamStateHandle owned = stored(write(loc, CheckpointedStateScope.TASK_OWNED, fileSized(3)));
        loc.discardOnFailure();
        assertThat(store.exists(location(exclusive))).as("exclusive file").isFalse();
        assertThat(store.exists(location(shared))).as("shared file of the failed checkpoint").isFalse();
        assertThat(store.exists(location(owned))).as("task-owned file").isTrue();
        assertThatThrownBy(() -> loc.finalizeCheckpoint(metadataOf(4))).isInstanceOf(CheckpointException.class);
        assertThat(store.exists(storage.metadataLocation(4))).isFalse();
        loc.discardOnFailure();
    }

    @Test
    @DisplayName("STORAGE-12 MUST: discardOnFailure after a successful finalize leaves the checkpoint intact")
    void ruleSTORAGE12_discardOnFailureAfterFinalizeKeepsCheckpoint() {
        CheckpointStorageLocation loc = storage.initializeLocation(1);
        StreamStateHandle exclusive = stored(write(loc, CheckpointedStateScope.EXCLUSIVE, fileSized(1)));
        CompletedCheckpoint cp = loc.finalizeCheckpoint(metadataOf(1, exclusive));
        loc.discardOnFailure();
        assertThat(store.exists(location(exclusive))).isTrue();
        assertThat(storage.resolve(cp.pointer())).isEqualTo(cp);
    }

    @Test
    @DisplayName("STORAGE-13 MUST: completedCheckpoints lists the finalized checkpoints of the job in id order")
    void ruleSTORAGE13_completedCheckpointsInIdOrder() {
        Assumptions.assumeTrue(store instanceof SupportsPrefixListing,
                "the store does not implement SupportsPrefixListing; checkpoints are found by pointer only");
        List<CompletedCheckpoint> expected = new ArrayList<>();
        for (long id : new long[] {12, 3, 100, 4}) {
            CheckpointStorageLocation loc = storage.initializeLocation(id);
            expected.add(loc.finalizeCheckpoint(metadataOf(id, write(loc, CheckpointedStateScope.EXCLUSIVE,
                    fileSized((int) id)))));
        }
        CheckpointStorageLocation pending = storage.initializeLocation(50);
        write(pending, CheckpointedStateScope.EXCLUSIVE, fileSized(50));
        new FileCheckpointStorage(store, base, jobId + "-other", options()).initializeLocation(1)
                .finalizeCheckpoint(metadataOf(1));
        expected.sort((a, b) -> Long.compare(a.checkpointId(), b.checkpointId()));
        assertThat(storage.completedCheckpoints()).isEqualTo(expected);
    }

    @Test
    @DisplayName("STORAGE-14 MUST: resolve refuses a checkpoint whose state file is missing or has another size")
    void ruleSTORAGE14_missingStateFileIsRefused() {
        CheckpointStorageLocation loc = storage.initializeLocation(1);
        StreamStateHandle h = stored(write(loc, CheckpointedStateScope.EXCLUSIVE, fileSized(1)));
        CompletedCheckpoint cp = loc.finalizeCheckpoint(metadataOf(1, h));
        replace(location(h), new byte[10]);
        assertRefused(cp.pointer(), CorruptCheckpointException.class, location(h));
        store.delete(location(h));
        assertRefused(cp.pointer(), CorruptCheckpointException.class, location(h));
    }

    // ---------------------------------------------------------------- damaged and hostile metadata

    @Test
    @DisplayName("STORAGE-15 MUST: a truncated _metadata is refused, at every cut point tried")
    void ruleSTORAGE15_truncatedMetadataIsRefused() {
        CompletedCheckpoint cp = finalizeSample(1);
        byte[] bytes = metadataBytes(1);
        for (int cut : new int[] {0, 3, 5, 9, bytes.length / 3, bytes.length / 2, bytes.length - 5, bytes.length - 1}) {
            replaceMetadata(1, Arrays.copyOf(bytes, cut));
            assertRefused(cp.pointer(), CorruptCheckpointException.class, "");
        }
        replaceMetadata(1, Envelope.seal(MetadataFormat.MAGIC, MetadataFormat.VERSION,
                Arrays.copyOf(body(bytes), body(bytes).length / 2)));
        assertRefused(cp.pointer(), CorruptCheckpointException.class, "");
    }

    @Test
    @DisplayName("STORAGE-16 MUST: a _metadata with a flipped bit is refused, wherever the bit is")
    void ruleSTORAGE16_bitFlipIsRefused() {
        CompletedCheckpoint cp = finalizeSample(1);
        byte[] bytes = metadataBytes(1);
        for (int bit : new int[] {0, 8 * 4 + 3, 8 * 5, 8 * 6 + 7, 8 * 20, 4 * bytes.length, 8 * bytes.length - 20,
                8 * bytes.length - 1}) {
            byte[] flipped = bytes.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            replaceMetadata(1, flipped);
            assertRefused(cp.pointer(), CorruptCheckpointException.class, "");
        }
    }

    @Test
    @DisplayName("STORAGE-17 MUST: a _metadata with a wrong magic number is refused")
    void ruleSTORAGE17_wrongMagicIsRefused() {
        CompletedCheckpoint cp = finalizeSample(1);
        byte[] bytes = metadataBytes(1);
        replaceMetadata(1, Envelope.seal(0x504B0304, MetadataFormat.VERSION, body(bytes)));
        assertRefused(cp.pointer(), CorruptCheckpointException.class, "magic");
    }

    @Test
    @DisplayName("STORAGE-18 MUST: a _metadata of a future format version is refused with UnsupportedVersionException")
    void ruleSTORAGE18_futureVersionIsRefused() {
        CompletedCheckpoint cp = finalizeSample(1);
        byte[] bytes = metadataBytes(1);
        replaceMetadata(1, Envelope.seal(MetadataFormat.MAGIC, MetadataFormat.VERSION + 1, body(bytes)));
        assertRefused(cp.pointer(), UnsupportedVersionException.class, "version " + (MetadataFormat.VERSION + 1));
    }

    @Test
    @DisplayName("STORAGE-19 MUST: a state file path with '..' or '.' segments (plain or percent-encoded) is refused")
    void ruleSTORAGE19_dotDotPathIsRefused() {
        for (Function<String, String> hostile : List.<Function<String, String>>of(
                rel -> "../" + rel, rel -> rel + "/../../../../outside", rel -> "%2e%2e/" + rel,
                rel -> rel.replace("/", "%2f..%2f"), rel -> "./" + rel)) {
            CompletedCheckpoint cp = craftPath(hostile);
            assertRefused(cp.pointer(), CorruptCheckpointException.class, pathKind());
        }
    }

    @Test
    @DisplayName("STORAGE-20 MUST: an absolute state file path is refused")
    void ruleSTORAGE20_absolutePathIsRefused() {
        for (Function<String, String> hostile : List.<Function<String, String>>of(
                rel -> "/etc/passwd", rel -> "/" + rel, rel -> "//host/" + rel, rel -> "\\" + rel)) {
            CompletedCheckpoint cp = craftPath(hostile);
            assertRefused(cp.pointer(), CorruptCheckpointException.class, pathKind());
        }
    }

    @Test
    @DisplayName("STORAGE-21 MUST: a state file path with another scheme or bucket is refused")
    void ruleSTORAGE21_otherSchemeIsRefused() {
        for (Function<String, String> hostile : List.<Function<String, String>>of(
                rel -> "hdfs://namenode:8020/" + rel, rel -> "s3://other-bucket/" + rel, rel -> "file:///" + rel,
                rel -> "gs://x/" + rel, rel -> storage.baseLocation() + rel)) {
            CompletedCheckpoint cp = craftPath(hostile);
            assertRefused(cp.pointer(), CorruptCheckpointException.class, pathKind());
        }
    }

    @Test
    @DisplayName("STORAGE-22 MUST: a crafted huge count or length fails fast, without allocating for it")
    void ruleSTORAGE22_hugeCountFailsFast() {
        CompletedCheckpoint cp = finalizeSample(1);
        byte[] body = body(metadataBytes(1));
        byte[] hugeOperators = body.clone();
        ByteBuffer.wrap(hugeOperators).putInt(16, Integer.MAX_VALUE);
        byte[] hugeInline = body.clone();
        int marker = indexOf(hugeInline, INLINE_MARKER);
        assertThat(marker).as("inline state in the sample metadata").isGreaterThan(4);
        ByteBuffer.wrap(hugeInline).putInt(marker - 4, Integer.MAX_VALUE - 8);
        for (byte[] hostile : List.of(hugeOperators, hugeInline)) {
            replaceMetadata(1, Envelope.seal(MetadataFormat.MAGIC, MetadataFormat.VERSION, hostile));
            long allocatedBefore = allocatedBytes();
            long start = System.nanoTime();
            assertRefused(cp.pointer(), CorruptCheckpointException.class, "exceeds");
            assertThat(System.nanoTime() - start).as("nanoseconds to refuse").isLessThan(5_000_000_000L);
            if (allocatedBefore >= 0) {
                assertThat(allocatedBytes() - allocatedBefore).as("bytes allocated while refusing")
                        .isLessThan(64L * 1024 * 1024);
            }
        }
    }

    @Test
    @DisplayName("STORAGE-23 MUST: a _metadata larger than the configured maximum is refused before it is read")
    void ruleSTORAGE23_oversizedMetadataIsRefused() {
        CheckpointStorageLocation loc = storage.initializeLocation(1);
        StreamStateHandle inline = write(loc, CheckpointedStateScope.EXCLUSIVE, bytes(options().inlineThreshold() - 1, 1));
        CompletedCheckpoint cp = loc.finalizeCheckpoint(metadataOf(1, inline));
        long size = metadataBytes(1).length;
        CheckpointStorageProbeStore probe = new CheckpointStorageProbeStore(store);
        FileCheckpointStorage capped = new FileCheckpointStorage(probe, base, jobId,
                options().toBuilder().maxMetadataSize(size - 1).build());
        Throwable refused = catchThrowable(() -> capped.resolve(cp.pointer()));
        assertThat(refused).isInstanceOf(CorruptCheckpointException.class)
                .hasMessageContaining(storage.metadataLocation(1)).hasMessageContaining(String.valueOf(size));
        assertThat(probe.metadataReads()).as("reads of the oversized _metadata").isZero();
        assertThat(new FileCheckpointStorage(store, base, jobId, options().toBuilder().maxMetadataSize(size).build())
                .resolve(cp.pointer())).isEqualTo(cp);
    }

    @Test
    @DisplayName("STORAGE-24 MUST: a handle with an unknown type tag is refused (no class is named by the file)")
    void ruleSTORAGE24_unknownHandleTagIsRefused() {
        CompletedCheckpoint cp = finalizeSample(1);
        byte[] body = body(metadataBytes(1));
        int marker = indexOf(body, INLINE_MARKER);
        int tagAt = marker - 5;
        assertThat(body[tagAt]).as("inline tag before the marker").isEqualTo((byte) HandleFormat.TAG_INLINE);
        body[tagAt] = (byte) 0x7F;
        replaceMetadata(1, Envelope.seal(MetadataFormat.MAGIC, MetadataFormat.VERSION, body));
        assertRefused(cp.pointer(), CorruptCheckpointException.class, "tag 127");
    }

    // ---------------------------------------------------------------- helpers

    /** Bytes that mark the inline handle of {@link #finalizeSample}, so crafted edits can find it. */
    private static final byte[] INLINE_MARKER = "cairn-tck-inline-state".getBytes(StandardCharsets.US_ASCII);

    /** A checkpoint with every handle type: file and inline streams, key groups (one empty), three modes. */
    private CompletedCheckpoint finalizeSample(long id) {
        CheckpointStorageLocation loc = storage.initializeLocation(id);
        StreamStateHandle exclusive = write(loc, CheckpointedStateScope.EXCLUSIVE, fileSized(1));
        StreamStateHandle shared = write(loc, CheckpointedStateScope.SHARED, fileSized(2));
        StreamStateHandle owned = write(loc, CheckpointedStateScope.TASK_OWNED, fileSized(3));
        StreamStateHandle inline = write(loc, CheckpointedStateScope.EXCLUSIVE, INLINE_MARKER);
        assertThat(exclusive).isInstanceOf(merging() ? SegmentStateHandle.class : FileStateHandle.class);
        assertThat(inline).isInstanceOf(InlineStateHandle.class);
        Map<String, StateMetaInfo> states = new LinkedHashMap<>();
        states.put("split", new StateMetaInfo(RedistributionMode.SPLIT, new long[] {0, 3, 9}));
        states.put("union", new StateMetaInfo(RedistributionMode.UNION, new long[] {10}));
        states.put("broadcast", new StateMetaInfo(RedistributionMode.BROADCAST, new long[] {}));
        long size = exclusive.stateSize();
        SubtaskSnapshot s0 = new SubtaskSnapshot(0,
                List.of(new KeyGroupsStateHandle(KeyGroupRange.of(0, 3), new long[] {0, 100, 100, size}, exclusive),
                        new KeyGroupsStateHandle(KeyGroupRange.EMPTY, new long[0], shared)),
                List.of(new OperatorStateHandle(states, inline)), false);
        SubtaskSnapshot s1 = new SubtaskSnapshot(1,
                List.of(new KeyGroupsStateHandle(KeyGroupRange.of(4, 7), new long[] {0, 1, 2, 3}, owned)),
                List.of(new OperatorStateHandle(Map.of(), exclusive)), true);
        CheckpointMetadata md = new CheckpointMetadata(id, 1_700_000_000_000L + id, List.of(
                new OperatorSnapshot("keyed-operator", 2, 8, List.of(s0, s1)),
                new OperatorSnapshot("source \u00e9", 1, 128, List.of(new SubtaskSnapshot(0, List.of(), List.of(),
                        true))),
                new OperatorSnapshot("not-yet-running", 4, 4, List.of())));
        return loc.finalizeCheckpoint(md);
    }

    /** A checkpoint one of whose file paths was rewritten by {@code hostile}, sealed with a valid checksum. */
    private CompletedCheckpoint craftPath(Function<String, String> hostile) {
        long id = nextCraftId++;
        CheckpointStorageLocation loc = storage.initializeLocation(id);
        StreamStateHandle h = stored(write(loc, CheckpointedStateScope.EXCLUSIVE, fileSized((int) id)));
        CompletedCheckpoint cp = loc.finalizeCheckpoint(metadataOf(id, h));
        String relative = location(h).substring(storage.baseLocation().length());
        byte[] body = body(metadataBytes(id));
        byte[] oldPath = relative.getBytes(StandardCharsets.UTF_8);
        byte[] newPath = hostile.apply(relative).getBytes(StandardCharsets.UTF_8);
        int at = indexOf(body, oldPath);
        assertThat(at).as("path %s in the metadata", relative).isGreaterThanOrEqualTo(4);
        assertThat(ByteBuffer.wrap(body).getInt(at - 4)).isEqualTo(oldPath.length);
        ByteBuffer crafted = ByteBuffer.allocate(body.length - oldPath.length + newPath.length);
        crafted.put(body, 0, at - 4).putInt(newPath.length).put(newPath)
                .put(body, at + oldPath.length, body.length - at - oldPath.length);
        replaceMetadata(id, Envelope.seal(MetadataFormat.MAGIC, MetadataFormat.VERSION, crafted.array()));
        return cp;
    }

    private long nextCraftId = 100;

    private void assertRefused(String pointer, Class<? extends CairnException> type, String reason) {
        Throwable refused = catchThrowable(() -> storage.resolve(pointer));
        assertThat(refused).as("resolve of damaged checkpoint %s", pointer).isInstanceOf(type)
                .hasMessageContaining(pointer + "/_metadata").hasMessageContaining(reason);
    }

    private byte[] metadataBytes(long id) {
        String location = storage.metadataLocation(id);
        var blob = store.open(location);
        byte[] bytes = new byte[(int) blob.length()];
        blob.readFully(0, bytes, 0, bytes.length);
        return bytes;
    }

    private void replaceMetadata(long id, byte[] bytes) {
        replace(storage.metadataLocation(id), bytes);
    }

    /** Deletes the blob at {@code location} and commits {@code bytes} in its place. */
    protected final void replace(String location, byte[] bytes) {
        store.delete(location);
        try (BlobOutputStream out = store.create(location)) {
            out.write(bytes);
            out.commit();
        }
    }

    private static byte[] body(byte[] sealed) {
        return Arrays.copyOfRange(sealed, 6, sealed.length - 4);
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** Writes one stream and commits it. */
    protected static StreamStateHandle write(CheckpointStorageLocation loc, CheckpointedStateScope scope, byte[] data) {
        try (CheckpointStateOutputStream out = loc.createOutputStream(scope)) {
            out.write(data, 0, data.length);
            return out.commit();
        }
    }

    /** A handle of state above the inline threshold: a file, or with file merging a segment of a merged file. */
    private static StreamStateHandle stored(StreamStateHandle h) {
        assertThat(h).as("handle of state above the inline threshold").isInstanceOfAny(FileStateHandle.class,
                SegmentStateHandle.class);
        return h;
    }

    /** The blob that holds {@code h}: its file, or the physical file of its segment. */
    private static String location(StreamStateHandle h) {
        return h instanceof SegmentStateHandle s ? s.physicalLocation() : ((FileStateHandle) h).location();
    }

    /** What an error about a hostile path in the metadata calls the path. */
    private String pathKind() {
        return merging() ? "merged file path" : "state file path";
    }

    /** Whether the rules run with file merging on ({@link #options()}). */
    protected final boolean merging() {
        return options().fileMerging().enabled();
    }

    /** Deterministic bytes, comfortably above the inline threshold but small (below 64 KiB + 1 KiB). */
    private byte[] fileSized(int seed) {
        return bytes(options().inlineThreshold() + 1024 + seed % 1024, seed);
    }

    private static byte[] bytes(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Metadata of one operator with a key-groups handle per stream and an operator-state handle on the first. */
    private static CheckpointMetadata metadataOf(long id, StreamStateHandle... streams) {
        List<KeyedStateHandle> keyed = new ArrayList<>();
        for (StreamStateHandle s : streams) {
            keyed.add(new KeyGroupsStateHandle(KeyGroupRange.of(0, 1), new long[] {0, s.stateSize()}, s));
        }
        List<OperatorStateHandle> ops = streams.length == 0 ? List.of()
                : List.of(new OperatorStateHandle(Map.of("offsets", new StateMetaInfo(RedistributionMode.SPLIT,
                        new long[] {0})), streams[0]));
        return new CheckpointMetadata(id, id * 1000, List.of(new OperatorSnapshot("operator", 1, 2,
                List.of(new SubtaskSnapshot(0, keyed, ops, false)))));
    }

    private static long allocatedBytes() {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean bean
                && bean.isThreadAllocatedMemorySupported() && bean.isThreadAllocatedMemoryEnabled()) {
            return bean.getThreadAllocatedBytes(Thread.currentThread().getId());
        }
        return -1;
    }
}
