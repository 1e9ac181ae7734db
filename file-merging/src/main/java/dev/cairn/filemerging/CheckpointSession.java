package dev.cairn.filemerging;

import dev.cairn.blob.BlobInfo;
import dev.cairn.blob.SupportsAppend;
import dev.cairn.checkpoint.CheckpointStateOutputStream;
import dev.cairn.checkpoint.SegmentStateHandle;
import dev.cairn.checkpoint.StreamStateHandle;
import dev.cairn.error.CheckpointException;
import dev.cairn.error.StorageException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The merged files of one checkpoint in progress: its streams' pools, the physical files it
 * writes or reuses, and the end of it: {@link #commit(Collection)} before the checkpoint's metadata
 * is written, or {@link #abort()}, which takes back everything it wrote.
 */
public final class CheckpointSession {
    private enum State { OPEN, COMMITTED, ENDED }

    private final FileMergingManager manager;
    private final long checkpointId;
    private final Map<String, PhysicalFilePool> pools = new HashMap<>();
    private final Set<PhysicalFile> files = new LinkedHashSet<>();
    /** Per file, the ranges (offset → length) this checkpoint reuses or wrote. */
    private final Map<PhysicalFile, Map<Long, Long>> referenced = new HashMap<>();
    private State state = State.OPEN;
    private volatile boolean aborted;

    CheckpointSession(FileMergingManager manager, long checkpointId) {
        this.manager = manager;
        this.checkpointId = checkpointId;
    }

    public long checkpointId() {
        return checkpointId;
    }

    /**
     * A stream of shared or exclusive state whose bytes become one segment, or an inline handle below
     * the inline threshold.
     * {@code operatorId} and {@code subtaskIndex} choose the pool (null: one pool for all); shared and
     * exclusive state of a subtask share it, as they share reference counting.
     */
    public CheckpointStateOutputStream createOutputStream(String operatorId, int subtaskIndex) {
        String key;
        synchronized (manager.lock) {
            ensureOpen();
            key = manager.poolKey(operatorId, subtaskIndex);
        }
        return new SegmentOutputStream(this, key, manager.options.writeBufferSize(), manager.inlineThreshold);
    }

    /**
     * Of {@code candidates}, the ones this checkpoint may refer to again: every handle that is not a
     * segment, and the segments of each physical file that still exists and is at most
     * {@code maxSpaceAmplification} times the bytes of its candidates. Accepted files stay alive
     * until this checkpoint is registered or aborted.
     */
    public Collection<StreamStateHandle> reusable(Collection<StreamStateHandle> candidates) {
        List<SegmentStateHandle> segmentCandidates = new ArrayList<>();
        List<StreamStateHandle> accepted = new ArrayList<>();
        for (StreamStateHandle h : candidates) {
            if (h instanceof SegmentStateHandle s) {
                segmentCandidates.add(s);
            } else {
                accepted.add(h);
            }
        }
        Map<String, Map<Long, Long>> byFile = FileMergingManager.group(segmentCandidates);
        Set<String> acceptedFiles = new LinkedHashSet<>();
        synchronized (manager.lock) {
            ensureOpen();
            for (Map.Entry<String, Map<Long, Long>> e : byFile.entrySet()) {
                PhysicalFile f = manager.known(e.getKey());
                if (f == null) {
                    continue;
                }
                boolean inside = true;
                for (Map.Entry<Long, Long> r : e.getValue().entrySet()) {
                    inside &= r.getKey() + r.getValue() <= f.committedLength;
                }
                Map<Long, Long> ranges = new HashMap<>(referenced.getOrDefault(f, Map.of()));
                ranges.putAll(e.getValue());
                if (!inside || f.sealed) {
                    continue;
                }
                if (f.committedLength > manager.options.maxSpaceAmplification()
                        * manager.windowBytes(f.location, ranges)) {
                    f.sealed = true;
                    continue;
                }
                f.pins.add(checkpointId);
                files.add(f);
                referenced.put(f, ranges);
                acceptedFiles.add(e.getKey());
            }
            for (SegmentStateHandle s : segmentCandidates) {
                if (acceptedFiles.contains(s.physicalLocation())) {
                    accepted.add(s);
                } else {
                    manager.reuploadsForced++;
                }
            }
        }
        return accepted;
    }

    /**
     * Makes the segments that {@code referenced} (every segment the checkpoint's metadata refers to)
     * holds durable, and takes back what this checkpoint wrote that it does not refer to.
     *
     * @throws CheckpointException if a physical file the checkpoint refers to would hold more than
     *                             {@code maxSpaceAmplification} times the bytes it refers to, or a
     *                             stream is still writing; the caller then {@linkplain #abort() aborts}
     */
    public void commit(Collection<SegmentStateHandle> referencedSegments) {
        Map<String, Map<Long, Long>> refs = FileMergingManager.group(referencedSegments);
        List<PhysicalFile> toCommit = new ArrayList<>();
        List<PhysicalFile> toTakeBack = new ArrayList<>();
        synchronized (manager.lock) {
            ensureOpen();
            List<String> problems = new ArrayList<>();
            for (PhysicalFile f : files) {
                if (f.writing) {
                    problems.add("a stream of checkpoint " + checkpointId + " still writes " + f.location);
                    continue;
                }
                if (f.holder != this) {
                    continue;
                }
                boolean usesWhatItWrote = writtenAndReferenced(f, refs.get(f.location));
                if (f.broken && usesWhatItWrote) {
                    problems.add("writing " + f.location + " failed, but the checkpoint refers to segments in it");
                } else if (usesWhatItWrote) {
                    if (f.out != null) {
                        toCommit.add(f);
                    }
                } else {
                    toTakeBack.add(f);
                }
            }
            for (Map.Entry<String, Map<Long, Long>> e : refs.entrySet()) {
                PhysicalFile f = manager.known(e.getKey());
                if (f == null) {
                    problems.add("the checkpoint refers to merged file " + e.getKey() + ", which does not exist");
                    continue;
                }
                long size = toTakeBack.contains(f) ? f.openedAt : f.holder == this ? f.length : f.committedLength;
                long bytes = manager.windowBytes(f.location, e.getValue());
                if (size <= manager.options.maxSpaceAmplification() * bytes) {
                    continue;
                }
                if (f.holder != this || toTakeBack.contains(f)) {
                    manager.reusedBeyondBound(f, size, bytes, checkpointId);
                } else {
                    f.sealed = true;
                    problems.add(f.location + " would hold " + size + " bytes for " + bytes + " bytes referenced, more"
                            + " than " + FileMergingOptions.MAX_SPACE_AMPLIFICATION + " = "
                            + manager.options.maxSpaceAmplification());
                }
            }
            if (!problems.isEmpty()) {
                throw new CheckpointException("checkpoint " + checkpointId + " cannot commit its merged files: "
                        + String.join("; ", problems));
            }
            state = State.COMMITTED;
        }
        for (PhysicalFile f : toTakeBack) {
            takeBack(f);
        }
        commitAll(toCommit);
    }

    /**
     * Commits the files in parallel: on an object store each commit uploads the whole file, and one
     * upload after the other would make the checkpoint wait for their sum.
     */
    private void commitAll(List<PhysicalFile> toCommit) {
        if (toCommit.size() == 1) {
            commitFile(toCommit.get(0));
            return;
        }
        List<CompletableFuture<Void>> commits = new ArrayList<>();
        for (PhysicalFile f : toCommit) {
            commits.add(CompletableFuture.runAsync(() -> commitFile(f), manager.committer()));
        }
        RuntimeException failure = null;
        for (CompletableFuture<Void> c : commits) {
            try {
                c.join();
            } catch (CompletionException e) {
                RuntimeException cause = e.getCause() instanceof RuntimeException r ? r : e;
                if (failure == null) {
                    failure = cause;
                } else {
                    failure.addSuppressed(cause);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Ends the checkpoint without it: its open files are aborted, files it created are deleted,
     * appends are cut back, waiting writers are released and what it pinned is let go. Idempotent.
     */
    public void abort() {
        List<PhysicalFile> toTakeBack = new ArrayList<>();
        List<PhysicalFile> toDelete = new ArrayList<>();
        synchronized (manager.lock) {
            if (state == State.ENDED) {
                return;
            }
            state = State.ENDED;
            aborted = true;
            manager.lock.notifyAll();
            for (PhysicalFile f : files) {
                f.pins.remove(checkpointId);
                if (f.holder == this && !f.writing) {
                    toTakeBack.add(f);
                }
            }
            manager.sessionEnded(this);
        }
        for (PhysicalFile f : toTakeBack) {
            takeBack(f);
        }
        synchronized (manager.lock) {
            manager.collectDeletable(toDelete);
        }
        manager.delete(toDelete);
    }

    // ---- used by SegmentOutputStream and the manager ----

    /** A file for one writer; waits on a blocking pool while it has no room. */
    PhysicalFile acquire(String key) {
        PhysicalFile reopen;
        PhysicalFilePool pool;
        synchronized (manager.lock) {
            pool = pools.computeIfAbsent(key, k -> manager.options.poolBlocking()
                    ? PhysicalFilePool.blocking(manager.options.maxOpenFilesPerPool()) : PhysicalFilePool.nonBlocking());
            boolean waited = false;
            while (true) {
                ensureOpen();
                PhysicalFile free = pool.pollFree();
                if (free != null) {
                    free.writing = true;
                    return free;
                }
                if (pool.hasRoom()) {
                    break;
                }
                if (!waited) {
                    manager.waits++;
                    waited = true;
                }
                try {
                    manager.lock.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CheckpointException("interrupted while waiting for a merged file of pool " + key
                            + " in checkpoint " + checkpointId, e);
                }
            }
            pool.opened();
            manager.maxOpen = Math.max(manager.maxOpen, pool.openFiles());
            reopen = manager.takeIdle(this, key);
            if (reopen != null) {
                reopen.holder = this;
                reopen.pins.add(checkpointId);
                files.add(reopen);
            }
        }
        PhysicalFile f;
        try {
            f = manager.open(key, reopen);
        } catch (RuntimeException e) {
            synchronized (manager.lock) {
                pool.closed(null);
                if (reopen != null) {
                    reopen.holder = null;
                    reopen.pins.remove(checkpointId);
                    files.remove(reopen);
                }
                manager.lock.notifyAll();
            }
            throw e;
        }
        synchronized (manager.lock) {
            f.holder = this;
            f.writing = true;
            f.pins.add(checkpointId);
            files.add(f);
            if (aborted) {
                f.writing = false;
            }
        }
        if (aborted) {
            takeBack(f);
            throw abortedError(key);
        }
        return f;
    }

    /**
     * A writer is done with {@code f}, to which it wrote {@code written} bytes: one committed segment,
     * or bytes of an aborted or failed stream that stay in the file as waste.
     */
    void release(PhysicalFile f, long written, boolean segmentCommitted, boolean failed) {
        boolean takeBack;
        boolean commitNow = false;
        synchronized (manager.lock) {
            if (segmentCommitted) {
                manager.segments++;
                manager.segmentBytes += written;
                referenced.computeIfAbsent(f, k -> new HashMap<>()).put(f.length, written);
            }
            f.length += written;
            f.broken |= failed;
            takeBack = aborted;
            if (takeBack) {
                f.writing = false;
            } else if (f.broken) {
                f.writing = false;
                closeBroken(f);
            } else if (f.length >= manager.options.maxFileSize()) {
                commitNow = true;
            } else {
                f.writing = false;
                pools.get(f.poolKey).returned(f);
            }
            manager.lock.notifyAll();
        }
        if (takeBack) {
            takeBack(f);
        } else if (commitNow) {
            boolean abortedMeanwhile;
            try {
                commitFile(f);
            } finally {
                synchronized (manager.lock) {
                    f.writing = false;
                    abortedMeanwhile = aborted;
                    manager.lock.notifyAll();
                }
            }
            if (abortedMeanwhile) {
                takeBack(f);
            }
        }
    }

    /** Fails once the checkpoint is aborted; a volatile read, so writers take no lock per write. */
    void ensureWritable(String key) {
        if (aborted) {
            throw abortedError(key);
        }
    }

    /** The ranges of {@code f} that this checkpoint refers to so far (reused or written), offset → length. */
    Map<Long, Long> referenced(PhysicalFile f) {
        return referenced.getOrDefault(f, Map.of());
    }

    Set<PhysicalFile> files() {
        return files;
    }

    /** The manager registered this checkpoint. */
    void released() {
        state = State.ENDED;
    }

    // ---- internals ----

    private void closeBroken(PhysicalFile f) {
        PhysicalFilePool pool = pools.get(f.poolKey);
        if (f.out != null) {
            try {
                f.out.close();
            } catch (RuntimeException ignored) {
                // the write already failed; the file is not used again
            }
            f.out = null;
            pool.closed(f);
        }
    }

    /** Commits the open stream of {@code f}, outside the lock; frees its pool slot. */
    private void commitFile(PhysicalFile f) {
        BlobInfo info;
        try {
            info = f.out.commit();
        } catch (RuntimeException e) {
            synchronized (manager.lock) {
                f.broken = true;
                f.out = null;
                pools.get(f.poolKey).closed(f);
                manager.lock.notifyAll();
            }
            throw e;
        }
        synchronized (manager.lock) {
            if (info.length() != f.length) {
                f.broken = true;
            }
            f.out = null;
            f.committedLength = info.length();
            f.committedBySession = true;
            pools.get(f.poolKey).closed(f);
            manager.lock.notifyAll();
        }
        if (info.length() != f.length) {
            throw new StorageException(f.location + ": the store committed " + info.length() + " bytes of " + f.length);
        }
    }

    /** Undoes what this checkpoint wrote to {@code f}, outside the lock: abort, delete or cut back. */
    private void takeBack(PhysicalFile f) {
        boolean createdHere = !f.appending;
        RuntimeException failure = null;
        try {
            if (f.out != null) {
                f.out.close();
            } else if (f.committedBySession) {
                if (createdHere) {
                    manager.store.delete(f.location);
                } else if (manager.store instanceof SupportsAppend append) {
                    append.append(f.location, f.openedAt).close();
                }
            }
        } catch (RuntimeException e) {
            failure = e;
        }
        synchronized (manager.lock) {
            PhysicalFilePool pool = pools.get(f.poolKey);
            if (f.out != null) {
                f.out = null;
                if (pool != null) {
                    pool.closed(f);
                }
            }
            f.holder = null;
            f.committedBySession = false;
            f.pins.remove(checkpointId);
            if (createdHere) {
                manager.forget(f);
            } else if (failure == null) {
                f.length = f.openedAt;
                f.committedLength = f.openedAt;
                f.appending = false;
                manager.offerIdle(f);
            } else {
                f.broken = true;
            }
            manager.lock.notifyAll();
        }
        if (failure != null) {
            throw failure;
        }
    }

    private boolean writtenAndReferenced(PhysicalFile f, Map<Long, Long> ranges) {
        if (ranges == null) {
            return false;
        }
        long from = f.appending ? f.openedAt : 0;
        for (Long offset : ranges.keySet()) {
            if (offset >= from) {
                return true;
            }
        }
        return false;
    }

    private void ensureOpen() {
        if (aborted) {
            throw abortedError(null);
        }
        if (state != State.OPEN) {
            throw new CheckpointException("checkpoint " + checkpointId + " has already committed its merged files");
        }
    }

    private CheckpointException abortedError(String key) {
        return new CheckpointException("checkpoint " + checkpointId + " was aborted"
                + (key == null ? "" : " while a stream of pool " + key + " was writing or waiting for a merged file"));
    }

    @Override
    public String toString() {
        return "CheckpointSession[" + checkpointId + ", " + files.size() + " files]";
    }
}
