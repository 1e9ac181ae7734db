package dev.cairn.format;

import dev.cairn.checkpoint.CheckpointMetadata;
import dev.cairn.checkpoint.KeyedStateHandle;
import dev.cairn.checkpoint.OperatorSnapshot;
import dev.cairn.checkpoint.OperatorStateHandle;
import dev.cairn.checkpoint.SubtaskSnapshot;
import dev.cairn.error.CheckpointException;
import dev.cairn.error.CorruptCheckpointException;
import dev.cairn.keygroup.KeyGroups;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code _metadata} file of a checkpoint, in an {@link Envelope} (magic {@code CAMD},
 * version 1). Body:
 * <pre>
 * checkpointId:long timestamp:long operatorCount:int
 *   { operatorId:string parallelism:int maxParallelism:int subtaskCount:int
 *     { subtaskIndex:int finished:bool keyedCount:int {keyed handle} operatorCount:int {operator handle} } }
 * </pre>
 * Handles are encoded by {@link HandleFormat}; file locations are stored relative to the
 * checkpoint root given to {@link #write} and {@link #read}. A file larger than the size cap is
 * refused before it is parsed.
 */
public final class MetadataFormat {
    /** {@code "CAMD"}. */
    public static final int MAGIC = 0x43414D44;
    public static final int VERSION = 1;
    public static final String FORMAT_NAME = "checkpoint metadata";
    /** The default cap on the size of a metadata file: 64 MiB. */
    public static final long DEFAULT_MAX_SIZE = 64L * 1024 * 1024;

    private static final int MIN_OPERATOR_BYTES = 4 + 4 + 4 + 4;
    private static final int MIN_SUBTASK_BYTES = 4 + 1 + 4 + 4;

    private MetadataFormat() {
    }

    /**
     * Encodes {@code metadata}, writing file locations relative to {@code rootLocation}.
     *
     * @throws CheckpointException if a handle cannot be encoded, a file lies outside the root,
     *                             or an operator's parallelism, subtask indexes or ids are invalid
     */
    public static byte[] write(CheckpointMetadata metadata, String rootLocation) {
        FormatWriter out = new FormatWriter();
        out.writeLong(metadata.checkpointId()).writeLong(metadata.timestamp());
        out.writeInt(metadata.operators().size());
        Set<String> ids = new HashSet<>();
        for (OperatorSnapshot op : metadata.operators()) {
            String problem = operatorProblem(op.parallelism(), op.maxParallelism());
            if (problem != null || !ids.add(op.operatorId())) {
                throw new CheckpointException("cannot write metadata of checkpoint " + metadata.checkpointId()
                        + ": operator '" + op.operatorId() + "' " + (problem != null ? problem : "appears twice"));
            }
            out.writeString(op.operatorId()).writeInt(op.parallelism()).writeInt(op.maxParallelism());
            out.writeInt(op.subtasks().size());
            BitSet seen = new BitSet();
            for (SubtaskSnapshot st : op.subtasks()) {
                int index = st.subtaskIndex();
                if (index < 0 || index >= op.parallelism() || seen.get(index)) {
                    throw new CheckpointException("cannot write metadata of checkpoint " + metadata.checkpointId()
                            + ": operator '" + op.operatorId() + "' has an invalid or repeated subtask index "
                            + index + " (parallelism " + op.parallelism() + ")");
                }
                seen.set(index);
                out.writeInt(index).writeBoolean(st.finished());
                out.writeInt(st.keyedState().size());
                for (KeyedStateHandle h : st.keyedState()) {
                    if (h.keyGroupRange().end() >= op.maxParallelism()) {
                        throw new CheckpointException("cannot write metadata of checkpoint "
                                + metadata.checkpointId() + ": " + h + " of operator '" + op.operatorId()
                                + "' lies beyond max parallelism " + op.maxParallelism());
                    }
                    HandleFormat.writeKeyed(out, h, rootLocation);
                }
                out.writeInt(st.operatorState().size());
                for (OperatorStateHandle h : st.operatorState()) {
                    HandleFormat.writeOperator(out, h, rootLocation);
                }
            }
        }
        return Envelope.seal(MAGIC, VERSION, out.toByteArray());
    }

    /** {@link #read(String, byte[], String, long)} with the {@link #DEFAULT_MAX_SIZE default size cap}. */
    public static CheckpointMetadata read(String file, byte[] bytes, String rootLocation) {
        return read(file, bytes, rootLocation, DEFAULT_MAX_SIZE);
    }

    /**
     * Decodes and fully validates a metadata file.
     *
     * @param file         named in every error
     * @param rootLocation the checkpoint root that stored file paths are relative to
     * @param maxSize      files larger than this are refused
     * @throws CorruptCheckpointException                   naming {@code file} and the reason
     * @throws dev.cairn.error.UnsupportedVersionException if the file has a newer format version
     */
    public static CheckpointMetadata read(String file, byte[] bytes, String rootLocation, long maxSize) {
        checkSize(file, bytes.length, maxSize);
        FormatReader in = Envelope.open(file, FORMAT_NAME, bytes, MAGIC, VERSION).body();
        long checkpointId = in.readLong("checkpoint id", Long.MAX_VALUE);
        long timestamp = in.readLong();
        int operatorCount = in.readCount("operator count", MIN_OPERATOR_BYTES);
        List<OperatorSnapshot> operators = new ArrayList<>(operatorCount);
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < operatorCount; i++) {
            String id = in.readString("operator id", HandleFormat.MAX_NAME_BYTES);
            if (!ids.add(id)) {
                throw in.corrupt("operator '" + id + "' appears twice");
            }
            int parallelism = in.readInt();
            int maxParallelism = in.readInt();
            String problem = operatorProblem(parallelism, maxParallelism);
            if (problem != null) {
                throw in.corrupt("operator '" + id + "' " + problem);
            }
            int subtaskCount = in.readCount("subtask count of operator '" + id + "'", MIN_SUBTASK_BYTES);
            if (subtaskCount > parallelism) {
                throw in.corrupt("operator '" + id + "' has " + subtaskCount + " subtasks at parallelism "
                        + parallelism);
            }
            List<SubtaskSnapshot> subtasks = new ArrayList<>(subtaskCount);
            BitSet seen = new BitSet(parallelism);
            for (int s = 0; s < subtaskCount; s++) {
                int index = in.readInt("subtask index of operator '" + id + "'", 0, parallelism - 1);
                if (seen.get(index)) {
                    throw in.corrupt("subtask " + index + " of operator '" + id + "' appears twice");
                }
                seen.set(index);
                boolean finished = in.readBoolean();
                int keyedCount = in.readCount("keyed handle count", HandleFormat.MIN_HANDLE_BYTES);
                List<KeyedStateHandle> keyed = new ArrayList<>(keyedCount);
                for (int k = 0; k < keyedCount; k++) {
                    keyed.add(HandleFormat.readKeyed(in, rootLocation, maxParallelism));
                }
                int opCount = in.readCount("operator handle count", HandleFormat.MIN_HANDLE_BYTES);
                List<OperatorStateHandle> opState = new ArrayList<>(opCount);
                for (int k = 0; k < opCount; k++) {
                    opState.add(HandleFormat.readOperator(in, rootLocation));
                }
                subtasks.add(new SubtaskSnapshot(index, keyed, opState, finished));
            }
            operators.add(new OperatorSnapshot(id, parallelism, maxParallelism, subtasks));
        }
        in.expectEnd();
        return new CheckpointMetadata(checkpointId, timestamp, operators);
    }

    /**
     * Refuses a metadata file of {@code length} bytes above {@code maxSize}; call it with the
     * blob's length before reading the bytes, so that a huge file is never loaded.
     */
    public static void checkSize(String file, long length, long maxSize) {
        if (length > maxSize) {
            throw new CorruptCheckpointException(file, FORMAT_NAME + " of " + length
                    + " bytes exceeds the maximum metadata size of " + maxSize + " bytes");
        }
    }

    private static String operatorProblem(int parallelism, int maxParallelism) {
        if (maxParallelism < 1 || maxParallelism > KeyGroups.UPPER_BOUND_MAX_PARALLELISM) {
            return "has max parallelism " + maxParallelism + " outside [1, " + KeyGroups.UPPER_BOUND_MAX_PARALLELISM
                    + "]";
        }
        if (parallelism < 1 || parallelism > maxParallelism) {
            return "has parallelism " + parallelism + " outside [1, " + maxParallelism + "]";
        }
        return null;
    }
}
