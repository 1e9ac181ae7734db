package dev.cairn.runtime.storage;

import dev.cairn.blob.ByteArraySeekableInputStream;
import dev.cairn.blob.SeekableInputStream;
import dev.cairn.checkpoint.CheckpointMetadata;
import dev.cairn.checkpoint.CheckpointScan;
import dev.cairn.checkpoint.CheckpointStateOutputStream;
import dev.cairn.checkpoint.CheckpointStorage;
import dev.cairn.checkpoint.CheckpointStorageLocation;
import dev.cairn.checkpoint.CheckpointedStateScope;
import dev.cairn.checkpoint.CompletedCheckpoint;
import dev.cairn.checkpoint.InlineStateHandle;
import dev.cairn.checkpoint.JobEnd;
import dev.cairn.checkpoint.StreamStateHandle;
import dev.cairn.error.CheckpointException;
import dev.cairn.error.StorageException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Checkpoint storage that keeps everything in memory: every stream becomes an
 * {@link InlineStateHandle} and completed checkpoints live in this object. For tests and
 * small jobs; nothing survives the JVM. Savepoints are kept in memory too, apart from the
 * checkpoints, under pointers {@code memory:<job>/savepoint-<id>-<random>}.
 */
public final class MemoryCheckpointStorage implements CheckpointStorage {
    private static final String SCHEME = "memory:";

    private final String jobId;
    private final ConcurrentSkipListMap<Long, CompletedCheckpoint> completed = new ConcurrentSkipListMap<>();
    private final ConcurrentHashMap<String, CompletedCheckpoint> savepoints = new ConcurrentHashMap<>();
    private final AtomicLong highestId = new AtomicLong();
    private final AtomicReference<JobEnd> jobEnd = new AtomicReference<>();

    public MemoryCheckpointStorage(String jobId) {
        this.jobId = Objects.requireNonNull(jobId, "jobId");
    }

    @Override
    public CheckpointStorageLocation initializeLocation(long checkpointId) {
        highestId.accumulateAndGet(checkpointId, Math::max);
        return new CheckpointStorageLocation() {
            @Override
            public long checkpointId() {
                return checkpointId;
            }

            @Override
            public CheckpointStateOutputStream createOutputStream(CheckpointedStateScope scope) {
                return InlineStreamFactory.INSTANCE.createOutputStream(scope);
            }

            @Override
            public CompletedCheckpoint finalizeCheckpoint(CheckpointMetadata metadata) {
                if (metadata.checkpointId() != checkpointId) {
                    throw new CheckpointException("metadata of checkpoint " + metadata.checkpointId()
                            + " given to the location of checkpoint " + checkpointId);
                }
                CompletedCheckpoint cp = new CompletedCheckpoint(pointerOf(checkpointId), metadata);
                if (completed.putIfAbsent(checkpointId, cp) != null) {
                    throw new CheckpointException(cp.pointer() + ": checkpoint " + checkpointId
                            + " was already finalized");
                }
                return cp;
            }

            @Override
            public void discardOnFailure() {
            }
        };
    }

    /**
     * A savepoint location kept in memory; {@code targetDirectory} cannot be honoured by a memory
     * storage and is ignored (the savepoint lives as long as this storage object).
     */
    @Override
    public CheckpointStorageLocation initializeSavepointLocation(long checkpointId, String targetDirectory) {
        String pointer = SCHEME + jobId + "/savepoint-" + checkpointId + "-"
                + UUID.randomUUID().toString().substring(0, 8);
        return new CheckpointStorageLocation() {
            @Override
            public long checkpointId() {
                return checkpointId;
            }

            @Override
            public CheckpointStateOutputStream createOutputStream(CheckpointedStateScope scope) {
                return InlineStreamFactory.INSTANCE.createOutputStream(scope);
            }

            @Override
            public CompletedCheckpoint finalizeCheckpoint(CheckpointMetadata metadata) {
                if (metadata.checkpointId() != checkpointId) {
                    throw new CheckpointException("metadata of savepoint " + metadata.checkpointId()
                            + " given to the location of savepoint " + checkpointId);
                }
                CompletedCheckpoint sp = new CompletedCheckpoint(pointer, metadata);
                if (savepoints.putIfAbsent(pointer, sp) != null) {
                    throw new CheckpointException(pointer + ": savepoint was already finalized");
                }
                return sp;
            }

            @Override
            public void discardOnFailure() {
            }
        };
    }

    @Override
    public CompletedCheckpoint resolve(String pointer) {
        String wanted = pointer.endsWith("/_metadata")
                ? pointer.substring(0, pointer.length() - "/_metadata".length()) : pointer;
        CompletedCheckpoint savepoint = savepoints.get(wanted);
        if (savepoint != null) {
            return savepoint;
        }
        for (CompletedCheckpoint cp : completed.values()) {
            if (cp.pointer().equals(wanted)) {
                return cp;
            }
        }
        throw new CheckpointException(pointer + ": no such checkpoint in the memory storage of job " + jobId
                + " (memory checkpoints do not survive the storage object)");
    }

    @Override
    public List<CompletedCheckpoint> completedCheckpoints() {
        return List.copyOf(completed.values());
    }

    @Override
    public CheckpointScan scan() {
        return new CheckpointScan(completedCheckpoints(), List.of(), highestId.get(),
                Optional.ofNullable(jobEnd.get()));
    }

    @Override
    public long highestCheckpointId() {
        return Math.max(highestId.get(), jobEnd.get() == null ? 0 : jobEnd.get().lastCheckpointId());
    }

    @Override
    public void markJobEnded(JobEnd end) {
        jobEnd.set(Objects.requireNonNull(end, "end"));
    }

    /** Forgets every checkpoint that {@code keep} does not hold; nothing else is stored. */
    @Override
    public List<String> removeUnreferenced(Collection<CompletedCheckpoint> keep) {
        List<String> removed = new ArrayList<>();
        for (CompletedCheckpoint cp : completed.values()) {
            if (keep.stream().noneMatch(k -> k.pointer().equals(cp.pointer())) && completed.remove(cp.checkpointId(), cp)) {
                removed.add(cp.pointer());
            }
        }
        return removed;
    }

    /** Forgets every checkpoint and the job-end record; ids start from the beginning. */
    @Override
    public void discardJob() {
        completed.clear();
        jobEnd.set(null);
        highestId.set(0);
    }

    @Override
    public void discard(CompletedCheckpoint checkpoint) {
        if (!completed.remove(checkpoint.checkpointId(), checkpoint)) {
            savepoints.remove(checkpoint.pointer(), checkpoint);
        }
    }

    @Override
    public SeekableInputStream open(StreamStateHandle handle) {
        if (handle instanceof InlineStateHandle inline) {
            return new ByteArraySeekableInputStream(inline.unsafeData());
        }
        throw new StorageException("memory checkpoint storage cannot read " + handle
                + ": only inline state is stored in memory");
    }

    @Override
    public void close() {
        completed.clear();
        savepoints.clear();
    }

    private String pointerOf(long checkpointId) {
        return SCHEME + jobId + "/chk-" + checkpointId;
    }
}
