package dev.cairn.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.cairn.blob.BlobInfo;
import dev.cairn.blob.BlobOutputStream;
import dev.cairn.blob.BlobStore;
import dev.cairn.blob.InputBlob;
import dev.cairn.blob.SeekableInputStream;
import dev.cairn.blob.SupportsAbandonedWriteCleanup;
import dev.cairn.blob.SupportsAppend;
import dev.cairn.blob.SupportsBulkDelete;
import dev.cairn.blob.SupportsPrefixListing;
import dev.cairn.error.BlobAlreadyExistsException;
import dev.cairn.error.BlobNotFoundException;
import dev.cairn.error.StorageException;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Conformance suite for a {@link BlobStore}: the rules {@code BLOB-01} … in {@code tck/CONTRACT.md}.
 * Every checkpoint a storage writes relies on them: bytes appear only on commit, an abort leaves
 * nothing, committed bytes come back unchanged.
 *
 * <p>To certify a store, extend this class and implement {@link #createBlobStore()} and
 * {@link #newBaseLocation()}; declare what the store guarantees in {@link #capabilities()}.
 * Listing, bulk-delete, abandoned-write and append rules run when the store implements {@link SupportsPrefixListing},
 * {@link SupportsBulkDelete}, {@link SupportsAbandonedWriteCleanup} or {@link SupportsAppend} and are skipped
 * with a message otherwise.
 */
public abstract class BlobStoreTck {

    /** Guarantees beyond the SPI's minimum that a store may declare; rules needing one are skipped without it. */
    public enum Capability {
        /**
         * Publishing is atomic and create-only even under races: of concurrent commits to one
         * location exactly one succeeds (file systems with link/rename-no-replace, object stores
         * with conditional writes). Stores that check-then-put do not declare it.
         */
        ATOMIC_RENAME
    }

    private static final int MIB = 1024 * 1024;
    private static final int STREAMING_BLOB_SIZE = 64 * MIB;
    private static final int STREAMING_CHUNK = 64 * 1024;

    /** The store under test, created before each rule and closed after it. */
    protected BlobStore store;
    /** A fresh, empty prefix for the current rule, ending with '/'. */
    protected String base;

    /** A new store instance; called once per rule. */
    protected abstract BlobStore createBlobStore();

    /**
     * A location prefix under which nothing exists yet, unique per call and ending with '/',
     * for example {@code file:///tmp/junit123/t7/} or {@code s3://bucket/run-42/t7/}.
     */
    protected abstract String newBaseLocation();

    /** Guarantees the store makes beyond the SPI's minimum; none by default. */
    protected Set<Capability> capabilities() {
        return EnumSet.noneOf(Capability.class);
    }

    /**
     * How much the live heap may grow while a 64 MiB blob is streamed in or out (BLOB-11).
     * A store that legitimately buffers, say, one multipart part raises it to a few parts.
     */
    protected long streamingHeapBound() {
        return 16L * MIB;
    }

    @BeforeEach
    void openBlobStoreUnderTest() {
        store = createBlobStore();
        assertThat(store).as("createBlobStore()").isNotNull();
        base = newBaseLocation();
        assertThat(base).as("newBaseLocation() must end with '/'").endsWith("/");
    }

    @AfterEach
    void closeBlobStoreUnderTest() {
        if (store != null) {
            store.close();
        }
    }

    @Test
    @DisplayName("BLOB-01 MUST: bytes written but not committed are not visible")
    void ruleBLOB01_uncommittedBytesAreNotVisible() throws IOException {
        String location = base + "dir/pending.bin";
        byte[] data = bytes(10_000, 1);
        try (BlobOutputStream out = store.create(location)) {
            out.write(data);
            out.flush();
            assertThat(store.exists(location)).as("exists() before commit").isFalse();
            assertThatThrownBy(() -> store.open(location)).as("open() before commit")
                    .isInstanceOf(BlobNotFoundException.class);
            out.commit();
        }
        assertThat(store.exists(location)).as("exists() after commit").isTrue();
        assertThat(readAll(location)).as("bytes after commit").isEqualTo(data);
    }

    @Test
    @DisplayName("BLOB-02 MUST: listing never reports uncommitted writes")
    void ruleBLOB02_listingSkipsUncommittedWrites() throws IOException {
        SupportsPrefixListing listing = listingOrSkip();
        String done = base + "dir/done.bin";
        write(done, bytes(100, 2));
        String pending = base + "dir/pending.bin";
        try (BlobOutputStream out = store.create(pending)) {
            out.write(bytes(5000, 3));
            out.flush();
            assertThat(listed(listing, base)).as("list(base) while a write is in progress").containsOnlyKeys(done);
            assertThat(listed(listing, base + "dir/")).as("list(dir) while a write is in progress")
                    .containsOnlyKeys(done);
            out.commit();
        }
        assertThat(listed(listing, base)).as("list(base) after commit")
                .isEqualTo(Map.of(done, 100L, pending, 5000L));
    }

    @Test
    @DisplayName("BLOB-03 MUST: close() without commit() leaves nothing behind")
    void ruleBLOB03_closeWithoutCommitLeavesNothing() throws IOException {
        String location = base + "dir/aborted.bin";
        BlobOutputStream out = store.create(location);
        out.write(bytes(100_000, 4));
        assertThat(out.position()).isEqualTo(100_000);
        out.close();
        assertThatCode(out::close).as("a second close()").doesNotThrowAnyException();
        assertNothingAt(location);
        assertNothingListedUnder(base);
        byte[] later = bytes(777, 5);
        assertThat(write(location, later).length()).as("a later write to the aborted location").isEqualTo(777);
        assertThat(readAll(location)).isEqualTo(later);
    }

    @Test
    @DisplayName("BLOB-04 MUST: a write that throws half-way inside try-with-resources leaves nothing")
    void ruleBLOB04_failedWriteLeavesNothing() {
        String location = base + "dir/half.bin";
        byte[] data = bytes(300_000, 6);
        IllegalStateException boom = new IllegalStateException("simulated failure half-way through the write");
        Throwable thrown = catchThrowable(() -> {
            try (BlobOutputStream out = store.create(location)) {
                out.write(data, 0, data.length / 2);
                throw boom;
            }
        });
        assertThat(thrown).as("the writer's own exception reaches the caller").isSameAs(boom);
        assertNothingAt(location);
        assertNothingListedUnder(base);
    }

    @Test
    @DisplayName("BLOB-05 MUST: commit() reports the location and length, and the committed bytes read back unchanged")
    void ruleBLOB05_committedBytesReadBack() throws IOException {
        int[] sizes = {1, 100, 65_535, 65_536, 65_537, MIB + 13};
        for (int i = 0; i < sizes.length; i++) {
            String location = base + "sizes/" + i + ".bin";
            byte[] data = bytes(sizes[i], 100 + i);
            BlobInfo info;
            try (BlobOutputStream out = store.create(location)) {
                if (sizes[i] <= 100) {
                    for (byte b : data) {
                        out.write(b);
                    }
                } else {
                    for (int off = 0; off < data.length; off += 1000) {
                        out.write(data, off, Math.min(1000, data.length - off));
                    }
                }
                assertThat(out.position()).as("position() before commit of %s", location).isEqualTo(data.length);
                info = out.commit();
            }
            assertThat(info).as("commit() of %s", location).isEqualTo(new BlobInfo(location, data.length));
            InputBlob blob = store.open(location);
            assertThat(blob.location()).isEqualTo(location);
            assertThat(blob.length()).as("length() of %s", location).isEqualTo(data.length);
            assertThat(readAll(location)).as("bytes of %s", location).isEqualTo(data);
        }
        String location = base + "sizes/0.bin";
        try (SeekableInputStream in = store.open(location).newStream()) {
            assertThat(in.read()).as("single-byte read").isEqualTo(bytes(1, 100)[0] & 0xFF);
            assertThat(in.read()).as("read() at end").isEqualTo(-1);
        }
    }

    @Test
    @DisplayName("BLOB-06 MUST: an empty blob round-trips")
    void ruleBLOB06_emptyBlobRoundTrips() throws IOException {
        String location = base + "empty.bin";
        BlobInfo info;
        try (BlobOutputStream out = store.create(location)) {
            info = out.commit();
        }
        assertThat(info).isEqualTo(new BlobInfo(location, 0));
        assertThat(store.exists(location)).isTrue();
        assertThat(store.open(location).length()).isZero();
        try (SeekableInputStream in = store.open(location).newStream()) {
            assertThat(in.read()).isEqualTo(-1);
            assertThat(in.read(new byte[8], 0, 8)).isEqualTo(-1);
        }
        if (store instanceof SupportsPrefixListing listing) {
            assertThat(listed(listing, base)).isEqualTo(Map.of(location, 0L));
        }
    }

    @Test
    @DisplayName("BLOB-07 MUST: a commit to an occupied location is refused and the old bytes survive")
    void ruleBLOB07_commitToExistingLocationIsRefused() throws IOException {
        String location = base + "dir/once.bin";
        byte[] first = bytes(4000, 7);
        write(location, first);
        Throwable thrown = catchThrowable(() -> {
            try (BlobOutputStream out = store.create(location)) {
                out.write(bytes(9000, 8));
                out.commit();
            }
        });
        assertThat(thrown).as("second commit to %s", location).isInstanceOf(BlobAlreadyExistsException.class);
        assertThat(store.open(location).length()).isEqualTo(first.length);
        assertThat(readAll(location)).as("the first blob's bytes").isEqualTo(first);
        if (store instanceof SupportsPrefixListing listing) {
            assertThat(listed(listing, base)).isEqualTo(Map.of(location, (long) first.length));
        }
    }

    @Test
    @DisplayName("BLOB-08 MUST: a committed stream refuses further writes and commits")
    void ruleBLOB08_committedStreamRefusesWrites() throws IOException {
        String location = base + "sealed.bin";
        byte[] data = bytes(1234, 9);
        BlobOutputStream out = store.create(location);
        out.write(data);
        out.commit();
        assertThatThrownBy(() -> out.write(1)).as("write(int) after commit").isNotNull();
        assertThatThrownBy(() -> out.write(new byte[10], 0, 10)).as("write(byte[]) after commit").isNotNull();
        assertThatThrownBy(out::commit).as("second commit").isNotNull();
        assertThatCode(out::close).as("close() after commit").doesNotThrowAnyException();
        assertThat(store.open(location).length()).isEqualTo(data.length);
        assertThat(readAll(location)).isEqualTo(data);
    }

    @Test
    @DisplayName("BLOB-09 MUST: opening a missing blob fails with BlobNotFoundException")
    void ruleBLOB09_missingBlobIsNotFound() {
        for (String location : List.of(base + "missing.bin", base + "no/such/dir/missing.bin")) {
            assertThatThrownBy(() -> store.open(location)).as("open(%s)", location)
                    .isInstanceOf(BlobNotFoundException.class);
            assertThat(store.exists(location)).as("exists(%s)", location).isFalse();
        }
    }

    @Test
    @DisplayName("BLOB-10 MUST: delete removes a blob, and deleting a missing blob is not an error")
    void ruleBLOB10_deleteRemovesAndToleratesMissing() throws IOException {
        assertThatCode(() -> store.delete(base + "missing.bin")).doesNotThrowAnyException();
        assertThatCode(() -> store.delete(base + "no/such/dir/missing.bin")).doesNotThrowAnyException();
        String location = base + "dir/victim.bin";
        write(location, bytes(500, 10));
        store.delete(location);
        assertNothingAt(location);
        assertThatCode(() -> store.delete(location)).as("second delete").doesNotThrowAnyException();
        byte[] again = bytes(600, 11);
        write(location, again);
        assertThat(readAll(location)).as("a new blob at a deleted location").isEqualTo(again);
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    @DisplayName("BLOB-11 MUST: a 64 MiB blob is written and read as a stream in bounded memory")
    void ruleBLOB11_largeBlobStreamsInBoundedMemory() throws IOException {
        Assumptions.assumeFalse(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .anyMatch(arg -> arg.contains("DisableExplicitGC")),
                "the heap cannot be measured with -XX:+DisableExplicitGC");
        String location = base + "large/64mib.bin";
        int chunks = STREAMING_BLOB_SIZE / STREAMING_CHUNK;
        byte[] chunk = new byte[STREAMING_CHUNK];
        CRC32C written = new CRC32C();
        long baseline = liveHeap();
        long writeGrowth = 0;
        try (BlobOutputStream out = store.create(location)) {
            for (int i = 0; i < chunks; i++) {
                fillChunk(chunk, i);
                written.update(chunk);
                out.write(chunk);
                if (i == chunks / 2) {
                    writeGrowth = liveHeap() - baseline;
                }
            }
            assertThat(out.commit().length()).isEqualTo(STREAMING_BLOB_SIZE);
        }
        assertThat(writeGrowth).as("heap growth half-way through writing 64 MiB (bytes)")
                .isLessThanOrEqualTo(streamingHeapBound());

        InputBlob blob = store.open(location);
        assertThat(blob.length()).isEqualTo(STREAMING_BLOB_SIZE);
        CRC32C read = new CRC32C();
        long total = 0;
        long readGrowth = 0;
        baseline = liveHeap();
        try (SeekableInputStream in = blob.newStream()) {
            byte[] buffer = new byte[STREAMING_CHUNK / 2 + 17];
            int n;
            while ((n = in.read(buffer, 0, buffer.length)) >= 0) {
                read.update(buffer, 0, n);
                long before = total;
                total += n;
                if (before < STREAMING_BLOB_SIZE / 2 && total >= STREAMING_BLOB_SIZE / 2) {
                    readGrowth = liveHeap() - baseline;
                }
            }
        }
        assertThat(total).as("bytes streamed back").isEqualTo(STREAMING_BLOB_SIZE);
        assertThat(read.getValue()).as("CRC32C of the bytes streamed back").isEqualTo(written.getValue());
        assertThat(readGrowth).as("heap growth half-way through reading 64 MiB (bytes)")
                .isLessThanOrEqualTo(streamingHeapBound());
    }

    @Test
    @DisplayName("BLOB-12 MUST: positioned reads return the bytes at start, middle and end, and fail past the end")
    void ruleBLOB12_positionedReads() throws IOException {
        String location = base + "ranged.bin";
        byte[] data = bytes(200_003, 12);
        write(location, data);
        InputBlob blob = store.open(location);
        long[][] ranges = {{0, 100}, {100_000, 5000}, {data.length - 10, 10}, {data.length - 70_000, 70_000},
            {data.length, 0}};
        for (long[] range : ranges) {
            int pos = (int) range[0];
            int len = (int) range[1];
            byte[] buffer = new byte[len + 4];
            blob.readFully(pos, buffer, 2, len);
            assertThat(Arrays.copyOfRange(buffer, 2, 2 + len)).as("readFully(%d, %d)", pos, len)
                    .isEqualTo(Arrays.copyOfRange(data, pos, pos + len));
        }
        assertThatThrownBy(() -> blob.readFully(data.length - 5, new byte[10], 0, 10))
                .as("a read running past the end").isInstanceOf(StorageException.class);
        assertThatThrownBy(() -> blob.readFully(data.length + 1, new byte[1], 0, 1))
                .as("a read starting past the end").isInstanceOf(StorageException.class);
    }

    @Test
    @DisplayName("BLOB-13 MUST: a stream seeks forward, backward and to the end, and refuses to seek outside the blob")
    void ruleBLOB13_seek() throws IOException {
        String location = base + "seek.bin";
        byte[] data = bytes(150_001, 13);
        write(location, data);
        try (SeekableInputStream in = store.open(location).newStream()) {
            assertThat(in.position()).isZero();
            assertThat(readN(in, 10)).isEqualTo(Arrays.copyOfRange(data, 0, 10));
            assertThat(in.position()).isEqualTo(10);
            in.seek(120_000);
            assertThat(in.position()).isEqualTo(120_000);
            assertThat(readN(in, 100)).as("after seeking forward").isEqualTo(Arrays.copyOfRange(data, 120_000, 120_100));
            in.seek(5);
            assertThat(in.read()).as("after seeking back").isEqualTo(data[5] & 0xFF);
            assertThat(readN(in, 20_000)).isEqualTo(Arrays.copyOfRange(data, 6, 20_006));
            in.seek(data.length - 1);
            assertThat(in.read()).isEqualTo(data[data.length - 1] & 0xFF);
            in.seek(data.length);
            assertThat(in.read()).as("read() at the end").isEqualTo(-1);
            assertThat(in.read(new byte[4], 0, 4)).as("read(byte[]) at the end").isEqualTo(-1);
            assertThatThrownBy(() -> in.seek(data.length + 1L)).as("seek past the end")
                    .isInstanceOf(StorageException.class);
            assertThatThrownBy(() -> in.seek(-1)).as("seek before the start").isInstanceOf(StorageException.class);
            in.seek(data.length - 3);
            assertThatThrownBy(() -> in.readFully(new byte[4], 0, 4)).as("readFully running past the end")
                    .isInstanceOf(StorageException.class);
        }
    }

    @Test
    @DisplayName("BLOB-14 MUST: listing a prefix ending in '/' returns exactly the committed blobs under it")
    void ruleBLOB14_listingIsExact() throws IOException {
        SupportsPrefixListing listing = listingOrSkip();
        Map<String, Long> a = new TreeMap<>();
        a.put(write(base + "a/1.bin", bytes(10, 14)).location(), 10L);
        a.put(write(base + "a/sub/2.bin", bytes(20, 15)).location(), 20L);
        a.put(write(base + "a/sub/deeper/3.bin", bytes(0, 16)).location(), 0L);
        String sibling = write(base + "ab/4.bin", bytes(40, 17)).location();
        String other = write(base + "b/5.bin", bytes(50, 18)).location();
        assertThat(listed(listing, base + "a/")).as("list(a/) excludes the sibling ab/").isEqualTo(a);
        Map<String, Long> all = new TreeMap<>(a);
        all.put(sibling, 40L);
        all.put(other, 50L);
        assertThat(listed(listing, base)).as("list(base)").isEqualTo(all);
        assertThat(listed(listing, base + "a/sub/")).containsOnlyKeys(base + "a/sub/2.bin", base + "a/sub/deeper/3.bin");
        assertThat(listed(listing, base + "c/")).as("list of an empty prefix").isEmpty();
        assertThat(listed(listing, base + "no/such/dir/")).as("list of a missing directory").isEmpty();
    }

    @Test
    @DisplayName("BLOB-15 MUST: a prefix that ends inside a name matches by string prefix")
    void ruleBLOB15_listingUsesStringPrefixes() throws IOException {
        SupportsPrefixListing listing = listingOrSkip();
        String one = write(base + "chk-1/_metadata", bytes(11, 20)).location();
        String ten = write(base + "chk-10/_metadata", bytes(12, 21)).location();
        String file = write(base + "chk-1x.bin", bytes(13, 22)).location();
        String other = write(base + "chk-2/_metadata", bytes(14, 23)).location();
        assertThat(listed(listing, base + "chk-1")).as("list(chk-1)").containsOnlyKeys(one, ten, file);
        assertThat(listed(listing, base + "chk-1/")).as("list(chk-1/)").containsOnlyKeys(one);
        assertThat(listed(listing, base + "chk-1/_meta")).containsOnlyKeys(one);
        assertThat(listed(listing, base + "chk-2/_metadata")).containsOnlyKeys(other);
        assertThat(listed(listing, base + "chk-3")).isEmpty();
    }

    @Test
    @DisplayName("BLOB-16 MUST: bulk delete removes every named blob, tolerates missing ones and is idempotent")
    void ruleBLOB16_bulkDelete() throws IOException {
        Assumptions.assumeTrue(store instanceof SupportsBulkDelete,
                "the store does not implement SupportsBulkDelete; bulk-delete rules do not apply");
        SupportsBulkDelete bulk = (SupportsBulkDelete) store;
        List<String> doomed = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String location = write(base + "d" + (i % 3) + "/" + i + ".bin", bytes(100 + i, 30 + i)).location();
            (i % 2 == 0 ? doomed : kept).add(location);
        }
        List<String> request = new ArrayList<>(doomed);
        request.add(base + "missing.bin");
        request.add(base + "no/such/dir/missing.bin");
        request.add(doomed.get(0));
        bulk.deleteAll(request);
        for (String location : doomed) {
            assertNothingAt(location);
        }
        for (String location : kept) {
            assertThat(store.exists(location)).as("untouched %s", location).isTrue();
        }
        assertThatCode(() -> bulk.deleteAll(request)).as("repeating the bulk delete").doesNotThrowAnyException();
        assertThatCode(() -> bulk.deleteAll(List.of())).as("an empty bulk delete").doesNotThrowAnyException();
        if (store instanceof SupportsPrefixListing listing) {
            assertThat(listed(listing, base)).containsOnlyKeys(kept.toArray(String[]::new));
        }
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    @DisplayName("BLOB-17 MUST: concurrent writers to different locations all land intact")
    void ruleBLOB17_concurrentWritersLandIntact() throws Exception {
        int threads = 8;
        int perThread = 4;
        CountDownLatch start = new CountDownLatch(1);
        List<Callable<Map<String, byte[]>>> tasks = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            tasks.add(() -> {
                Map<String, byte[]> mine = new TreeMap<>();
                start.await();
                for (int j = 0; j < perThread; j++) {
                    String location = base + (j % 2 == 0 ? "shared/t" + thread + "-" + j + ".bin"
                            : "t" + thread + "/" + j + ".bin");
                    byte[] data = bytes(1 + (thread * 37_831 + j * 91_193) % 300_000, 1000L * thread + j);
                    try (BlobOutputStream out = store.create(location)) {
                        for (int off = 0; off < data.length; off += 4096) {
                            out.write(data, off, Math.min(4096, data.length - off));
                            Thread.yield();
                        }
                        out.commit();
                    }
                    mine.put(location, data);
                }
                return mine;
            });
        }
        Map<String, byte[]> expected = new TreeMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Map<String, byte[]>>> futures = new ArrayList<>();
            for (Callable<Map<String, byte[]>> task : tasks) {
                futures.add(pool.submit(task));
            }
            start.countDown();
            for (Future<Map<String, byte[]>> future : futures) {
                expected.putAll(future.get(90, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(expected).hasSize(threads * perThread);
        for (Map.Entry<String, byte[]> e : expected.entrySet()) {
            assertThat(readAll(e.getKey())).as("bytes of %s", e.getKey()).isEqualTo(e.getValue());
        }
        if (store instanceof SupportsPrefixListing listing) {
            assertThat(listed(listing, base).keySet()).isEqualTo(expected.keySet());
        }
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    @DisplayName("BLOB-18 MUST: of concurrent commits to one location exactly one succeeds (capability ATOMIC_RENAME)")
    void ruleBLOB18_racingCommitsHaveOneWinner() throws Exception {
        Assumptions.assumeTrue(capabilities().contains(Capability.ATOMIC_RENAME),
                "the store does not declare ATOMIC_RENAME: racing commits to one location may both succeed");
        int writers = 8;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            for (int round = 0; round < 5; round++) {
                String location = base + "race/" + round + ".bin";
                CyclicBarrier beforeCommit = new CyclicBarrier(writers);
                List<Future<Boolean>> outcomes = new ArrayList<>();
                for (int w = 0; w < writers; w++) {
                    byte[] data = bytes(20_000 + w, 500L * round + w);
                    outcomes.add(pool.submit(() -> {
                        try (BlobOutputStream out = store.create(location)) {
                            out.write(data);
                            beforeCommit.await(60, TimeUnit.SECONDS);
                            out.commit();
                            return true;
                        } catch (BlobAlreadyExistsException e) {
                            return false;
                        }
                    }));
                }
                List<Integer> winners = new ArrayList<>();
                for (int w = 0; w < writers; w++) {
                    if (outcomes.get(w).get(90, TimeUnit.SECONDS)) {
                        winners.add(w);
                    }
                }
                assertThat(winners).as("writers whose commit to %s succeeded", location).hasSize(1);
                int w = winners.get(0);
                assertThat(readAll(location)).as("bytes at %s", location).isEqualTo(bytes(20_000 + w, 500L * round + w));
                if (store instanceof SupportsPrefixListing listing) {
                    assertThat(listed(listing, base + "race/" + round)).containsOnlyKeys(location);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Deterministic pseudo-random bytes, so a failure can be reproduced. */
    protected static byte[] bytes(int size, long seed) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return data;
    }

    /** Writes and commits {@code data} at {@code location}. */
    protected BlobInfo write(String location, byte[] data) throws IOException {
        try (BlobOutputStream out = store.create(location)) {
            out.write(data);
            return out.commit();
        }
    }

    /** The whole blob at {@code location}, read as a stream. */
    protected byte[] readAll(String location) {
        InputBlob blob = store.open(location);
        try (SeekableInputStream in = blob.newStream()) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new StorageException(location + ": read failed", e);
        }
    }

    private static byte[] readN(SeekableInputStream in, int n) {
        byte[] out = new byte[n];
        in.readFully(out, 0, n);
        return out;
    }

    private static void fillChunk(byte[] chunk, int index) {
        long x = 0x9E3779B97F4A7C15L * (index + 1);
        for (int i = 0; i < chunk.length; i += 8) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            for (int k = 0; k < 8; k++) {
                chunk[i + k] = (byte) (x >>> (8 * k));
            }
        }
    }

    @Test
    @DisplayName("BLOB-19 MUST: removing abandoned writes removes exactly the unfinished writes under the prefix")
    void ruleBLOB19_abandonedWritesAreRemovedUnderThePrefixOnly() throws IOException {
        Assumptions.assumeTrue(store instanceof SupportsAbandonedWriteCleanup, "the store does not implement"
                + " SupportsAbandonedWriteCleanup; the abandoned-write rule does not apply");
        SupportsAbandonedWriteCleanup cleanup = (SupportsAbandonedWriteCleanup) store;
        String kept = base + "job/chk-1/committed.bin";
        write(kept, bytes(1000, 19));
        BlobOutputStream small = store.create(base + "job/chk-2/abandoned-small.bin");
        small.write(bytes(100_000, 20));
        BlobOutputStream large = store.create(base + "job/shared/abandoned-large.bin");
        large.write(bytes(abandonedWriteSize(), 21));
        BlobOutputStream outside = store.create(base + "other-job/chk-1/in-progress.bin");
        outside.write(bytes(100_000, 22));
        try {
            List<BlobInfo> found = cleanup.findAbandonedWrites(base + "job/");
            assertThat(found).as("findAbandonedWrites(%sjob/)", base).isNotEmpty()
                    .allSatisfy(t -> assertThat(t.location()).startsWith(base + "job/").isNotEqualTo(kept));
            assertThat(cleanup.findAbandonedWrites(base + "job/")).as("findAbandonedWrites removes nothing")
                    .hasSameSizeAs(found);
            assertThat(cleanup.removeAbandonedWrites(base + "job/")).as("removeAbandonedWrites(%sjob/)", base)
                    .isPositive();
            assertThat(cleanup.findAbandonedWrites(base + "job/")).as("findAbandonedWrites after the removal")
                    .isEmpty();
            assertThatThrownBy(large::commit).as("commit() of a large write whose traces were removed")
                    .isInstanceOf(StorageException.class);
            assertNothingAt(base + "job/chk-2/abandoned-small.bin");
            assertNothingAt(base + "job/shared/abandoned-large.bin");
            assertThat(readAll(kept)).as("the committed blob under the prefix").isEqualTo(bytes(1000, 19));
            assertThat(outside.commit().length()).as("a write outside the prefix commits").isEqualTo(100_000);
            assertThat(readAll(base + "other-job/chk-1/in-progress.bin")).isEqualTo(bytes(100_000, 22));
            assertThat(cleanup.removeAbandonedWrites(base + "job/")).as("a second call").isZero();
        } finally {
            for (BlobOutputStream out : List.of(small, large, outside)) {
                closeQuietly(out);
            }
        }
    }

    /** Releases a stream whose fate a rule has already checked; what its close does is BLOB-03's business. */
    private static void closeQuietly(BlobOutputStream out) {
        try {
            out.close();
        } catch (RuntimeException ignored) {
            // checked by the rules about close()
        }
    }

    /**
     * Bytes of the large abandoned write in BLOB-19: enough that a store which uploads in parts has
     * started a multipart upload (17 MiB by default, above S3's default 16 MiB part size).
     */
    protected int abandonedWriteSize() {
        return 17 * MIB;
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    @DisplayName("BLOB-20 MUST: a committed append extends the blob with the appended bytes")
    void ruleBLOB20_committedAppendExtendsTheBlob() throws IOException {
        SupportsAppend appending = appendOrSkip();
        String location = base + "dir/merged.bin";
        byte[] first = bytes(70_000, 40);
        write(location, first);
        byte[] second = bytes(150_001, 41);
        BlobOutputStream out = appending.append(location, first.length);
        for (int i = 0; i < 10; i++) {
            out.write(second[i]);
        }
        for (int off = 10; off < second.length; off += 7000) {
            out.write(second, off, Math.min(7000, second.length - off));
        }
        assertThat(out.position()).as("position() counts the appended bytes").isEqualTo(second.length);
        assertThat(out.commit()).as("commit() of the append")
                .isEqualTo(new BlobInfo(location, first.length + second.length));
        assertThatThrownBy(() -> out.write(1)).as("write(int) after the append's commit").isNotNull();
        assertThatThrownBy(out::commit).as("second commit of the append").isNotNull();
        assertThatCode(out::close).as("close() after the append's commit").doesNotThrowAnyException();

        InputBlob blob = store.open(location);
        assertThat(blob.length()).as("length() after the append").isEqualTo(first.length + second.length);
        assertThat(readAll(location)).as("bytes after the append").isEqualTo(concat(first, second));
        byte[] old = new byte[first.length];
        blob.readFully(0, old, 0, old.length);
        assertThat(old).as("readFully of the bytes committed before the append").isEqualTo(first);
        byte[] appended = new byte[second.length];
        blob.readFully(first.length, appended, 0, appended.length);
        assertThat(appended).as("readFully of the appended bytes").isEqualTo(second);
        byte[] across = new byte[2000];
        blob.readFully(first.length - 1000, across, 0, across.length);
        assertThat(across).as("readFully across the old end")
                .isEqualTo(Arrays.copyOfRange(concat(first, second), first.length - 1000, first.length + 1000));
        if (store instanceof SupportsPrefixListing listing) {
            assertThat(listed(listing, base)).isEqualTo(Map.of(location, (long) first.length + second.length));
        }
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    @DisplayName("BLOB-21 MUST: an append closed without commit() leaves the blob as it was committed")
    void ruleBLOB21_abortedAppendLeavesTheBlobUnchanged() throws IOException {
        SupportsAppend appending = appendOrSkip();
        String location = base + "dir/merged.bin";
        byte[] committed = bytes(5000, 42);
        write(location, committed);
        BlobOutputStream out = appending.append(location, committed.length);
        out.write(bytes(200_000, 43));
        out.flush();
        out.close();
        assertThatCode(out::close).as("a second close() of the aborted append").doesNotThrowAnyException();
        assertThat(store.open(location).length()).as("length() after an aborted append").isEqualTo(committed.length);
        assertThat(readAll(location)).as("bytes after an aborted append").isEqualTo(committed);

        IllegalStateException boom = new IllegalStateException("simulated failure half-way through the append");
        Throwable thrown = catchThrowable(() -> {
            try (BlobOutputStream failing = appending.append(location, committed.length)) {
                failing.write(bytes(3000, 44));
                throw boom;
            }
        });
        assertThat(thrown).as("the writer's own exception reaches the caller").isSameAs(boom);
        assertThat(readAll(location)).as("bytes after an append that threw").isEqualTo(committed);
        if (store instanceof SupportsPrefixListing listing) {
            assertThat(listed(listing, base)).isEqualTo(Map.of(location, (long) committed.length));
        }

        byte[] later = bytes(300, 45);
        try (BlobOutputStream again = appending.append(location, committed.length)) {
            again.write(later);
            assertThat(again.commit().length()).as("a later append at the committed length")
                    .isEqualTo(committed.length + later.length);
        }
        assertThat(readAll(location)).isEqualTo(concat(committed, later));
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    @DisplayName("BLOB-22 MUST: an append checks the expected length: past the end is refused, a missing blob is "
            + "not found, bytes beyond it are replaced")
    void ruleBLOB22_appendChecksTheExpectedLength() throws IOException {
        SupportsAppend appending = appendOrSkip();
        String location = base + "dir/merged.bin";
        byte[] committed = bytes(4000, 46);
        write(location, committed);
        assertThatThrownBy(() -> appending.append(location, committed.length + 1L))
                .as("append after byte %d of a %d-byte blob", committed.length + 1, committed.length)
                .isInstanceOf(StorageException.class);
        assertThat(readAll(location)).as("bytes after a refused append").isEqualTo(committed);
        for (String missing : List.of(base + "dir/missing.bin", base + "no/such/dir/missing.bin")) {
            assertThatThrownBy(() -> appending.append(missing, 0)).as("append to %s", missing)
                    .isInstanceOf(BlobNotFoundException.class);
            assertNothingAt(missing);
        }

        byte[] replacement = bytes(1500, 47);
        try (BlobOutputStream out = appending.append(location, 3000)) {
            out.write(replacement);
            assertThat(out.commit()).as("commit() of an append after byte 3000 of a 4000-byte blob")
                    .isEqualTo(new BlobInfo(location, 3000 + replacement.length));
        }
        assertThat(readAll(location)).as("bytes beyond the expected length are replaced, not kept")
                .isEqualTo(concat(Arrays.copyOf(committed, 3000), replacement));
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    @DisplayName("BLOB-23 MUST: twenty committed appends give exactly the concatenation")
    void ruleBLOB23_repeatedAppendsConcatenate() throws IOException {
        SupportsAppend appending = appendOrSkip();
        String location = base + "merged/segments.bin";
        write(location, new byte[0]);
        List<byte[]> segments = new ArrayList<>();
        long length = 0;
        for (int round = 0; round < 20; round++) {
            byte[] segment = bytes(round == 7 ? 0 : 1 + (round * 7919) % 20_000, 60 + round);
            try (BlobOutputStream out = appending.append(location, length)) {
                out.write(segment);
                length += segment.length;
                assertThat(out.commit()).as("commit() of append %d", round).isEqualTo(new BlobInfo(location, length));
            }
            assertThat(store.open(location).length()).as("length() after append %d", round).isEqualTo(length);
            segments.add(segment);
        }
        assertThat(readAll(location)).as("bytes after 20 appends").isEqualTo(concat(segments.toArray(byte[][]::new)));
        InputBlob blob = store.open(location);
        long offset = 0;
        for (int i = 0; i < segments.size(); i++) {
            byte[] segment = new byte[segments.get(i).length];
            blob.readFully(offset, segment, 0, segment.length);
            assertThat(segment).as("segment %d read at %d", i, offset).isEqualTo(segments.get(i));
            offset += segment.length;
        }
    }

    private static long liveHeap() {
        for (int i = 0; i < 2; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private SupportsPrefixListing listingOrSkip() {
        Assumptions.assumeTrue(store instanceof SupportsPrefixListing,
                "the store does not implement SupportsPrefixListing; listing rules do not apply");
        return (SupportsPrefixListing) store;
    }

    private SupportsAppend appendOrSkip() {
        Assumptions.assumeTrue(store instanceof SupportsAppend,
                "the store does not implement SupportsAppend; append rules do not apply");
        return (SupportsAppend) store;
    }

    private static byte[] concat(byte[]... parts) {
        int total = 0;
        for (byte[] part : parts) {
            total += part.length;
        }
        byte[] all = new byte[total];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        return all;
    }

    private static Map<String, Long> listed(SupportsPrefixListing listing, String prefix) {
        Map<String, Long> found = new TreeMap<>();
        for (BlobInfo info : listing.list(prefix)) {
            Long previous = found.put(info.location(), info.length());
            assertThat(previous).as("list(%s) reported %s twice", prefix, info.location()).isNull();
            assertThat(info.location()).as("list(%s) result", prefix).startsWith(prefix);
        }
        return Collections.unmodifiableMap(found);
    }

    private void assertNothingAt(String location) {
        assertThat(store.exists(location)).as("exists(%s)", location).isFalse();
        assertThatThrownBy(() -> store.open(location)).as("open(%s)", location)
                .isInstanceOf(BlobNotFoundException.class);
    }

    private void assertNothingListedUnder(String prefix) {
        if (store instanceof SupportsPrefixListing listing) {
            assertThat(listed(listing, prefix)).as("list(%s)", prefix).isEmpty();
        }
    }
}
