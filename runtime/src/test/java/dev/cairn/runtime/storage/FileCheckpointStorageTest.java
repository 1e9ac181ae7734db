package dev.cairn.runtime.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.blob.SeekableInputStream;
import dev.cairn.checkpoint.CheckpointMetadata;
import dev.cairn.checkpoint.CheckpointStateOutputStream;
import dev.cairn.checkpoint.CheckpointStorageLocation;
import dev.cairn.checkpoint.CheckpointedStateScope;
import dev.cairn.checkpoint.CompletedCheckpoint;
import dev.cairn.checkpoint.FileStateHandle;
import dev.cairn.checkpoint.InlineStateHandle;
import dev.cairn.checkpoint.KeyGroupsStateHandle;
import dev.cairn.checkpoint.OperatorSnapshot;
import dev.cairn.checkpoint.OperatorStateHandle;
import dev.cairn.checkpoint.StreamStateHandle;
import dev.cairn.checkpoint.SubtaskSnapshot;
import dev.cairn.error.CheckpointException;
import dev.cairn.error.ConfigurationException;
import dev.cairn.error.CorruptCheckpointException;
import dev.cairn.error.StorageException;
import dev.cairn.keygroup.KeyGroupRange;
import dev.cairn.state.RedistributionMode;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FileCheckpointStorageTest {
    private static final String BASE = "mem:///checkpoints";
    private final MapBlobStore store = new MapBlobStore();
    private final FileCheckpointStorage storage = new FileCheckpointStorage(store, BASE, "job-1");

    @Test
    void layoutFollowsFlink() {
        assertThat(storage.baseLocation()).isEqualTo("mem:///checkpoints/");
        assertThat(storage.jobLocation()).isEqualTo("mem:///checkpoints/job-1/");
        assertThat(storage.checkpointLocation(3)).isEqualTo("mem:///checkpoints/job-1/chk-3/");
        assertThat(storage.metadataLocation(3)).isEqualTo("mem:///checkpoints/job-1/chk-3/_metadata");
        assertThat(storage.sharedLocation()).isEqualTo("mem:///checkpoints/job-1/shared/");
        assertThat(storage.taskOwnedLocation()).isEqualTo("mem:///checkpoints/job-1/taskowned/");
        CheckpointStorageLocation loc = storage.initializeLocation(3);
        FileStateHandle ex = (FileStateHandle) write(loc, CheckpointedStateScope.EXCLUSIVE, bytes(30_000, 1));
        FileStateHandle sh = (FileStateHandle) write(loc, CheckpointedStateScope.SHARED, bytes(30_000, 2));
        FileStateHandle to = (FileStateHandle) write(loc, CheckpointedStateScope.TASK_OWNED, bytes(30_000, 3));
        assertThat(ex.location()).matches("mem:///checkpoints/job-1/chk-3/[0-9a-f-]{36}");
        assertThat(sh.location()).matches("mem:///checkpoints/job-1/shared/[0-9a-f-]{36}");
        assertThat(to.location()).matches("mem:///checkpoints/job-1/taskowned/[0-9a-f-]{36}");
        CompletedCheckpoint cp = loc.finalizeCheckpoint(metadata(3, ex, sh, to));
        assertThat(cp.pointer()).isEqualTo("mem:///checkpoints/job-1/chk-3");
        assertThat(store.locations()).containsExactlyInAnyOrder(ex.location(), sh.location(), to.location(),
                storage.metadataLocation(3));
    }

    @Test
    void smallStreamsAreInlinedAndWriteNothing() {
        CheckpointStorageLocation loc = storage.initializeLocation(1);
        int threshold = FileCheckpointStorageOptions.DEFAULT_INLINE_THRESHOLD;
        for (int size : new int[] {0, 1, threshold - 1}) {
            StreamStateHandle h = write(loc, CheckpointedStateScope.EXCLUSIVE, bytes(size, size));
            assertThat(h).isEqualTo(new InlineStateHandle(bytes(size, size)));
        }
        assertThat(store.creates.get()).isZero();
        StreamStateHandle atThreshold = write(loc, CheckpointedStateScope.EXCLUSIVE, bytes(threshold, 7));
        assertThat(atThreshold).isInstanceOf(FileStateHandle.class);
        assertThat(atThreshold.stateSize()).isEqualTo(threshold);
        assertThat(store.blobs.get(((FileStateHandle) atThreshold).location())).isEqualTo(bytes(threshold, 7));
    }

    @Test
    void largeStreamsSpillAcrossManyBufferFlushesAndReadBack() throws Exception {
        FileCheckpointStorage small = new FileCheckpointStorage(store, BASE, "job-2",
                FileCheckpointStorageOptions.builder().inlineThreshold(100).writeBufferSize(64).build());
        CheckpointStorageLocation loc = small.initializeLocation(1);
        byte[] data = bytes(10_000, 5);
        FileStateHandle h;
        try (CheckpointStateOutputStream out = loc.createOutputStream(CheckpointedStateScope.EXCLUSIVE)) {
            out.write(data, 0, 50);
            for (int i = 50; i < 150; i++) {
                out.write(data[i]);
            }
            out.write(data, 150, 5000);
            out.write(data, 5150, data.length - 5150);
            assertThat(out.position()).isEqualTo(data.length);
            h = (FileStateHandle) out.commit();
        }
        assertThat(h.stateSize()).isEqualTo(data.length);
        try (SeekableInputStream in = small.open(h)) {
            assertThat(in.readAllBytes()).isEqualTo(data);
            in.seek(7000);
            assertThat(in.read()).isEqualTo(data[7000] & 0xFF);
        }
        try (SeekableInputStream in = small.open(new InlineStateHandle(new byte[] {9}))) {
            assertThat(in.readAllBytes()).containsExactly(9);
        }
    }

    @Test
    void closeWithoutCommitLeavesNothing() throws Exception {
        CheckpointStorageLocation loc = storage.initializeLocation(1);
        CheckpointStateOutputStream out = loc.createOutputStream(CheckpointedStateScope.EXCLUSIVE);
        out.write(bytes(100_000, 1), 0, 100_000);
        out.close();
        out.close();
        assertThat(store.blobs).isEmpty();
        assertThat(store.openStreams.get()).isZero();
        assertThatThrownBy(() -> out.write(1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(out::commit).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void roundTripThroughResolveByDirectoryOrMetadataFile() {
        CheckpointStorageLocation loc = storage.initializeLocation(5);
        StreamStateHandle file = write(loc, CheckpointedStateScope.EXCLUSIVE, bytes(40_000, 1));
        StreamStateHandle inline = write(loc, CheckpointedStateScope.EXCLUSIVE, bytes(10, 1));
        CheckpointMetadata md = metadata(5, file, inline);
        CompletedCheckpoint cp = loc.finalizeCheckpoint(md);
        assertThat(storage.resolve(cp.pointer())).isEqualTo(cp);
        assertThat(storage.resolve(cp.pointer() + "/")).isEqualTo(cp);
        assertThat(storage.resolve(cp.pointer() + "/_metadata")).isEqualTo(cp);
        FileCheckpointStorage other = new FileCheckpointStorage(store, BASE, "another-job");
        assertThat(other.resolve(cp.pointer()).metadata()).isEqualTo(md);
    }

    @Test
    void finalizeIsCreateOnlyAndTheFirstSurvives() {
        CheckpointStorageLocation a = storage.initializeLocation(2);
        CheckpointStorageLocation b = storage.initializeLocation(2);
        CheckpointMetadata first = metadata(2, write(a, CheckpointedStateScope.EXCLUSIVE, bytes(3, 1)));
        a.finalizeCheckpoint(first);
        assertThatThrownBy(() -> b.finalizeCheckpoint(metadata(2))).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("already finalized");
        assertThatThrownBy(() -> storage.initializeLocation(2)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("already finalized");
        assertThatThrownBy(() -> a.createOutputStream(CheckpointedStateScope.EXCLUSIVE))
                .isInstanceOf(CheckpointException.class);
        b.discardOnFailure();
        assertThat(storage.resolve(storage.checkpointLocation(2)).metadata()).isEqualTo(first);
    }

    @Test
    void finalizeRefusesWrongIdsAndFilesOutsideTheRootWritingNothing() {
        CheckpointStorageLocation loc = storage.initializeLocation(4);
        assertThatThrownBy(() -> loc.finalizeCheckpoint(metadata(5))).isInstanceOf(CheckpointException.class);
        assertThatThrownBy(() -> loc.finalizeCheckpoint(metadata(4, new FileStateHandle("s3://elsewhere/x", 3))))
                .isInstanceOf(CheckpointException.class).hasMessageContaining("not inside the checkpoint root");
        assertThat(store.blobs).isEmpty();
        FileCheckpointStorage tiny = new FileCheckpointStorage(store, BASE, "job-1",
                FileCheckpointStorageOptions.builder().maxMetadataSize(64).build());
        assertThatThrownBy(() -> tiny.initializeLocation(4).finalizeCheckpoint(metadata(4,
                new InlineStateHandle(new byte[100])))).isInstanceOf(CheckpointException.class)
                .hasMessageContaining(FileCheckpointStorageOptions.MAX_METADATA_SIZE);
        assertThat(store.blobs).isEmpty();
    }

    @Test
    void discardDeletesMetadataAndExclusiveFilesOnly() {
        CheckpointStorageLocation loc1 = storage.initializeLocation(1);
        StreamStateHandle shared = write(loc1, CheckpointedStateScope.SHARED, bytes(30_000, 1));
        StreamStateHandle owned = write(loc1, CheckpointedStateScope.TASK_OWNED, bytes(30_000, 2));
        StreamStateHandle ex1 = write(loc1, CheckpointedStateScope.EXCLUSIVE, bytes(30_000, 3));
        CompletedCheckpoint cp1 = loc1.finalizeCheckpoint(metadata(1, shared, owned, ex1));
        CheckpointStorageLocation loc2 = storage.initializeLocation(2);
        StreamStateHandle ex2 = write(loc2, CheckpointedStateScope.EXCLUSIVE, bytes(30_000, 4));
        CompletedCheckpoint cp2 = loc2.finalizeCheckpoint(metadata(2, shared, ex1, ex2));
        storage.discard(cp2);
        assertThat(store.locations()).containsExactlyInAnyOrder(loc(shared), loc(owned), loc(ex1),
                storage.metadataLocation(1));
        assertThat(storage.resolve(cp1.pointer())).isEqualTo(cp1);
        storage.discard(cp1);
        assertThat(store.locations()).containsExactlyInAnyOrder(loc(shared), loc(owned));
        storage.discard(cp1);
    }

    @Test
    void discardRefusesCheckpointsOfAnotherJob() {
        FileCheckpointStorage other = new FileCheckpointStorage(store, BASE, "other");
        CompletedCheckpoint cp = other.initializeLocation(1).finalizeCheckpoint(metadata(1));
        assertThatThrownBy(() -> storage.discard(cp)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("does not belong");
        assertThat(store.blobs).containsKey(other.metadataLocation(1));
    }

    @Test
    void discardOnFailureDeletesExclusiveAndSharedButNotTaskOwnedFiles() throws Exception {
        CheckpointStorageLocation loc = storage.initializeLocation(9);
        write(loc, CheckpointedStateScope.EXCLUSIVE, bytes(30_000, 1));
        write(loc, CheckpointedStateScope.SHARED, bytes(30_000, 2));
        StreamStateHandle owned = write(loc, CheckpointedStateScope.TASK_OWNED, bytes(30_000, 3));
        CheckpointStateOutputStream pending = loc.createOutputStream(CheckpointedStateScope.EXCLUSIVE);
        pending.write(bytes(30_000, 4), 0, 30_000);
        loc.discardOnFailure();
        assertThat(store.locations()).containsExactly(loc(owned));
        assertThatThrownBy(pending::commit).isInstanceOf(CheckpointException.class).hasMessageContaining("discarded");
        assertThat(store.locations()).containsExactly(loc(owned));
        assertThatThrownBy(() -> loc.createOutputStream(CheckpointedStateScope.EXCLUSIVE))
                .isInstanceOf(CheckpointException.class);
        assertThatThrownBy(() -> loc.finalizeCheckpoint(metadata(9))).isInstanceOf(CheckpointException.class);
        assertThat(store.blobs).doesNotContainKey(storage.metadataLocation(9));
    }

    @Test
    void discardOnFailureAfterFinalizeKeepsTheCheckpoint() {
        CheckpointStorageLocation loc = storage.initializeLocation(1);
        StreamStateHandle h = write(loc, CheckpointedStateScope.EXCLUSIVE, bytes(30_000, 1));
        CompletedCheckpoint cp = loc.finalizeCheckpoint(metadata(1, h));
        loc.discardOnFailure();
        assertThat(storage.resolve(cp.pointer())).isEqualTo(cp);
    }

    @Test
    void completedCheckpointsAreListedInIdOrder() {
        for (long id : new long[] {10, 2, 33, 4}) {
            storage.initializeLocation(id).finalizeCheckpoint(metadata(id));
        }
        storage.initializeLocation(5).createOutputStream(CheckpointedStateScope.EXCLUSIVE);
        new FileCheckpointStorage(store, BASE, "job-10").initializeLocation(1).finalizeCheckpoint(metadata(1));
        store.blobs.put(storage.jobLocation() + "chk-x/_metadata", new byte[0]);
        store.blobs.put(storage.jobLocation() + "chk-7/_metadata.tmp", new byte[0]);
        store.blobs.put(storage.jobLocation() + "chk-8/sub/_metadata", new byte[0]);
        assertThat(storage.completedCheckpoints()).extracting(CompletedCheckpoint::checkpointId)
                .containsExactly(2L, 4L, 10L, 33L);
    }

    @Test
    void listingNeedsTheListingAbility() {
        FileCheckpointStorage plain = new FileCheckpointStorage(store.withoutAbilities(), BASE, "job-1");
        CompletedCheckpoint cp = plain.initializeLocation(1).finalizeCheckpoint(metadata(1));
        assertThatThrownBy(plain::completedCheckpoints).isInstanceOf(StorageException.class)
                .hasMessageContaining("SupportsPrefixListing").hasMessageContaining("resolve checkpoints by their pointer");
        assertThat(plain.resolve(cp.pointer())).isEqualTo(cp);
        plain.discard(cp);
        assertThat(store.blobs).isEmpty();
    }

    @Test
    void resolveRefusesMissingOrResizedStateFilesNamingTheMetadata() {
        CheckpointStorageLocation loc = storage.initializeLocation(1);
        StreamStateHandle h = write(loc, CheckpointedStateScope.EXCLUSIVE, bytes(30_000, 1));
        CompletedCheckpoint cp = loc.finalizeCheckpoint(metadata(1, h));
        store.blobs.put(loc(h), new byte[10]);
        assertThatThrownBy(() -> storage.resolve(cp.pointer())).isInstanceOf(CorruptCheckpointException.class)
                .hasMessageStartingWith(storage.metadataLocation(1)).hasMessageContaining("has 10 bytes");
        store.blobs.remove(loc(h));
        assertThatThrownBy(() -> storage.resolve(cp.pointer())).isInstanceOf(CorruptCheckpointException.class)
                .hasMessageStartingWith(storage.metadataLocation(1)).hasMessageContaining("does not exist");
        FileCheckpointStorage lenient = new FileCheckpointStorage(store, BASE, "job-1",
                FileCheckpointStorageOptions.builder().verifyFilesOnResolve(false).build());
        assertThat(lenient.resolve(cp.pointer())).isEqualTo(cp);
    }

    @Test
    void resolveRefusesBadPointersMissingMetadataAndMismatchedIds() {
        for (String bad : List.of("mem:///checkpoints/job-1", "mem:///checkpoints/job-1/chk-", "mem:///chk-1",
                "mem:///checkpoints/job-1/chk-1x", "mem:///checkpoints/job-1/chk-1/other")) {
            assertThatThrownBy(() -> storage.resolve(bad)).as(bad).isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("not a checkpoint pointer");
        }
        assertThatThrownBy(() -> storage.resolve(storage.checkpointLocation(8)))
                .isInstanceOf(CheckpointException.class).hasMessageContaining("no completed checkpoint");
        storage.initializeLocation(3).finalizeCheckpoint(metadata(3));
        store.blobs.put(storage.metadataLocation(4), store.blobs.get(storage.metadataLocation(3)));
        assertThatThrownBy(() -> storage.resolve(storage.checkpointLocation(4)))
                .isInstanceOf(CorruptCheckpointException.class)
                .hasMessageContaining("holds checkpoint 3 but lies in the directory of checkpoint 4");
    }

    @Test
    void resolveAppliesTheMetadataSizeCapBeforeReading() {
        storage.initializeLocation(1).finalizeCheckpoint(metadata(1, new InlineStateHandle(new byte[5000])));
        FileCheckpointStorage capped = new FileCheckpointStorage(store, BASE, "job-1",
                FileCheckpointStorageOptions.builder().maxMetadataSize(1000).build());
        assertThatThrownBy(() -> capped.resolve(storage.checkpointLocation(1)))
                .isInstanceOf(CorruptCheckpointException.class).hasMessageStartingWith(storage.metadataLocation(1))
                .hasMessageContaining("exceeds the maximum metadata size of 1000");
    }

    @Test
    void invalidConstructionIsRefused() {
        for (String job : List.of("", "a/b", "..", ".", "x:y", "a\\b")) {
            assertThatThrownBy(() -> new FileCheckpointStorage(store, BASE, job)).as(job)
                    .isInstanceOf(ConfigurationException.class).hasMessageContaining("job id");
        }
        assertThatThrownBy(() -> new FileCheckpointStorage(store, "/no/scheme", "job"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("no scheme");
        assertThatThrownBy(() -> storage.initializeLocation(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void closeClosesOnlyAnOwnedStore() {
        storage.close();
        assertThat(store.closed).isFalse();
        new FileCheckpointStorage(store, BASE, "job-1", FileCheckpointStorageOptions.defaults(), true).close();
        assertThat(store.closed).isTrue();
    }

    @Test
    void concurrentWritersGetDistinctFiles() throws Exception {
        CheckpointStorageLocation loc = storage.initializeLocation(1);
        List<Thread> threads = new java.util.ArrayList<>();
        List<StreamStateHandle> handles = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        for (int t = 0; t < 8; t++) {
            int seed = t;
            threads.add(new Thread(() -> {
                for (int i = 0; i < 10; i++) {
                    handles.add(write(loc, CheckpointedStateScope.EXCLUSIVE, bytes(25_000, seed * 100 + i)));
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        assertThat(handles).hasSize(80).doesNotHaveDuplicates();
        CheckpointMetadata md = metadata(1, handles.toArray(StreamStateHandle[]::new));
        CompletedCheckpoint cp = loc.finalizeCheckpoint(md);
        assertThat(storage.resolve(cp.pointer()).metadata()).isEqualTo(md);
        assertThat(store.blobs).hasSize(81);
    }

    static StreamStateHandle write(CheckpointStorageLocation loc, CheckpointedStateScope scope, byte[] data) {
        try (CheckpointStateOutputStream out = loc.createOutputStream(scope)) {
            out.write(data, 0, data.length);
            return out.commit();
        }
    }

    static byte[] bytes(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static String loc(StreamStateHandle h) {
        return ((FileStateHandle) h).location();
    }

    /** One operator whose subtask 0 has a key-groups handle per stream and an operator-state handle on the first. */
    static CheckpointMetadata metadata(long id, StreamStateHandle... streams) {
        List<KeyGroupsStateHandle> keyed = Arrays.stream(streams)
                .map(s -> new KeyGroupsStateHandle(KeyGroupRange.of(0, 1), new long[] {0, s.stateSize()}, s)).toList();
        List<OperatorStateHandle> ops = streams.length == 0 ? List.of()
                : List.of(new OperatorStateHandle(Map.of("list", new OperatorStateHandle.StateMetaInfo(
                        RedistributionMode.UNION, new long[] {0})), streams[0]));
        return new CheckpointMetadata(id, 1000 + id, List.of(new OperatorSnapshot("op", 1, 2,
                List.of(new SubtaskSnapshot(0, List.copyOf(keyed), ops, false)))));
    }
}
