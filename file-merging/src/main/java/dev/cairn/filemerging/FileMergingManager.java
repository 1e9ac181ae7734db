package dev.cairn.filemerging;

import dev.cairn.blob.BlobOutputStream;
import dev.cairn.blob.BlobStore;
import dev.cairn.blob.BlobStores;
import dev.cairn.blob.Locations;
import dev.cairn.blob.SupportsAppend;
import dev.cairn.checkpoint.SegmentStateHandle;
import dev.cairn.error.BlobNotFoundException;
import dev.cairn.error.CheckpointException;
import dev.cairn.error.ConfigurationException;
import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Writes the streams of checkpoints as segments of few physical files in one directory of a blob
 * store, and knows every physical file this process wrote or reused: which checkpoints keep it
 * alive, how much of it they refer to, and when it can be deleted.
 *
 * <p>Each checkpoint gets a {@link CheckpointSession}. Its streams take physical files from pools,
 * one per group of {@code maxSubtasksPerFile} subtasks, for shared and exclusive state alike. Merging within checkpoints closes every physical file when its checkpoint commits;
 * merging across checkpoint boundaries reopens committed files ({@link SupportsAppend}) for the
 * next checkpoints until they reach {@code maxFileSize}.
 *
 * <p>The space bound: a checkpoint reuses earlier segments of a physical file, or extends it, only
 * while the file holds at most {@code maxSpaceAmplification} times the bytes of it that the
 * registered checkpoints and this one refer to; a file that fails this is sealed. So after every
 * completed checkpoint each live file is within that factor of what its newest referring checkpoint
 * and the checkpoints retained when it was taken refer to (the module README states and proves it).
 *
 * <p>Deletion: the checkpoint storage's reference counts ({@code SharedStateRegistry}) call
 * {@link #deleteWhenUnused(Collection)} when no registered checkpoint refers to a physical file; a file
 * that a checkpoint in progress has open or reuses is deleted only after that checkpoint is
 * {@linkplain #registered registered} without referring to it, or aborted. Thread-safe.
 */
public final class FileMergingManager implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(FileMergingManager.class.getName());
    private static final int MAX_IDLE_FILES_PER_POOL = 8;
    private static final int COMMIT_THREADS = 8;

    final Object lock = new Object();
    final BlobStore store;
    final FileMergingOptions options;
    final int inlineThreshold;
    private final String directory;
    private final Map<String, PhysicalFile> files = new HashMap<>();
    private final Map<String, Deque<PhysicalFile>> idle = new HashMap<>();
    private final Map<Long, CheckpointSession> sessions = new HashMap<>();
    private final Map<String, Integer> subtaskOrdinals = new HashMap<>();
    private final Map<Long, Map<String, Map<Long, Long>>> referencedByCheckpoint = new HashMap<>();
    private final Set<String> deleting = new HashSet<>();
    private long created;
    private long appends;
    long segments;
    long segmentBytes;
    private long deleted;
    long reuploadsForced;
    long waits;
    long boundExceeded;
    private final Set<String> boundWarned = new HashSet<>();
    int maxOpen;
    private boolean closed;
    private ExecutorService committer;

    /**
     * @param directory       where physical files are created (a directory of {@code store}, ending in {@code /})
     * @param options         enabled options; across-boundary merging falls back as {@link FileMergingOptions#forStore} says
     * @param inlineThreshold streams with fewer bytes become inline handles and take no physical file
     */
    public FileMergingManager(BlobStore store, String directory, FileMergingOptions options, int inlineThreshold) {
        this.store = Objects.requireNonNull(store, "store");
        Objects.requireNonNull(options, "options");
        if (!options.enabled()) {
            throw new ConfigurationException("a file merging manager needs " + FileMergingOptions.ENABLED + "=true");
        }
        options.fallbackReason(store).ifPresent(reason -> LOG.log(Level.WARNING, reason));
        this.options = options.forStore(store);
        this.directory = Locations.directory(directory);
        this.inlineThreshold = inlineThreshold;
    }

    /** The options in effect on this store (across-boundary merging may have fallen back). */
    public FileMergingOptions options() {
        return options;
    }

    /** Where physical files are created, ending in {@code /}. */
    public String directory() {
        return directory;
    }

    /** Whether {@code location} is a physical file of this manager's directory. */
    public boolean manages(String location) {
        return Locations.relativize(directory, location).isPresent();
    }

    /** Starts checkpoint {@code checkpointId}; its streams write through the returned session. */
    public CheckpointSession beginCheckpoint(long checkpointId) {
        synchronized (lock) {
            if (closed) {
                throw new CheckpointException("file merging of " + directory + " is closed");
            }
            if (sessions.containsKey(checkpointId)) {
                throw new CheckpointException("checkpoint " + checkpointId + " already writes merged files");
            }
            CheckpointSession session = new CheckpointSession(this, checkpointId);
            sessions.put(checkpointId, session);
            return session;
        }
    }

    /**
     * Checkpoint {@code checkpointId} is registered with {@code segments}, all segments its metadata
     * refers to: the physical files it kept alive are released, and those no registered checkpoint
     * refers to any more are deleted.
     */
    public void registered(long checkpointId, Collection<SegmentStateHandle> segments) {
        List<PhysicalFile> toDelete = new ArrayList<>();
        synchronized (lock) {
            Map<String, Map<Long, Long>> referenced = group(segments);
            referencedByCheckpoint.put(checkpointId, referenced);
            for (String location : referenced.keySet()) {
                PhysicalFile f = files.get(location);
                if (f != null) {
                    f.deletePending = false;
                }
            }
            CheckpointSession session = sessions.remove(checkpointId);
            if (session != null) {
                session.released();
                for (PhysicalFile f : session.files()) {
                    f.pins.remove(checkpointId);
                    if (f.holder == session) {
                        f.holder = null;
                        f.committedBySession = false;
                        offerIdle(f);
                    }
                }
            }
            collectDeletable(toDelete);
        }
        delete(toDelete);
    }

    /** Checkpoint {@code checkpointId} is no longer registered (subsumed or discarded). */
    public void unregistered(long checkpointId) {
        synchronized (lock) {
            referencedByCheckpoint.remove(checkpointId);
        }
    }

    /**
     * No registered checkpoint refers to the physical files at {@code locations} any more: delete
     * them now (in one bulk request where the store has it), or each once the checkpoints in progress
     * that hold or reuse it have ended without referring to it.
     */
    public void deleteWhenUnused(Collection<String> locations) {
        List<String> now = new ArrayList<>();
        synchronized (lock) {
            for (String location : locations) {
                PhysicalFile f = files.get(location);
                if (f == null) {
                    if (deleting.add(location)) {
                        now.add(location);
                    }
                    continue;
                }
                f.deletePending = true;
                removeIdle(f);
                if (f.deletable()) {
                    files.remove(location);
                    deleting.add(location);
                    now.add(location);
                }
            }
        }
        deleteLocations(now);
    }

    /** The counters and live figures now. */
    public FileMergingStats stats() {
        synchronized (lock) {
            Map<String, Map<Long, Long>> union = new HashMap<>();
            for (Map<String, Map<Long, Long>> byFile : referencedByCheckpoint.values()) {
                byFile.forEach((location, ranges) -> union.computeIfAbsent(location, k -> new HashMap<>())
                        .putAll(ranges));
            }
            long referenced = 0;
            for (Map<Long, Long> ranges : union.values()) {
                referenced += distinctBytes(ranges);
            }
            long physical = 0;
            int live = 0;
            for (PhysicalFile f : files.values()) {
                if (union.containsKey(f.location) || f.holder != null) {
                    physical += f.committedLength;
                    live++;
                }
            }
            return new FileMergingStats(created, appends, segments, segmentBytes, deleted, reuploadsForced, waits,
                    maxOpen, boundExceeded, live, physical, referenced);
        }
    }

    /** Aborts every checkpoint in progress; committed files stay for the checkpoints that refer to them. */
    @Override
    public void close() {
        List<CheckpointSession> open;
        synchronized (lock) {
            closed = true;
            open = new ArrayList<>(sessions.values());
        }
        for (CheckpointSession s : open) {
            s.abort();
        }
        synchronized (lock) {
            if (committer != null) {
                committer.shutdown();
            }
        }
    }

    /** The threads that commit a checkpoint's physical files in parallel, started on first use. */
    Executor committer() {
        synchronized (lock) {
            if (committer == null) {
                AtomicInteger n = new AtomicInteger();
                ThreadPoolExecutor pool = new ThreadPoolExecutor(COMMIT_THREADS, COMMIT_THREADS, 30, TimeUnit.SECONDS,
                        new LinkedBlockingQueue<>(), r -> {
                            Thread t = new Thread(r, "cairn-merged-file-commit-" + n.incrementAndGet());
                            t.setDaemon(true);
                            return t;
                        });
                pool.allowCoreThreadTimeOut(true);
                committer = pool;
            }
            return committer;
        }
    }

    @Override
    public String toString() {
        return "FileMergingManager[" + directory + ", " + options + "]";
    }

    // ---- used by CheckpointSession, under the lock unless said otherwise ----

    /** The pool key of a subtask: its group of {@code maxSubtasksPerFile} subtasks, for shared and exclusive state alike. */
    String poolKey(String operatorId, int subtaskIndex) {
        if (operatorId == null) {
            return "pool-any";
        }
        int ordinal = subtaskOrdinals.computeIfAbsent(operatorId + "#" + subtaskIndex, k -> subtaskOrdinals.size());
        return "pool-" + ordinal / options.maxSubtasksPerFile();
    }

    /** A committed idle file of {@code key} that {@code session} may extend under the space bound, or null. */
    PhysicalFile takeIdle(CheckpointSession session, String key) {
        if (!options.acrossCheckpointBoundary()) {
            return null;
        }
        Deque<PhysicalFile> q = idle.get(key);
        if (q == null) {
            return null;
        }
        for (PhysicalFile f : List.copyOf(q)) {
            if (f.length <= options.maxSpaceAmplification() * windowBytes(f.location, session.referenced(f))) {
                q.remove(f);
                return f;
            }
            f.sealed = true;
            q.remove(f);
        }
        return null;
    }

    /**
     * The bytes of the physical file at {@code location} that the registered checkpoints or
     * {@code more} (ranges of the checkpoint in progress) refer to: what the space bound measures a
     * file against when a checkpoint decides to reuse or extend it, and when it commits.
     */
    long windowBytes(String location, Map<Long, Long> more) {
        Map<Long, Long> ranges = new HashMap<>(more);
        for (Map<String, Map<Long, Long>> byFile : referencedByCheckpoint.values()) {
            Map<Long, Long> r = byFile.get(location);
            if (r != null) {
                r.forEach((offset, length) -> ranges.merge(offset, length, Math::max));
            }
        }
        return distinctBytes(ranges);
    }

    /** Opens a physical file outside the lock: a new one, or {@code reopen} to append to it. */
    PhysicalFile open(String key, PhysicalFile reopen) {
        if (reopen != null) {
            BlobOutputStream out = ((SupportsAppend) store).append(reopen.location, reopen.committedLength);
            synchronized (lock) {
                appends++;
                reopen.out = out;
                reopen.appending = true;
                reopen.openedAt = reopen.committedLength;
                reopen.length = reopen.committedLength;
            }
            return reopen;
        }
        String location = directory + key + "-" + UUID.randomUUID();
        BlobOutputStream out = store.create(location);
        PhysicalFile f = new PhysicalFile(location, key, true, 0);
        synchronized (lock) {
            created++;
            f.out = out;
            files.put(location, f);
        }
        return f;
    }

    /**
     * The physical file at {@code location} with its committed length, looked up in the store if this
     * process has not seen it (a file of an earlier run); null if it does not exist or is being deleted.
     */
    PhysicalFile known(String location) {
        PhysicalFile f = files.get(location);
        if (f != null || deleting.contains(location)) {
            return f;
        }
        long length;
        try {
            length = store.open(location).length();
        } catch (BlobNotFoundException e) {
            return null;
        }
        f = new PhysicalFile(location, null, false, length);
        files.put(location, f);
        return f;
    }

    /** Forgets a file the session created and took back (aborted or deleted). */
    void forget(PhysicalFile f) {
        files.remove(f.location);
        removeIdle(f);
    }

    /** An appended file whose checkpoint was aborted is as it was and can take segments again. */
    void offerIdle(PhysicalFile f) {
        if (!options.acrossCheckpointBoundary() || !f.owned || f.deletePending || f.broken || f.sealed || f.out != null
                || f.length >= options.maxFileSize() || !files.containsKey(f.location)) {
            return;
        }
        Deque<PhysicalFile> q = idle.computeIfAbsent(f.poolKey, k -> new ArrayDeque<>());
        if (!q.contains(f)) {
            q.addFirst(f);
            while (q.size() > MAX_IDLE_FILES_PER_POOL) {
                q.removeLast();
            }
        }
    }

    /**
     * A checkpoint refers to segments of {@code f} it did not write, although the file holds more than
     * the bound allows for them: its backend reused them without asking {@link CheckpointSession#reusable}.
     * The checkpoint is kept (refusing it would refuse every later one too); the file takes no more segments.
     */
    void reusedBeyondBound(PhysicalFile f, long size, long bytes, long checkpointId) {
        f.sealed = true;
        removeIdle(f);
        boundExceeded++;
        if (boundWarned.add(f.location)) {
            LOG.log(Level.WARNING, "checkpoint " + checkpointId + " reuses " + bytes + " bytes of " + f.location
                    + ", which holds " + size + " bytes, more than " + FileMergingOptions.MAX_SPACE_AMPLIFICATION
                    + " = " + options.maxSpaceAmplification() + " allows; its backend reuses state without asking"
                    + " CheckpointStreamFactory.reusable, so the bound cannot be kept for it");
        }
    }

    void sessionEnded(CheckpointSession session) {
        sessions.remove(session.checkpointId(), session);
    }

    void collectDeletable(List<PhysicalFile> into) {
        for (PhysicalFile f : List.copyOf(files.values())) {
            if (f.deletable()) {
                files.remove(f.location);
                deleting.add(f.location);
                into.add(f);
            }
        }
    }

    /** Deletes files outside the lock; a failure is logged, the file stays for the next start's clean-up. */
    void delete(List<PhysicalFile> toDelete) {
        List<String> locations = new ArrayList<>();
        for (PhysicalFile f : toDelete) {
            locations.add(f.location);
        }
        deleteLocations(locations);
    }

    private void deleteLocations(List<String> locations) {
        if (locations.isEmpty()) {
            return;
        }
        try {
            BlobStores.deleteAll(store, locations);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "deleting " + locations.size() + " unused merged files failed (e.g. "
                    + locations.get(0) + "); the next start of the job removes them", e);
        } finally {
            synchronized (lock) {
                locations.forEach(deleting::remove);
                deleted += locations.size();
            }
        }
    }

    private void removeIdle(PhysicalFile f) {
        if (f.poolKey != null) {
            Deque<PhysicalFile> q = idle.get(f.poolKey);
            if (q != null) {
                q.remove(f);
            }
        }
    }

    /** Segments by physical file: offset → length. */
    static Map<String, Map<Long, Long>> group(Collection<SegmentStateHandle> segments) {
        Map<String, Map<Long, Long>> byFile = new HashMap<>();
        for (SegmentStateHandle s : segments) {
            byFile.computeIfAbsent(s.physicalLocation(), k -> new TreeMap<>()).merge(s.offset(), s.length(), Math::max);
        }
        return byFile;
    }

    /** Bytes covered by ranges (offset → length), counting overlaps once. */
    public static long distinctBytes(Map<Long, Long> ranges) {
        long total = 0;
        long covered = 0;
        for (Map.Entry<Long, Long> r : new TreeMap<>(ranges).entrySet()) {
            long start = Math.max(r.getKey(), covered);
            long end = r.getKey() + r.getValue();
            if (end > start) {
                total += end - start;
                covered = end;
            }
        }
        return total;
    }
}
