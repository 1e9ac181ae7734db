package dev.cairn.format.snapshot;

import dev.cairn.blob.SeekableInputStream;
import dev.cairn.checkpoint.KeyGroupsStateHandle;
import dev.cairn.checkpoint.StateHandleReader;
import dev.cairn.error.CorruptCheckpointException;
import dev.cairn.format.Envelope;
import dev.cairn.format.FormatReader;
import dev.cairn.keygroup.KeyGroupRange;
import dev.cairn.keygroup.KeyGroups;
import dev.cairn.serialization.SerializerSnapshot;
import dev.cairn.state.StateDescriptor;
import dev.cairn.state.StateType;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a stream written by {@link KeyedSnapshotWriter}, trusting nothing: the header and every
 * block are checked for magic, version and CRC32C, every length against the stream and every
 * index against the header. Failures are {@link CorruptCheckpointException}s naming the stream
 * (or {@link dev.cairn.error.UnsupportedVersionException} for a newer format).
 */
public final class KeyedSnapshotReader implements AutoCloseable {
    private static final String HEADER = "keyed snapshot header";
    private static final String BLOCK = "keyed snapshot block";

    private final KeyGroupsStateHandle handle;
    private final SeekableInputStream in;
    private final String file;
    private final long streamLength;
    private final long firstBlockOffset;
    private final KeyedSnapshotHeader header;

    private KeyedSnapshotReader(KeyGroupsStateHandle handle, SeekableInputStream in, String file) {
        this.handle = handle;
        this.in = in;
        this.file = file;
        this.streamLength = handle.delegate().stateSize();
        byte[] frame = SnapshotStreams.readFrame(in, file, HEADER, 0, streamLength, SnapshotStreams.MAX_HEADER_BYTES);
        this.firstBlockOffset = 4L + frame.length;
        this.header = decodeHeader(Envelope.open(file, HEADER, frame, SnapshotStreams.KEYED_HEADER_MAGIC,
                SnapshotStreams.VERSION).body());
        if (!header.keyGroupRange().equals(handle.keyGroupRange())) {
            throw new CorruptCheckpointException(file, "the stream covers " + header.keyGroupRange()
                    + " but its handle claims " + handle.keyGroupRange());
        }
    }

    /** Opens the handle's stream and validates its header. */
    public static KeyedSnapshotReader open(KeyGroupsStateHandle handle, StateHandleReader handles, String operatorId) {
        String file = SnapshotStreams.describe(handle.delegate(), operatorId);
        SeekableInputStream in = handles.open(handle.delegate());
        try {
            return new KeyedSnapshotReader(handle, in, file);
        } catch (RuntimeException e) {
            in.close();
            throw e;
        }
    }

    /** The stream's name in errors. */
    public String file() {
        return file;
    }

    public KeyedSnapshotHeader header() {
        return header;
    }

    /** Reads and validates the block of {@code keyGroup}, which must be in the handle's range. */
    public KeyGroupBlock readKeyGroup(int keyGroup) {
        long offset = handle.offsetOf(keyGroup);
        if (offset < firstBlockOffset) {
            throw new CorruptCheckpointException(file, "block offset " + offset + " of key group " + keyGroup
                    + " points into the header");
        }
        byte[] frame = SnapshotStreams.readFrame(in, file, BLOCK + " of key group " + keyGroup, offset, streamLength,
                SnapshotCompression.MAX_BLOCK_BYTES);
        FormatReader body = Envelope.open(file, BLOCK, frame, SnapshotStreams.KEYED_BLOCK_MAGIC,
                SnapshotStreams.VERSION).body();
        int storedGroup = body.readInt();
        if (storedGroup != keyGroup) {
            throw body.corrupt("the block at offset " + offset + " holds key group " + storedGroup + ", expected "
                    + keyGroup);
        }
        int codecCode = body.readUnsignedByte();
        SnapshotCompression codec = SnapshotCompression.ofCode(codecCode);
        if (codec == null) {
            throw body.corrupt("unknown compression codec " + codecCode);
        }
        int uncompressedLength = body.readInt();
        int dataStart = 6 + body.offset();
        byte[] data = codec.decompress(file, frame, dataStart, body.remaining(), uncompressedLength);
        return decodeBlock(keyGroup, new FormatReader(file, BLOCK + " data of key group " + keyGroup, data, 0,
                data.length));
    }

    @Override
    public void close() {
        in.close();
    }

    private KeyGroupBlock decodeBlock(int keyGroup, FormatReader data) {
        int sectionCount = data.readCount("state section count", 8);
        List<KeyGroupBlock.StateEntries> sections = new ArrayList<>(sectionCount);
        boolean[] seen = new boolean[header.states().size()];
        for (int s = 0; s < sectionCount; s++) {
            int stateIndex = data.readInt("state index", 0, header.states().size() - 1);
            if (seen[stateIndex]) {
                throw data.corrupt("state index " + stateIndex + " appears twice in key group " + keyGroup);
            }
            seen[stateIndex] = true;
            int entries = data.readCount("entry count", 8);
            List<byte[]> keys = new ArrayList<>(entries);
            List<byte[]> values = new ArrayList<>(entries);
            for (int e = 0; e < entries; e++) {
                keys.add(data.readBytes("key"));
                values.add(data.readBytes("value"));
            }
            sections.add(new KeyGroupBlock.StateEntries(stateIndex, keys, values));
        }
        data.expectEnd();
        return new KeyGroupBlock(keyGroup, sections);
    }

    private static KeyedSnapshotHeader decodeHeader(FormatReader in) {
        SerializerSnapshot keySerializer = SerializerSnapshotCodec.read(in);
        int maxParallelism = in.readInt("max parallelism", 1, KeyGroups.UPPER_BOUND_MAX_PARALLELISM);
        int start = in.readInt("key-group range start", 0, maxParallelism - 1);
        int end = in.readInt("key-group range end", start - 1, maxParallelism - 1);
        if (end < start && start != 0) {
            throw in.corrupt("invalid key-group range [" + start + ", " + end + "]");
        }
        int codecCode = in.readUnsignedByte();
        SnapshotCompression codec = SnapshotCompression.ofCode(codecCode);
        if (codec == null) {
            throw in.corrupt("unknown compression codec " + codecCode);
        }
        int count = in.readCount("state count", 4 + 1 + 1 + 12);
        List<KeyedStateMetaInfo> states = new ArrayList<>(count);
        java.util.Set<String> names = new java.util.HashSet<>();
        for (int i = 0; i < count; i++) {
            String name = in.readString("state name", StateDescriptor.MAX_NAME_LENGTH * 4);
            if (name.isEmpty() || name.length() > StateDescriptor.MAX_NAME_LENGTH || !names.add(name)) {
                throw in.corrupt("empty or repeated state name '" + name + "'");
            }
            int typeCode = in.readUnsignedByte();
            StateType type = StateType.ofCode(typeCode);
            if (type == null) {
                throw in.corrupt("unknown state type " + typeCode + " of state '" + name + "'");
            }
            states.add(new KeyedStateMetaInfo(name, type, SerializerSnapshotCodec.read(in)));
        }
        in.expectEnd();
        return new KeyedSnapshotHeader(keySerializer, maxParallelism, new KeyGroupRange(start, end), codec, states);
    }
}
