package dev.cairn.runtime.sharedstate;

import dev.cairn.checkpoint.CheckpointStorage;
import dev.cairn.checkpoint.CompletedCheckpoint;
import dev.cairn.checkpoint.FileStateHandle;
import dev.cairn.checkpoint.ForwardingCheckpointStorage;
import dev.cairn.checkpoint.IncrementalKeyedStateHandle;
import dev.cairn.checkpoint.SegmentStateHandle;
import dev.cairn.checkpoint.StateHandle;
import dev.cairn.checkpoint.StreamStateHandle;
import dev.cairn.runtime.storage.FileCheckpointStorage;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Reference counts of the shared files of incremental checkpoints ({@link IncrementalKeyedStateHandle#sharedState()}),
 * keyed by file location, and of the merged physical files that any of a checkpoint's segments lie in
 * ({@link SegmentStateHandle}, keyed by physical file). A completed checkpoint is registered with all its shared files; when a
 * checkpoint is discarded it is unregistered, and exactly the files that no registered checkpoint
 * refers to any more are deleted, never earlier and never leaked. Files of a checkpoint restored
 * without claiming it ({@code NO_CLAIM}) belong to whoever wrote it and are never deleted.
 *
 * <p>Unlike Flink 2.x's registry, which keeps the last checkpoint that used a file and deletes by the
 * lowest retained id, this one counts the checkpoints that refer to a file, so it does not assume
 * that retained checkpoints form a contiguous suffix of ids. Inline streams live in the metadata
 * and are not tracked. Thread-safe; deletion runs outside the lock.
 */
public final class SharedStateRegistry {
    private static final System.Logger LOG = System.getLogger(SharedStateRegistry.class.getName());

    private final Function<List<StreamStateHandle>, List<StreamStateHandle>> deleter;
    private final Listener listener;
    private final Map<String, Entry> entries = new HashMap<>();
    private final Map<Long, Set<String>> byCheckpoint = new HashMap<>();

    /** One shared file: its handle, the checkpoints referring to it, and whether it may ever be deleted. */
    private static final class Entry {
        final StreamStateHandle handle;
        final Set<Long> checkpoints = new TreeSet<>();
        boolean protectedFromDeletion;

        Entry(StreamStateHandle handle) {
            this.handle = handle;
        }
    }

    /** What the storage behind a registry learns besides deletions: which checkpoints are registered. */
    public interface Listener {
        /** {@code checkpoint} is registered (also again, and also a restored one). */
        void registered(CompletedCheckpoint checkpoint);

        /** Checkpoint {@code checkpointId} is no longer registered. */
        void unregistered(long checkpointId);
    }

    private static final Listener NO_LISTENER = new Listener() {
        @Override
        public void registered(CompletedCheckpoint checkpoint) {
        }

        @Override
        public void unregistered(long checkpointId) {
        }
    };

    /** A registry that deletes an unreferenced shared file with {@code deleter}. */
    public SharedStateRegistry(Consumer<StreamStateHandle> deleter) {
        this(deleter, NO_LISTENER);
    }

    /** A registry that deletes with {@code deleter} and tells {@code listener} what it registers. */
    public SharedStateRegistry(Consumer<StreamStateHandle> deleter, Listener listener) {
        this(oneByOne(Objects.requireNonNull(deleter, "deleter")), listener);
    }

    /**
     * A registry that deletes all the files a discarded checkpoint leaves unused in one call of
     * {@code deleter}, which returns the ones it deleted (e.g. one bulk request on an object store).
     */
    private SharedStateRegistry(Function<List<StreamStateHandle>, List<StreamStateHandle>> deleter,
            Listener listener) {
        this.deleter = deleter;
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    private static Function<List<StreamStateHandle>, List<StreamStateHandle>> oneByOne(
            Consumer<StreamStateHandle> deleter) {
        return handles -> {
            List<StreamStateHandle> deleted = new ArrayList<>();
            for (StreamStateHandle handle : handles) {
                try {
                    deleter.accept(handle);
                    deleted.add(handle);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "deleting the unused shared file " + handle + " failed", e);
                }
            }
            return deleted;
        };
    }

    /**
     * A registry for {@code storage}: with {@link FileCheckpointStorage} it deletes shared files and
     * merged physical files through it ({@link FileCheckpointStorage#deleteShared}), and only files
     * inside its {@code shared/} directory; with any other storage it deletes nothing (state kept
     * inline needs no deletion). Decorators ({@link ForwardingCheckpointStorage}) are looked through.
     */
    public static SharedStateRegistry forStorage(CheckpointStorage storage) {
        if (ForwardingCheckpointStorage.unwrap(storage) instanceof FileCheckpointStorage fs) {
            return new SharedStateRegistry((List<StreamStateHandle> handles) -> fs.deleteShared(handles), new Listener() {
                @Override
                public void registered(CompletedCheckpoint checkpoint) {
                    fs.sharedStateRegistered(checkpoint);
                }

                @Override
                public void unregistered(long checkpointId) {
                    fs.sharedStateUnregistered(checkpointId);
                }
            });
        }
        return new SharedStateRegistry(handle -> { });
    }

    /**
     * The shared file streams of {@code checkpoint} by location, and the merged physical files of
     * all its segments (of any scope) by physical location, each with its first segment; inline
     * streams are not tracked.
     */
    public static Map<String, StreamStateHandle> sharedFiles(CompletedCheckpoint checkpoint) {
        Map<String, StreamStateHandle> files = new LinkedHashMap<>();
        for (StateHandle handle : checkpoint.metadata().allHandles()) {
            for (StreamStateHandle stream : handle.streams()) {
                if (stream instanceof SegmentStateHandle segment) {
                    files.putIfAbsent(segment.physicalLocation(), segment);
                }
            }
            if (handle instanceof IncrementalKeyedStateHandle inc) {
                for (StreamStateHandle stream : inc.sharedState().values()) {
                    if (stream instanceof FileStateHandle file) {
                        files.putIfAbsent(file.location(), file);
                    }
                }
            }
        }
        return files;
    }

    /** Registers a completed checkpoint's shared files; registering the same checkpoint again changes nothing. */
    public void register(CompletedCheckpoint checkpoint) {
        register(checkpoint, false);
    }

    /**
     * Registers a checkpoint a run restores from. If it is not {@code claimed}, its files are never
     * deleted by this registry, even when no checkpoint refers to them any more.
     */
    public void registerRestored(CompletedCheckpoint checkpoint, boolean claimed) {
        register(checkpoint, !claimed);
    }

    private void register(CompletedCheckpoint checkpoint, boolean protect) {
        count(checkpoint, protect);
        listener.registered(checkpoint);
    }

    private synchronized void count(CompletedCheckpoint checkpoint, boolean protect) {
        long id = checkpoint.checkpointId();
        Map<String, StreamStateHandle> files = sharedFiles(checkpoint);
        Set<String> keys = byCheckpoint.computeIfAbsent(id, k -> new HashSet<>());
        for (Map.Entry<String, StreamStateHandle> f : files.entrySet()) {
            Entry e = entries.computeIfAbsent(f.getKey(), k -> new Entry(f.getValue()));
            if (!(e.handle instanceof SegmentStateHandle) && e.handle.stateSize() != f.getValue().stateSize()) {
                throw new IllegalStateException("shared file " + f.getKey() + " is registered with "
                        + e.handle.stateSize() + " bytes, but checkpoint " + id + " refers to it with "
                        + f.getValue().stateSize() + " bytes");
            }
            e.checkpoints.add(id);
            e.protectedFromDeletion |= protect;
            keys.add(f.getKey());
        }
    }

    /**
     * Unregisters checkpoint {@code checkpointId} and returns the shared files no registered checkpoint
     * refers to any more (and that are not protected); they are forgotten, not yet deleted.
     */
    public List<StreamStateHandle> unregister(long checkpointId) {
        List<StreamStateHandle> unused = uncount(checkpointId);
        listener.unregistered(checkpointId);
        return unused;
    }

    private synchronized List<StreamStateHandle> uncount(long checkpointId) {
        Set<String> keys = byCheckpoint.remove(checkpointId);
        if (keys == null) {
            return List.of();
        }
        List<StreamStateHandle> unused = new ArrayList<>();
        for (String key : keys) {
            Entry e = entries.get(key);
            e.checkpoints.remove(checkpointId);
            if (e.checkpoints.isEmpty() && !e.protectedFromDeletion) {
                entries.remove(key);
                unused.add(e.handle);
            }
        }
        return unused;
    }

    /**
     * {@link #unregister(long) Unregisters} checkpoint {@code checkpointId} and deletes the files that
     * became unused; a failed deletion is logged and does not stop the others.
     *
     * @return the files that were deleted
     */
    public List<StreamStateHandle> unregisterAndDelete(long checkpointId) {
        List<StreamStateHandle> unused = unregister(checkpointId);
        return unused.isEmpty() ? List.of() : deleter.apply(unused);
    }

    /** Whether a file at {@code location} is registered. */
    public synchronized boolean isRegistered(String location) {
        return entries.containsKey(location);
    }

    /** The locations of all registered shared files. */
    public synchronized Set<String> registeredLocations() {
        return Set.copyOf(entries.keySet());
    }

    /** How many registered checkpoints refer to the file at {@code location}. */
    public synchronized int referenceCount(String location) {
        Entry e = entries.get(location);
        return e == null ? 0 : e.checkpoints.size();
    }

    /** The ids of the registered checkpoints. */
    public synchronized Set<Long> registeredCheckpoints() {
        return Set.copyOf(byCheckpoint.keySet());
    }

    @Override
    public synchronized String toString() {
        return "SharedStateRegistry[" + entries.size() + " files, " + byCheckpoint.size() + " checkpoints]";
    }
}
