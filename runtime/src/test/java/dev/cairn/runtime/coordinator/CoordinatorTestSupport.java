package dev.cairn.runtime.coordinator;

import dev.cairn.blob.BlobInfo;
import dev.cairn.blob.SupportsPrefixListing;
import dev.cairn.checkpoint.CheckpointStorage;
import dev.cairn.checkpoint.CompletedCheckpoint;
import dev.cairn.runtime.config.CheckpointConfig;
import dev.cairn.runtime.storage.CheckpointStorages;
import dev.cairn.runtime.storage.FileCheckpointStorage;
import dev.cairn.runtime.storage.FileCheckpointStorageOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;

/** Shared set-up of the coordinator tests: coordinators closed after each test, a file storage, waiting. */
abstract class CoordinatorTestSupport {
    static final String BASE = "maptest:///checkpoints";
    static final String JOB = "job-4711";
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    CheckpointCoordinator coordinator(CheckpointConfig config, CheckpointStorage storage, TestGateway gateway) {
        CheckpointCoordinator c = new CheckpointCoordinator(JOB, config, storage, gateway);
        gateway.responder = c;
        closeables.add(c);
        return c;
    }

    /** File checkpoint storage over a fresh in-memory {@code maptest://} store; every non-empty stream becomes a file. */
    FileCheckpointStorage fileStorage() {
        FileCheckpointStorage s = (FileCheckpointStorage) CheckpointStorages.create(BASE, JOB,
                Map.of(FileCheckpointStorageOptions.INLINE_THRESHOLD, "1"));
        closeables.add(s);
        return s;
    }

    /** Another storage object of the same job over the same blob store, as a new run would open it. */
    static FileCheckpointStorage reopen(FileCheckpointStorage s) {
        return new FileCheckpointStorage(s.blobStore(), BASE, JOB,
                FileCheckpointStorageOptions.builder().inlineThreshold(1).build());
    }

    static List<String> files(FileCheckpointStorage s, String prefix) {
        List<String> out = new ArrayList<>();
        for (BlobInfo info : ((SupportsPrefixListing) s.blobStore()).list(prefix)) {
            out.add(info.location());
        }
        return out;
    }

    /** The files of the job directory but the lease blobs of live coordinators ({@code _lease-*}). */
    static List<String> filesButLeases(FileCheckpointStorage s) {
        return files(s, s.jobLocation()).stream().filter(f -> !f.startsWith(s.jobLocation() + "_lease-")).toList();
    }

    static List<String> filesOf(FileCheckpointStorage s, long checkpointId) {
        return files(s, s.checkpointLocation(checkpointId));
    }

    static List<Long> ids(List<CompletedCheckpoint> checkpoints) {
        return checkpoints.stream().map(CompletedCheckpoint::checkpointId).toList();
    }

    static CheckpointConfig.Builder config() {
        return CheckpointConfig.builder();
    }

    static Duration ms(long millis) {
        return Duration.ofMillis(millis);
    }

    static <T> T get(CompletableFuture<T> future) throws Exception {
        return future.get(5, TimeUnit.SECONDS);
    }

    /** The reason the future failed with, waiting up to 5 s. */
    static CheckpointFailureReason failure(CompletableFuture<?> future) throws Exception {
        try {
            future.get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof CheckpointFailedException f) {
                return f.reason();
            }
            throw new AssertionError("failed with an unexpected exception", e.getCause());
        }
        throw new AssertionError("the checkpoint did not fail");
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(2);
        }
    }
}
