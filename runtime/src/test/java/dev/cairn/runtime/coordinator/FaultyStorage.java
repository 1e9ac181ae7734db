package dev.cairn.runtime.coordinator;

import dev.cairn.checkpoint.CheckpointMetadata;
import dev.cairn.checkpoint.CheckpointStateOutputStream;
import dev.cairn.checkpoint.CheckpointStorage;
import dev.cairn.checkpoint.CheckpointStorageLocation;
import dev.cairn.checkpoint.CheckpointedStateScope;
import dev.cairn.checkpoint.CompletedCheckpoint;
import dev.cairn.checkpoint.ForwardingCheckpointStorage;
import dev.cairn.error.StorageException;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Checkpoint storage that fails or stalls on demand, delegating everything else. */
final class FaultyStorage extends ForwardingCheckpointStorage {
    volatile boolean failInitialize;
    volatile boolean failFinalize;
    /** Discards (of whole checkpoints and of an ended job's leftovers) fail, as if the process died there. */
    volatile boolean failDiscard;
    /** When set, finalization waits until it is counted down. */
    volatile CountDownLatch finalizeGate;

    FaultyStorage(CheckpointStorage delegate) {
        super(delegate);
    }

    @Override
    public CheckpointStorageLocation initializeLocation(long checkpointId) {
        if (failInitialize) {
            throw new StorageException("injected: cannot create the location of checkpoint " + checkpointId);
        }
        return wrap(delegate.initializeLocation(checkpointId));
    }

    @Override
    public CheckpointStorageLocation initializeSavepointLocation(long checkpointId, String targetDirectory) {
        if (failInitialize) {
            throw new StorageException("injected: cannot create the location of savepoint " + checkpointId);
        }
        return wrap(delegate.initializeSavepointLocation(checkpointId, targetDirectory));
    }

    private CheckpointStorageLocation wrap(CheckpointStorageLocation location) {
        return new CheckpointStorageLocation() {
            @Override
            public long checkpointId() {
                return location.checkpointId();
            }

            @Override
            public CheckpointStateOutputStream createOutputStream(CheckpointedStateScope scope) {
                return location.createOutputStream(scope);
            }

            @Override
            public CompletedCheckpoint finalizeCheckpoint(CheckpointMetadata metadata) {
                CountDownLatch gate = finalizeGate;
                if (gate != null) {
                    try {
                        gate.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new StorageException("interrupted while stalled", e);
                    }
                }
                if (failFinalize) {
                    throw new StorageException("injected: cannot write the metadata of checkpoint "
                            + metadata.checkpointId());
                }
                return location.finalizeCheckpoint(metadata);
            }

            @Override
            public void discardOnFailure() {
                location.discardOnFailure();
            }
        };
    }

    @Override
    public void discard(CompletedCheckpoint checkpoint) {
        if (failDiscard) {
            throw new StorageException("injected: cannot discard checkpoint " + checkpoint.checkpointId());
        }
        delegate.discard(checkpoint);
    }

    @Override
    public List<String> removeUnreferenced(Collection<CompletedCheckpoint> keep) {
        if (failDiscard) {
            throw new StorageException("injected: cannot delete unreferenced files");
        }
        return delegate.removeUnreferenced(keep);
    }
}
