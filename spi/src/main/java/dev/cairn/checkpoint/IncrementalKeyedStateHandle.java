package dev.cairn.checkpoint;

import dev.cairn.keygroup.KeyGroupRange;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * An incremental keyed snapshot of a backend that keeps its state in immutable files (RocksDB SST
 * files): the files the snapshot consists of, by their local name. {@link #sharedState()} holds
 * files that later checkpoints may reference again (uploaded in {@link CheckpointedStateScope#SHARED}
 * scope, deleted by the shared-state registry once no retained checkpoint refers to them);
 * {@link #privateState()} holds files owned by this checkpoint alone; {@link #metaStateHandle()} says
 * which states the files hold and how. {@link #checkpointedSize()} counts only the bytes this
 * checkpoint uploaded, which is what makes incremental checkpoints visible in statistics.
 */
public final class IncrementalKeyedStateHandle implements KeyedStateHandle {
    /** Longest file name accepted, in characters. */
    public static final int MAX_FILE_NAME_LENGTH = 255;

    private final String backendId;
    private final long checkpointId;
    private final KeyGroupRange keyGroupRange;
    private final Map<String, StreamStateHandle> sharedState;
    private final Map<String, StreamStateHandle> privateState;
    private final StreamStateHandle metaStateHandle;
    private final long checkpointedSize;

    /**
     * @param backendId        identifies the backend instance that wrote the snapshot
     * @param sharedState      file name to handle, for files later checkpoints may reuse
     * @param privateState     file name to handle, for files owned by this checkpoint
     * @param checkpointedSize bytes newly persisted by this checkpoint, at most {@link #stateSize()}
     */
    public IncrementalKeyedStateHandle(String backendId, long checkpointId, KeyGroupRange keyGroupRange,
            Map<String, StreamStateHandle> sharedState, Map<String, StreamStateHandle> privateState,
            StreamStateHandle metaStateHandle, long checkpointedSize) {
        this.backendId = Objects.requireNonNull(backendId, "backendId");
        if (backendId.isEmpty() || backendId.length() > MAX_FILE_NAME_LENGTH) {
            throw new IllegalArgumentException("backend id must have 1.." + MAX_FILE_NAME_LENGTH + " characters");
        }
        if (checkpointId < 0) {
            throw new IllegalArgumentException("negative checkpoint id " + checkpointId);
        }
        this.checkpointId = checkpointId;
        this.keyGroupRange = Objects.requireNonNull(keyGroupRange, "keyGroupRange");
        this.sharedState = copy(sharedState, "shared");
        this.privateState = copy(privateState, "private");
        for (String name : this.sharedState.keySet()) {
            if (this.privateState.containsKey(name)) {
                throw new IllegalArgumentException("file '" + name + "' is both shared and private");
            }
        }
        this.metaStateHandle = Objects.requireNonNull(metaStateHandle, "metaStateHandle");
        if (checkpointedSize < 0 || checkpointedSize > stateSize()) {
            throw new IllegalArgumentException("checkpointed size " + checkpointedSize + " outside [0, "
                    + stateSize() + "]");
        }
        this.checkpointedSize = checkpointedSize;
    }

    /** Why {@code name} cannot be the name of a snapshot file, or {@code null} if it can. */
    public static String fileNameProblem(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_FILE_NAME_LENGTH) {
            return "must have 1.." + MAX_FILE_NAME_LENGTH + " characters";
        }
        if (name.equals(".") || name.equals("..")) {
            return "is a relative directory reference";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == '\\' || c < 0x20 || c == 0x7F) {
                return "contains a path separator or control character";
            }
        }
        return null;
    }

    private static Map<String, StreamStateHandle> copy(Map<String, StreamStateHandle> files, String what) {
        Objects.requireNonNull(files, what + " files");
        TreeMap<String, StreamStateHandle> sorted = new TreeMap<>();
        for (Map.Entry<String, StreamStateHandle> e : files.entrySet()) {
            String problem = fileNameProblem(e.getKey());
            if (problem != null) {
                throw new IllegalArgumentException(what + " file name '" + e.getKey() + "' " + problem);
            }
            sorted.put(e.getKey(), Objects.requireNonNull(e.getValue(), "handle of " + e.getKey()));
        }
        return Collections.unmodifiableMap(sorted);
    }

    public String backendId() {
        return backendId;
    }

    public long checkpointId() {
        return checkpointId;
    }

    @Override
    public KeyGroupRange keyGroupRange() {
        return keyGroupRange;
    }

    /** Files later checkpoints may reference, by local file name, sorted by name. */
    public Map<String, StreamStateHandle> sharedState() {
        return sharedState;
    }

    /** Files owned by this checkpoint alone, by local file name, sorted by name. */
    public Map<String, StreamStateHandle> privateState() {
        return privateState;
    }

    public StreamStateHandle metaStateHandle() {
        return metaStateHandle;
    }

    @Override
    public long stateSize() {
        long size = metaStateHandle.stateSize();
        for (StreamStateHandle h : sharedState.values()) {
            size += h.stateSize();
        }
        for (StreamStateHandle h : privateState.values()) {
            size += h.stateSize();
        }
        return size;
    }

    @Override
    public long checkpointedSize() {
        return checkpointedSize;
    }

    /** The meta-data stream, then the private files, then the shared files. */
    @Override
    public List<StreamStateHandle> streams() {
        List<StreamStateHandle> all = new ArrayList<>(1 + privateState.size() + sharedState.size());
        all.add(metaStateHandle);
        all.addAll(privateState.values());
        all.addAll(sharedState.values());
        return all;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IncrementalKeyedStateHandle other && checkpointId == other.checkpointId
                && checkpointedSize == other.checkpointedSize && backendId.equals(other.backendId)
                && keyGroupRange.equals(other.keyGroupRange) && sharedState.equals(other.sharedState)
                && privateState.equals(other.privateState) && metaStateHandle.equals(other.metaStateHandle);
    }

    @Override
    public int hashCode() {
        return Objects.hash(backendId, checkpointId, keyGroupRange, sharedState, privateState, metaStateHandle,
                checkpointedSize);
    }

    @Override
    public String toString() {
        return "IncrementalKeyedStateHandle[" + backendId + ", checkpoint " + checkpointId + ", " + keyGroupRange
                + ", " + sharedState.size() + " shared, " + privateState.size() + " private, " + checkpointedSize
                + " of " + stateSize() + " bytes new]";
    }
}
