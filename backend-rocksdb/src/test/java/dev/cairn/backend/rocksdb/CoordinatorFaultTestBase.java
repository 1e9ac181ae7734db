package dev.cairn.backend.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.cairn.backend.KeyedBackendParameters;
import dev.cairn.backend.KeyedStateBackend;
import dev.cairn.blob.BlobStore;
import dev.cairn.checkpoint.CompletedCheckpoint;
import dev.cairn.checkpoint.FileStateHandle;
import dev.cairn.checkpoint.IncrementalKeyedStateHandle;
import dev.cairn.checkpoint.KeyedStateHandle;
import dev.cairn.checkpoint.SubtaskSnapshot;
import dev.cairn.error.CorruptCheckpointException;
import dev.cairn.keygroup.KeyGroupRange;
import dev.cairn.runtime.config.CheckpointConfig;
import dev.cairn.runtime.coordinator.CheckpointBarrier;
import dev.cairn.runtime.coordinator.CheckpointCoordinator;
import dev.cairn.runtime.coordinator.CheckpointFailedException;
import dev.cairn.runtime.coordinator.CheckpointFailureReason;
import dev.cairn.runtime.coordinator.CheckpointPlan;
import dev.cairn.runtime.coordinator.CheckpointStats;
import dev.cairn.runtime.coordinator.CheckpointStatsListener;
import dev.cairn.runtime.coordinator.CheckpointTaskGateway;
import dev.cairn.runtime.coordinator.SubtaskId;
import dev.cairn.runtime.storage.FileCheckpointStorage;
import dev.cairn.runtime.storage.FileCheckpointStorageOptions;
import dev.cairn.serialization.Serializers;
import dev.cairn.state.ValueState;
import dev.cairn.state.ValueStateDescriptor;
import dev.cairn.tck.FaultInjectingBlobStore;
import dev.cairn.tck.FaultInjectingBlobStore.InjectedFault;
import dev.cairn.tck.FaultInjectingBlobStore.Op;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RunnableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Storage faults at the level of the checkpoint coordinator, for any blob store: a RocksDB keyed backend
 * checkpoints through a {@link CheckpointCoordinator} into the store behind a {@link FaultInjectingBlobStore}.
 * A failed state upload declines its checkpoint only; the failure is counted toward the tolerable failures (and
 * one beyond them demands a fail-over), nothing of the checkpoint stays in the store (as the store's own client
 * lists it, temporary files and pending uploads included), and the next checkpoint completes, resets the count
 * and restores exactly. A stored file whose bytes were altered afterwards is refused on restore with an error
 * naming it, and nothing is left half-restored. A store's test extends this class and says how to open the store,
 * list it, and read and write its raw bytes; the HDFS run is here, the S3 run in {@code storage-s3}.
 */
public abstract class CoordinatorFaultTestBase {
    private static final String OPERATOR = "counts";
    private static final SubtaskId TASK = new SubtaskId(OPERATOR, 0);
    private static final int MAX_PARALLELISM = 128;
    private static final KeyGroupRange ALL = KeyGroupRange.of(0, MAX_PARALLELISM - 1);
    private static final ValueStateDescriptor<byte[]> VALUES = new ValueStateDescriptor<>("values", Serializers.BYTES);

    @TempDir
    Path tempDir;

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final RocksDbStateBackend rocksdb = new RocksDbStateBackend();
    private FaultInjectingBlobStore faulty;
    private FileCheckpointStorage storage;
    private int localDirectories;
    private final String storeName;
    private final int keys;
    private final int valueSize;

    /**
     * @param storeName named in assertion messages, e.g. {@code HDFS}
     * @param keys      keys of the value state
     * @param valueSize bytes per value
     */
    protected CoordinatorFaultTestBase(String storeName, int keys, int valueSize) {
        this.storeName = storeName;
        this.keys = keys;
        this.valueSize = valueSize;
    }

    /** The store under test, opened for one test; it is wrapped in a {@link FaultInjectingBlobStore} and closed. */
    protected abstract BlobStore openStore() throws IOException;

    /** A checkpoint directory of the store that no other test uses. */
    protected abstract String newCheckpointDirectory();

    /**
     * Every file under {@code directory} as the store's own client lists it (temporary files and pending uploads
     * included, or an assertion that there are none), relative to it.
     */
    protected abstract Set<String> rawFiles(String directory) throws IOException;

    /** The stored bytes at {@code location}, read with the store's own client. */
    protected abstract byte[] readRaw(String location) throws IOException;

    /** Replaces the stored bytes at {@code location} with the store's own client. */
    protected abstract void writeRaw(String location, byte[] bytes) throws IOException;

    /** Makes exactly one upload of a shared state file fail; {@code shared} says which locations are shared. */
    protected abstract void failOneSharedUpload(FaultInjectingBlobStore faulty, Predicate<String> shared);

    /** Further checks of the state of checkpoint 3, which holds the files checkpoint 2 failed to upload. */
    protected void checkThirdCheckpoint(IncrementalKeyedStateHandle handle) {
    }

    @BeforeEach
    void open() throws IOException {
        faulty = FaultInjectingBlobStore.wrap(openStore());
        storage = new FileCheckpointStorage(faulty, newCheckpointDirectory(), "job",
                FileCheckpointStorageOptions.builder().inlineThreshold(64).build());
    }

    @AfterEach
    void close() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
        storage.close();
        faulty.close();
    }

    @Test
    void aFailedUploadFailsOnlyItsCheckpointCountsTowardTheTolerableFailuresAndLeavesNoFile() throws Exception {
        Job job = new Job(CheckpointConfig.builder().tolerableCheckpointFailureNumber(1).build());
        KeyedStateBackend<Long> backend = job.start(List.of());
        write(backend, 0, keys, 1);
        CompletedCheckpoint first = job.checkpoint();
        assertThat(first.checkpointId()).isEqualTo(1);
        Set<String> afterFirst = rawFiles();
        assertThat(afterFirst).as("files of checkpoint 1").anyMatch(f -> f.startsWith("shared/"))
                .anyMatch(f -> f.equals("chk-1/_metadata"));

        write(backend, 0, keys / 2, 2);
        failOneSharedUpload(faulty, inShared());
        CheckpointFailedException failed = job.failedCheckpoint();
        assertThat(failed.reason()).isEqualTo(CheckpointFailureReason.DECLINED);
        assertThat(failed).hasRootCauseInstanceOf(InjectedFault.class);
        assertThat(faulty.injectedFailures()).as("failed uploads").isEqualTo(1);
        assertThat(job.failedStats).singleElement().satisfies(s -> {
            assertThat(s.checkpointId()).isEqualTo(2);
            assertThat(s.failureReason()).isEqualTo(CheckpointFailureReason.DECLINED);
            assertThat(s.failureMessage()).contains("injected fault");
        });
        assertThat(job.coordinator.consecutiveFailures()).as("counted failures after checkpoint 2").isEqualTo(1);
        assertThat(job.failovers).as("fail-overs with 1 failure tolerated").isEmpty();
        assertThat(rawFiles()).as("files in %s after checkpoint 2 failed", storeName)
                .isEqualTo(afterFirst);

        CompletedCheckpoint third = job.checkpoint();
        assertThat(third.checkpointId()).isEqualTo(3);
        checkThirdCheckpoint((IncrementalKeyedStateHandle) keyedState(third).get(0));
        assertThat(job.coordinator.consecutiveFailures()).as("reset by completed checkpoint 3").isZero();
        assertThat(job.completedStats).extracting(CheckpointStats::checkpointId).containsExactly(1L, 3L);
        KeyedStateBackend<Long> restored = restore(keyedState(storage.resolve(third.pointer())));
        assertValues(restored, 0, keys / 2, 2);
        assertValues(restored, keys / 2, keys, 1);
        Set<String> afterThird = rawFiles();

        faulty.failFrom(Op.WRITE, 1, inShared());
        write(backend, 0, keys / 4, 3);
        assertThat(job.failedCheckpoint().reason()).isEqualTo(CheckpointFailureReason.DECLINED);
        assertThat(job.coordinator.consecutiveFailures()).isEqualTo(1);
        assertThat(job.failovers).as("fail-overs after 1 failure with 1 tolerated").isEmpty();
        write(backend, keys / 4, keys / 2, 3);
        assertThat(job.failedCheckpoint().reason()).isEqualTo(CheckpointFailureReason.DECLINED);
        assertThat(job.failovers).as("fail-overs after 2 consecutive failures with 1 tolerated").singleElement()
                .satisfies(t -> assertThat(t).hasMessageStartingWith("Exceeded checkpoint tolerable failure threshold")
                        .hasMessageContaining("checkpoint 5"));
        assertThat(job.failedStats).extracting(CheckpointStats::checkpointId).containsExactly(2L, 4L, 5L);
        assertThat(job.coordinator.latestCompletedCheckpoint()).as("what the fail-over restores").hasValue(third);
        assertThat(rawFiles()).as("files in %s after checkpoints 4 and 5 failed", storeName).isEqualTo(afterThird);
    }

    @Test
    void withNoTolerableFailuresTheFirstFailedUploadDemandsAFailOver() throws Exception {
        Job job = new Job(CheckpointConfig.builder().tolerableCheckpointFailureNumber(0).build());
        KeyedStateBackend<Long> backend = job.start(List.of());
        write(backend, 0, keys, 1);
        CompletedCheckpoint first = job.checkpoint();
        Set<String> afterFirst = rawFiles();

        write(backend, 0, keys, 2);
        faulty.failNth(Op.CREATE, 1, inShared());
        assertThat(job.failedCheckpoint().reason()).isEqualTo(CheckpointFailureReason.DECLINED);
        assertThat(job.failovers).as("fail-overs after the first failure with none tolerated").singleElement()
                .satisfies(t -> assertThat(t).hasMessageStartingWith("Exceeded checkpoint tolerable failure threshold")
                        .hasMessageContaining("checkpoint 2"));
        assertThat(rawFiles()).as("files in %s after checkpoint 2 failed", storeName).isEqualTo(afterFirst);

        backend.close();
        CompletedCheckpoint latest = job.coordinator.latestCompletedCheckpoint().orElseThrow();
        assertThat(latest).isEqualTo(first);
        KeyedStateBackend<Long> restarted = job.start(keyedState(storage.resolve(latest.pointer())));
        assertValues(restarted, 0, keys, 1);
        write(restarted, 0, 10, 4);
        CompletedCheckpoint next = job.checkpoint();
        assertThat(next.checkpointId()).isEqualTo(3);
        assertThat(job.coordinator.consecutiveFailures()).isZero();
        KeyedStateBackend<Long> again = restore(keyedState(storage.resolve(next.pointer())));
        assertValues(again, 0, 10, 4);
        assertValues(again, 10, keys, 1);
    }

    @Test
    void storedFilesWhoseBytesChangedAreRefusedOnRestoreNamingTheFile() throws Exception {
        Job job = new Job(CheckpointConfig.builder().build());
        write(job.start(List.of()), 0, keys, 1);
        CompletedCheckpoint cp = job.checkpoint();
        List<KeyedStateHandle> handles = keyedState(storage.resolve(cp.pointer()));
        String sst = ((IncrementalKeyedStateHandle) handles.get(0)).sharedState().entrySet().stream()
                .filter(e -> e.getKey().endsWith(".sst") && e.getValue() instanceof FileStateHandle)
                .map(e -> ((FileStateHandle) e.getValue()).location()).findFirst().orElseThrow();

        byte[] original = flipByte(sst);
        Path local = newLocalDirectory();
        Throwable refused = catchThrowable(() -> resources.add(rocksdb.createKeyedBackend(parameters(local),
                keyedState(storage.resolve(cp.pointer())))));
        assertThat(refused).as("restoring with an SST whose stored bytes changed")
                .isInstanceOf(CorruptCheckpointException.class).hasMessageContaining(sst)
                .hasMessageContaining("checksum");
        assertThat(((CorruptCheckpointException) refused).file()).isEqualTo(sst);
        assertThat(filesUnder(local)).as("left by the refused restore").isEmpty();
        writeRaw(sst, original);

        faulty.corruptReads(sst::equals);
        Path local2 = newLocalDirectory();
        assertThat(catchThrowable(() -> resources.add(rocksdb.createKeyedBackend(parameters(local2), handles))))
                .as("restoring while the SST is damaged on its way from %s", storeName)
                .isInstanceOf(CorruptCheckpointException.class).hasMessageContaining(sst);
        assertThat(filesUnder(local2)).isEmpty();
        faulty.clearFaults();

        String metadata = storage.metadataLocation(cp.checkpointId());
        byte[] originalMetadata = flipByte(metadata);
        assertThat(catchThrowable(() -> storage.resolve(cp.pointer()))).as("resolving a changed _metadata")
                .isInstanceOf(CorruptCheckpointException.class).hasMessageContaining(metadata);
        writeRaw(metadata, originalMetadata);

        KeyedStateBackend<Long> restored = restore(keyedState(storage.resolve(cp.pointer())));
        assertValues(restored, 0, keys, 1);
    }

    // ---------------------------------------------------------------- the job

    /**
     * One keyed subtask under a coordinator. The test thread plays the task: it triggers a checkpoint, runs
     * both snapshot phases of the backend on the barrier's streams, and acknowledges, or declines when the
     * asynchronous phase failed, as the embedded runtime does.
     */
    private final class Job implements CheckpointTaskGateway, CheckpointStatsListener {
        final CheckpointCoordinator coordinator;
        final BlockingQueue<CheckpointBarrier> barriers = new LinkedBlockingQueue<>();
        final List<CheckpointStats> completedStats = new CopyOnWriteArrayList<>();
        final List<CheckpointStats> failedStats = new CopyOnWriteArrayList<>();
        final List<Throwable> failovers = new CopyOnWriteArrayList<>();
        private KeyedStateBackend<Long> task;

        Job(CheckpointConfig config) {
            coordinator = new CheckpointCoordinator("job", config, storage, this);
            coordinator.addListener(this);
            resources.add(coordinator);
        }

        /** (Re)starts the task: its keyed backend restored from {@code state} is the one that checkpoints. */
        KeyedStateBackend<Long> start(List<KeyedStateHandle> state) {
            task = restore(state);
            return task;
        }

        CompletedCheckpoint checkpoint() throws Exception {
            CompletableFuture<CompletedCheckpoint> done = triggerAndSnapshot();
            CompletedCheckpoint completed = done.get(30, TimeUnit.SECONDS);
            task.notifyCheckpointComplete(completed.checkpointId());
            return completed;
        }

        CheckpointFailedException failedCheckpoint() throws Exception {
            CompletableFuture<CompletedCheckpoint> done = triggerAndSnapshot();
            try {
                CompletedCheckpoint unexpected = done.get(30, TimeUnit.SECONDS);
                throw new AssertionError("checkpoint " + unexpected.checkpointId() + " completed");
            } catch (ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(CheckpointFailedException.class);
                return (CheckpointFailedException) e.getCause();
            }
        }

        private CompletableFuture<CompletedCheckpoint> triggerAndSnapshot() throws Exception {
            CompletableFuture<CompletedCheckpoint> done = coordinator.triggerCheckpoint();
            CheckpointBarrier barrier = barriers.poll(30, TimeUnit.SECONDS);
            assertThat(barrier).as("a barrier within 30 s").isNotNull();
            long id = barrier.checkpointId();
            RunnableFuture<KeyedStateHandle> snapshot = task.snapshot(id, barrier.options().snapshotType(),
                    barrier.streams());
            snapshot.run();
            try {
                coordinator.acknowledgeCheckpoint(id, TASK, new SubtaskSnapshot(0, List.of(snapshot.get()), List.of(),
                        false), null);
            } catch (ExecutionException e) {
                coordinator.declineCheckpoint(id, TASK, e.getCause());
                task.notifyCheckpointAborted(id);
            }
            return done;
        }

        @Override
        public CheckpointPlan planCheckpoint() {
            return new CheckpointPlan(Set.of(TASK), Set.of(TASK), Set.of(),
                    Map.of(OPERATOR, new CheckpointPlan.OperatorInfo(1, MAX_PARALLELISM, false)));
        }

        @Override
        public void triggerCheckpoint(CheckpointBarrier barrier, Set<SubtaskId> tasks) {
            barriers.add(barrier);
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
        }

        @Override
        public void notifyCheckpointAborted(long checkpointId) {
        }

        @Override
        public void failJob(Throwable cause) {
            failovers.add(cause);
        }

        @Override
        public void onCheckpointCompleted(CheckpointStats stats) {
            completedStats.add(stats);
        }

        @Override
        public void onCheckpointFailed(CheckpointStats stats) {
            failedStats.add(stats);
        }
    }

    // ---------------------------------------------------------------- helpers

    /** A keyed backend restored from {@code state} in a new local directory, closed after the test. */
    private KeyedStateBackend<Long> restore(List<KeyedStateHandle> state) {
        KeyedStateBackend<Long> b = rocksdb.createKeyedBackend(parameters(newLocalDirectory()), state);
        resources.add(b);
        return b;
    }

    private KeyedBackendParameters<Long> parameters(Path local) {
        return new KeyedBackendParameters<>(OPERATOR, Serializers.LONG, MAX_PARALLELISM, ALL, local, storage);
    }

    private Path newLocalDirectory() {
        try {
            return Files.createDirectories(tempDir.resolve("local-" + localDirectories++));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private Predicate<String> inShared() {
        String shared = storage.sharedLocation();
        return location -> location.startsWith(shared);
    }

    private static List<KeyedStateHandle> keyedState(CompletedCheckpoint cp) {
        return cp.metadata().operators().stream().filter(o -> o.operatorId().equals(OPERATOR))
                .flatMap(o -> o.subtasks().stream()).flatMap(s -> s.keyedState().stream()).toList();
    }

    private byte[] value(long key, int round) {
        byte[] bytes = new byte[valueSize];
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        long x = (key + 1) * 0x9E3779B97F4A7C15L + round * 0xBF58476D1CE4E5B9L;
        while (buffer.remaining() >= 8) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            buffer.putLong(x);
        }
        return bytes;
    }

    private void write(KeyedStateBackend<Long> backend, long from, long to, int round) {
        ValueState<byte[]> state = backend.getState(VALUES);
        for (long k = from; k < to; k++) {
            backend.setCurrentKey(k);
            state.update(value(k, round));
        }
    }

    private void assertValues(KeyedStateBackend<Long> backend, long from, long to, int round) {
        ValueState<byte[]> state = backend.getState(VALUES);
        for (long k = from; k < to; k++) {
            backend.setCurrentKey(k);
            assertThat(state.value()).as("key %d, expected from round %d", k, round).isEqualTo(value(k, round));
        }
    }

    private Set<String> rawFiles() throws IOException {
        return rawFiles(storage.jobLocation());
    }

    /** Rewrites the stored file at {@code location} with its middle byte changed; returns the original bytes. */
    private byte[] flipByte(String location) throws IOException {
        byte[] bytes = readRaw(location);
        byte[] changed = bytes.clone();
        changed[changed.length / 2] ^= 0x10;
        writeRaw(location, changed);
        return bytes;
    }

    private static List<Path> filesUnder(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(directory)) {
            return walk.filter(Files::isRegularFile).toList();
        }
    }
}
