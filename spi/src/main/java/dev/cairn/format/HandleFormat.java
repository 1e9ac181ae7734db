package dev.cairn.format;

import dev.cairn.blob.Locations;
import dev.cairn.checkpoint.FileStateHandle;
import dev.cairn.checkpoint.IncrementalKeyedStateHandle;
import dev.cairn.checkpoint.InlineStateHandle;
import dev.cairn.checkpoint.KeyGroupsStateHandle;
import dev.cairn.checkpoint.KeyedStateHandle;
import dev.cairn.checkpoint.OperatorStateHandle;
import dev.cairn.checkpoint.SegmentStateHandle;
import dev.cairn.checkpoint.StateHandle;
import dev.cairn.checkpoint.StreamStateHandle;
import dev.cairn.error.CheckpointException;
import dev.cairn.error.CorruptCheckpointException;
import dev.cairn.keygroup.KeyGroupRange;
import dev.cairn.state.RedistributionMode;
import java.util.LinkedHashMap;
import java.util.TreeMap;
import java.util.Map;
import java.util.Optional;

/**
 * The binary encoding of state handles inside checkpoint metadata. Every handle starts with a
 * numeric type tag (never a class name); file locations are written relative to the checkpoint
 * root and resolved against it on read, refusing any path that would leave it. Reading trusts
 * nothing: counts are checked against the remaining bytes, offsets against the stream size,
 * key-group ranges against the operator's max parallelism.
 */
public final class HandleFormat {
    /** {@link InlineStateHandle}: length-prefixed bytes. */
    public static final int TAG_INLINE = 1;
    /** {@link FileStateHandle}: relative path, size. */
    public static final int TAG_FILE = 2;
    /** {@link KeyGroupsStateHandle}: key-group range, stream handle, one offset per key group. */
    public static final int TAG_KEY_GROUPS = 3;
    /** {@link OperatorStateHandle}: stream handle, named states with mode and offsets. */
    public static final int TAG_OPERATOR_STATE = 4;
    /**
     * {@link IncrementalKeyedStateHandle}: key-group range, backend id, checkpoint id, checkpointed size,
     * meta-data stream handle, private files and shared files (each a count of name and stream handle).
     */
    public static final int TAG_INCREMENTAL_KEYED = 5;
    /** A segment of a merged physical file: relative path, offset, length, CRC32C. */
    public static final int TAG_SEGMENT = 6;

    /** Longest operator id or state name accepted, in UTF-8 bytes. */
    public static final int MAX_NAME_BYTES = 64 * 1024;
    /** Fewest bytes any encoded handle takes (a tag and an empty inline length). */
    public static final int MIN_HANDLE_BYTES = 1 + 4;

    private static final RedistributionMode[] MODES = {
        RedistributionMode.SPLIT, RedistributionMode.UNION, RedistributionMode.BROADCAST};

    private HandleFormat() {
    }

    /**
     * Writes a keyed-state handle.
     *
     * @throws CheckpointException if the handle type has no encoding or a file lies outside {@code root}
     */
    public static void writeKeyed(FormatWriter out, KeyedStateHandle handle, String root) {
        if (handle instanceof KeyGroupsStateHandle kg) {
            out.writeByte(TAG_KEY_GROUPS);
            out.writeInt(kg.keyGroupRange().start()).writeInt(kg.keyGroupRange().end());
            writeStream(out, kg.delegate(), root);
            long[] offsets = kg.offsets();
            out.writeInt(offsets.length);
            for (long offset : offsets) {
                checkOffset(offset, kg.delegate(), "key-group offset");
                out.writeLong(offset);
            }
        } else if (handle instanceof IncrementalKeyedStateHandle inc) {
            out.writeByte(TAG_INCREMENTAL_KEYED);
            out.writeInt(inc.keyGroupRange().start()).writeInt(inc.keyGroupRange().end());
            out.writeString(inc.backendId());
            out.writeLong(inc.checkpointId()).writeLong(inc.checkpointedSize());
            writeStream(out, inc.metaStateHandle(), root);
            writeFiles(out, inc.privateState(), root);
            writeFiles(out, inc.sharedState(), root);
        } else {
            throw new CheckpointException("no metadata encoding for keyed state handle type "
                    + handle.getClass().getName());
        }
    }

    private static void writeFiles(FormatWriter out, Map<String, StreamStateHandle> files, String root) {
        out.writeInt(files.size());
        for (Map.Entry<String, StreamStateHandle> e : files.entrySet()) {
            out.writeString(e.getKey());
            writeStream(out, e.getValue(), root);
        }
    }

    /** Writes an operator-state handle; fails like {@link #writeKeyed}. */
    public static void writeOperator(FormatWriter out, OperatorStateHandle handle, String root) {
        out.writeByte(TAG_OPERATOR_STATE);
        writeStream(out, handle.delegate(), root);
        out.writeInt(handle.states().size());
        for (Map.Entry<String, OperatorStateHandle.StateMetaInfo> e : handle.states().entrySet()) {
            out.writeString(e.getKey());
            out.writeByte(e.getValue().mode().ordinal());
            long[] offsets = e.getValue().offsets();
            out.writeInt(offsets.length);
            for (long offset : offsets) {
                checkOffset(offset, handle.delegate(), "offset of operator state '" + e.getKey() + "'");
                out.writeLong(offset);
            }
        }
    }

    /** Writes a stream handle (inline bytes or a file relative to {@code root}). */
    public static void writeStream(FormatWriter out, StreamStateHandle handle, String root) {
        if (handle instanceof InlineStateHandle inline) {
            out.writeByte(TAG_INLINE);
            out.writeBytes(inline.unsafeData());
        } else if (handle instanceof FileStateHandle file) {
            Optional<String> relative = Locations.relativize(root, file.location());
            if (relative.isEmpty()) {
                throw new CheckpointException("cannot record state file " + file.location()
                        + " in checkpoint metadata: it is not inside the checkpoint root " + Locations.directory(root));
            }
            out.writeByte(TAG_FILE);
            out.writeString(relative.get());
            out.writeLong(file.stateSize());
        } else if (handle instanceof SegmentStateHandle segment) {
            Optional<String> relative = Locations.relativize(root, segment.physicalLocation());
            if (relative.isEmpty()) {
                throw new CheckpointException("cannot record segment of " + segment.physicalLocation()
                        + " in checkpoint metadata: it is not inside the checkpoint root " + Locations.directory(root));
            }
            out.writeByte(TAG_SEGMENT);
            out.writeString(relative.get());
            out.writeLong(segment.offset());
            out.writeLong(segment.length());
            out.writeInt(segment.crc32c());
        } else {
            throw new CheckpointException("no metadata encoding for stream state handle type "
                    + handle.getClass().getName());
        }
    }

    /** Reads a keyed-state handle whose key groups must lie below {@code maxParallelism}. */
    public static KeyedStateHandle readKeyed(FormatReader in, String root, int maxParallelism) {
        int at = in.offset();
        int tag = in.readUnsignedByte();
        if (tag != TAG_KEY_GROUPS && tag != TAG_INCREMENTAL_KEYED) {
            throw unexpectedTag(in, at, tag, "a keyed state handle");
        }
        int start = in.readInt();
        int end = in.readInt();
        if (start < 0 || end < start - 1 || (end == start - 1 && start != 0) || end >= maxParallelism) {
            throw in.corrupt("invalid key-group range [" + start + ", " + end + "] for max parallelism "
                    + maxParallelism);
        }
        KeyGroupRange range = new KeyGroupRange(start, end);
        if (tag == TAG_INCREMENTAL_KEYED) {
            return readIncremental(in, root, range);
        }
        StreamStateHandle delegate = readStream(in, root);
        int count = in.readCount("key-group offset count", 8);
        if (count != range.size()) {
            throw in.corrupt(count + " key-group offsets for the " + range.size() + " key groups of " + range);
        }
        long[] offsets = new long[count];
        for (int i = 0; i < count; i++) {
            offsets[i] = in.readLong("offset of key group " + (start + i), delegate.stateSize());
        }
        return new KeyGroupsStateHandle(range, offsets, delegate);
    }

    private static IncrementalKeyedStateHandle readIncremental(FormatReader in, String root, KeyGroupRange range) {
        String backendId = in.readString("backend id", IncrementalKeyedStateHandle.MAX_FILE_NAME_LENGTH * 4);
        if (backendId.isEmpty() || backendId.length() > IncrementalKeyedStateHandle.MAX_FILE_NAME_LENGTH) {
            throw in.corrupt("backend id of " + backendId.length() + " characters outside [1, "
                    + IncrementalKeyedStateHandle.MAX_FILE_NAME_LENGTH + "]");
        }
        long checkpointId = in.readLong("checkpoint id of an incremental handle", Long.MAX_VALUE);
        long checkpointedSize = in.readLong("checkpointed size of an incremental handle", Long.MAX_VALUE);
        StreamStateHandle meta = readStream(in, root);
        Map<String, StreamStateHandle> privateFiles = readFiles(in, root, "private", Map.of());
        Map<String, StreamStateHandle> sharedFiles = readFiles(in, root, "shared", privateFiles);
        long total = meta.stateSize();
        for (StreamStateHandle h : privateFiles.values()) {
            total = addSize(in, total, h);
        }
        for (StreamStateHandle h : sharedFiles.values()) {
            total = addSize(in, total, h);
        }
        if (checkpointedSize > total) {
            throw in.corrupt("checkpointed size " + checkpointedSize + " of an incremental handle exceeds its "
                    + total + " bytes of state");
        }
        return new IncrementalKeyedStateHandle(backendId, checkpointId, range, sharedFiles, privateFiles, meta,
                checkpointedSize);
    }

    private static long addSize(FormatReader in, long total, StreamStateHandle h) {
        long sum = total + h.stateSize();
        if (sum < 0) {
            throw in.corrupt("the files of an incremental handle add up to more than " + Long.MAX_VALUE + " bytes");
        }
        return sum;
    }

    private static Map<String, StreamStateHandle> readFiles(FormatReader in, String root, String kind,
            Map<String, StreamStateHandle> other) {
        int count = in.readCount(kind + " file count", 4 + 1 + MIN_HANDLE_BYTES);
        Map<String, StreamStateHandle> files = new TreeMap<>();
        for (int i = 0; i < count; i++) {
            String name = in.readString(kind + " file name", IncrementalKeyedStateHandle.MAX_FILE_NAME_LENGTH * 4);
            String problem = IncrementalKeyedStateHandle.fileNameProblem(name);
            if (problem != null) {
                throw in.corrupt(kind + " file name '" + Locations.printable(name) + "' " + problem);
            }
            StreamStateHandle handle = readStream(in, root);
            if (files.put(name, handle) != null || other.containsKey(name)) {
                throw in.corrupt("file '" + name + "' appears twice in an incremental handle");
            }
        }
        return files;
    }

    /** Reads an operator-state handle. */
    public static OperatorStateHandle readOperator(FormatReader in, String root) {
        int at = in.offset();
        int tag = in.readUnsignedByte();
        if (tag != TAG_OPERATOR_STATE) {
            throw unexpectedTag(in, at, tag, "an operator state handle");
        }
        StreamStateHandle delegate = readStream(in, root);
        int states = in.readCount("operator state count", 4 + 1 + 4);
        Map<String, OperatorStateHandle.StateMetaInfo> infos = new LinkedHashMap<>();
        for (int i = 0; i < states; i++) {
            String name = in.readString("operator state name", MAX_NAME_BYTES);
            int mode = in.readUnsignedByte();
            if (mode >= MODES.length) {
                throw in.corrupt("unknown redistribution mode " + mode + " of operator state '" + name + "'");
            }
            int count = in.readCount("offset count of operator state '" + name + "'", 8);
            long[] offsets = new long[count];
            for (int j = 0; j < count; j++) {
                offsets[j] = in.readLong("offset of operator state '" + name + "'", delegate.stateSize());
            }
            if (infos.put(name, new OperatorStateHandle.StateMetaInfo(MODES[mode], offsets)) != null) {
                throw in.corrupt("operator state '" + name + "' appears twice in one handle");
            }
        }
        return new OperatorStateHandle(infos, delegate);
    }

    /** Reads a stream handle, resolving a file path against {@code root}. */
    public static StreamStateHandle readStream(FormatReader in, String root) {
        int at = in.offset();
        int tag = in.readUnsignedByte();
        switch (tag) {
            case TAG_INLINE:
                return new InlineStateHandle(in.readBytes("inline state"));
            case TAG_FILE: {
                String path = in.readString("state file path", Locations.MAX_RELATIVE_PATH_LENGTH * 4);
                Optional<String> problem = Locations.relativePathProblem(path);
                if (problem.isPresent()) {
                    throw in.corrupt("state file path '" + Locations.printable(path) + "' " + problem.get()
                            + "; paths must stay inside the checkpoint root " + Locations.directory(root));
                }
                long size = in.readLong("size of state file " + path, Long.MAX_VALUE);
                return new FileStateHandle(Locations.resolve(root, path), size);
            }
            case TAG_SEGMENT: {
                String path = in.readString("merged file path", Locations.MAX_RELATIVE_PATH_LENGTH * 4);
                Optional<String> problem = Locations.relativePathProblem(path);
                if (problem.isPresent()) {
                    throw in.corrupt("merged file path '" + Locations.printable(path) + "' " + problem.get()
                            + "; paths must stay inside the checkpoint root " + Locations.directory(root));
                }
                long offset = in.readLong("offset of a segment of " + path, Long.MAX_VALUE);
                long length = in.readLong("length of a segment of " + path, Long.MAX_VALUE - offset);
                int crc = in.readInt();
                return new SegmentStateHandle(Locations.resolve(root, path), offset, length, crc);
            }
            default:
                throw unexpectedTag(in, at, tag, "a stream state handle (inline, file or segment)");
        }
    }

    private static CorruptCheckpointException unexpectedTag(FormatReader in, int at, int tag,
            String expected) {
        String known = switch (tag) {
            case TAG_INLINE -> "inline";
            case TAG_FILE -> "file";
            case TAG_KEY_GROUPS -> "key-groups";
            case TAG_OPERATOR_STATE -> "operator-state";
            case TAG_INCREMENTAL_KEYED -> "incremental-keyed";
            case TAG_SEGMENT -> "segment";
            default -> null;
        };
        return in.corrupt("handle type tag " + tag + " at offset " + at
                + (known == null ? " is unknown" : " (" + known + ") is not allowed here")
                + "; expected " + expected);
    }

    private static void checkOffset(long offset, StreamStateHandle delegate, String what) {
        if (offset < 0 || offset > delegate.stateSize()) {
            throw new CheckpointException(what + " " + offset + " outside [0, " + delegate.stateSize() + "] of "
                    + delegate);
        }
    }
}
