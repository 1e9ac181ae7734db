package dev.cairn.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.blob.BlobInfo;
import dev.cairn.blob.BlobStore;
import dev.cairn.blob.SeekableInputStream;
import dev.cairn.blob.SupportsPrefixListing;
import dev.cairn.checkpoint.CheckpointMetadata;
import dev.cairn.checkpoint.CheckpointStateOutputStream;
import dev.cairn.checkpoint.CheckpointStorage;
import dev.cairn.checkpoint.CheckpointStorageLocation;
import dev.cairn.checkpoint.CheckpointStreamFactory;
import dev.cairn.checkpoint.CheckpointedStateScope;
import dev.cairn.checkpoint.CompletedCheckpoint;
import dev.cairn.checkpoint.ForwardingCheckpointStorage;
import dev.cairn.checkpoint.IncrementalKeyedStateHandle;
import dev.cairn.checkpoint.KeyedStateHandle;
import dev.cairn.checkpoint.OperatorSnapshot;
import dev.cairn.checkpoint.OperatorStateHandle;
import dev.cairn.checkpoint.StreamStateHandle;
import dev.cairn.checkpoint.SubtaskSnapshot;
import dev.cairn.filemerging.FileMergingManager;
import dev.cairn.keygroup.KeyGroupRange;
import dev.cairn.runtime.sharedstate.SharedStateRegistry;
import dev.cairn.runtime.storage.FileCheckpointStorage;
import dev.cairn.state.RedistributionMode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * Drives a checkpoint storage with file merging the way the coordinator and an incremental backend do:
 * per subtask a set of "SST" files of which some are replaced every checkpoint (and the others
 * reused if the storage accepts them), a private file, a meta file and operator state; completed
 * checkpoints registered with the real {@link SharedStateRegistry}, the oldest beyond
 * {@code retainedCount} discarded. It checks what users see: bytes read back, the space bound
 * measured by listing the store, and no physical file that no retained checkpoint refers to.
 */
public final class MergingWorkload {
    final BlobStore store;
    final CheckpointStorage storage;
    final String mergedLocation;
    final SharedStateRegistry registry;
    final Deque<CompletedCheckpoint> retained = new ArrayDeque<>();
    /** Every checkpoint completed or adopted, in that order: the windows of the space bound. */
    final List<CompletedCheckpoint> completed = new ArrayList<>();
    private final int retainedCount;
    private final int subtasks;
    private final Random random = new Random(42);
    private final Map<Integer, Map<String, StreamStateHandle>> ssts = new HashMap<>();
    private final Map<StreamStateHandle, byte[]> written = new HashMap<>();
    private long nextSst;

    /**
     * @param store          the store under {@code storage}; it must implement {@link SupportsPrefixListing}
     * @param mergedLocation where the storage keeps its merged physical files
     */
    public MergingWorkload(BlobStore store, CheckpointStorage storage, String mergedLocation, int subtasks,
            int retainedCount) {
        this.store = store;
        this.storage = storage;
        this.mergedLocation = mergedLocation;
        this.registry = SharedStateRegistry.forStorage(storage);
        this.subtasks = subtasks;
        this.retainedCount = retainedCount;
    }

    /** One checkpoint in which each subtask replaces {@code churn} of its SSTs (8 at first). */
    public CompletedCheckpoint checkpoint(long id, int churn) {
        CheckpointStorageLocation location = storage.initializeLocation(id);
        List<SubtaskSnapshot> snapshots = new ArrayList<>();
        for (int s = 0; s < subtasks; s++) {
            CheckpointStreamFactory streams = location.forSubtask("op", s);
            Map<String, StreamStateHandle> previous = ssts.getOrDefault(s, Map.of());
            List<String> keep = new ArrayList<>(previous.keySet());
            Collections.shuffle(keep, random);
            keep = keep.subList(0, Math.max(0, keep.size() - churn));
            List<StreamStateHandle> candidates = new ArrayList<>();
            for (String name : keep) {
                candidates.add(previous.get(name));
            }
            Set<StreamStateHandle> accepted = Collections.newSetFromMap(new IdentityHashMap<>());
            accepted.addAll(streams.reusable(candidates));
            Map<String, StreamStateHandle> shared = new TreeMap<>();
            for (String name : keep) {
                StreamStateHandle h = previous.get(name);
                shared.put(name, accepted.contains(h) ? h : write(streams, CheckpointedStateScope.SHARED,
                        2048 + random.nextInt(6144)));
            }
            int fresh = previous.isEmpty() ? 8 : churn;
            for (int i = 0; i < fresh; i++) {
                shared.put(String.format("%06d.sst", nextSst++), write(streams, CheckpointedStateScope.SHARED,
                        2048 + random.nextInt(6144)));
            }
            Map<String, StreamStateHandle> privateFiles = Map.of("MANIFEST-1",
                    write(streams, CheckpointedStateScope.EXCLUSIVE, 300 + random.nextInt(300)));
            StreamStateHandle meta = write(streams, CheckpointedStateScope.EXCLUSIVE, 200);
            long size = meta.stateSize() + privateFiles.values().iterator().next().stateSize();
            for (StreamStateHandle h : shared.values()) {
                size += h.stateSize();
            }
            KeyedStateHandle keyed = new IncrementalKeyedStateHandle("test", id, KeyGroupRange.of(s, s), shared,
                    privateFiles, meta, size);
            StreamStateHandle operatorBytes = write(streams, CheckpointedStateScope.EXCLUSIVE, 1000);
            OperatorStateHandle operator = new OperatorStateHandle(Map.of("list",
                    new OperatorStateHandle.StateMetaInfo(RedistributionMode.SPLIT, new long[] {0})), operatorBytes);
            snapshots.add(new SubtaskSnapshot(s, List.of(keyed), List.of(operator), false));
            ssts.put(s, shared);
        }
        CompletedCheckpoint completed = location.finalizeCheckpoint(new CheckpointMetadata(id, 1000 + id,
                List.of(new OperatorSnapshot("op", subtasks, 128, snapshots))));
        registry.register(completed);
        adopt(completed);
        while (retained.size() > retainedCount) {
            CompletedCheckpoint old = retained.removeFirst();
            storage.discard(old);
            registry.unregisterAndDelete(old.checkpointId());
        }
        return completed;
    }

    /** Takes {@code checkpoint} (completed here, or restored) as the newest retained one. */
    void adopt(CompletedCheckpoint checkpoint) {
        retained.addLast(checkpoint);
        completed.add(checkpoint);
    }

    private StreamStateHandle write(CheckpointStreamFactory streams, CheckpointedStateScope scope, int size) {
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        try (CheckpointStateOutputStream out = streams.createOutputStream(scope)) {
            out.write(bytes, 0, size / 2);
            out.write(bytes, size / 2, size - size / 2);
            StreamStateHandle h = out.commit();
            written.put(h, bytes);
            return h;
        }
    }

    /** Every stream of {@code checkpoint} reads back as written. */
    public void assertReadsBack(CompletedCheckpoint checkpoint) {
        for (StreamStateHandle h : FileCheckpointStorage.segments(checkpoint.metadata())) {
            byte[] expected = written.get(h);
            assertThat(expected).as("bytes of %s", h).isNotNull();
            byte[] actual = new byte[expected.length];
            try (SeekableInputStream in = storage.open(h)) {
                in.readFully(actual, 0, actual.length);
                assertThat(in.read()).as("end of %s", h).isEqualTo(-1);
            }
            assertThat(actual).as("bytes of %s", h).isEqualTo(expected);
        }
    }

    /** The merged files in the store, by location, with their lengths. */
    public Map<String, Long> mergedFiles() {
        Map<String, Long> files = new TreeMap<>();
        for (BlobInfo info : ((SupportsPrefixListing) store).list(mergedLocation)) {
            files.put(info.location(), info.length());
        }
        return files;
    }

    /**
     * The documented bound, measured by listing ({@link MergedSpaceBound}): every merged file holds at
     * most {@code amplification} times the distinct bytes of it that its window of checkpoints refers to,
     * none is unreferenced and none referenced is missing. Returns the merged directory's amplification.
     */
    public double assertBound(double amplification) {
        return MergedSpaceBound.measure(store, mergedLocation, completed, retainedCount)
                .assertWithin(amplification, "after checkpoint " + retained.getLast().checkpointId()).amplification();
    }

    /** The file merging behind {@code storage}, looking through decorators. */
    public FileMergingManager manager() {
        return manager(storage);
    }

    static FileMergingManager manager(CheckpointStorage storage) {
        return ((FileCheckpointStorage) ForwardingCheckpointStorage.unwrap(storage)).fileMerging().orElseThrow();
    }
}
