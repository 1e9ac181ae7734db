package dev.cairn.format.snapshot;

import dev.cairn.blob.SeekableInputStream;
import dev.cairn.checkpoint.OperatorStateHandle;
import dev.cairn.checkpoint.StateHandleReader;
import dev.cairn.error.CorruptCheckpointException;
import dev.cairn.format.Envelope;
import dev.cairn.format.FormatReader;
import dev.cairn.state.RedistributionMode;
import dev.cairn.state.StateDescriptor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a stream written by {@link OperatorSnapshotWriter} through the offsets of an
 * {@link OperatorStateHandle}: the header and each element are checked (magic, version, CRC32C,
 * lengths, the element's state index) and failures name the stream.
 */
public final class OperatorSnapshotReader implements AutoCloseable {
    private static final String HEADER = "operator snapshot header";
    private static final String ELEMENT = "operator state element";

    private final OperatorStateHandle handle;
    private final SeekableInputStream in;
    private final String file;
    private final long streamLength;
    private final long firstElementOffset;
    private final Map<String, Integer> indexes = new LinkedHashMap<>();
    private final List<OperatorStateMetaInfo> states;

    private OperatorSnapshotReader(OperatorStateHandle handle, SeekableInputStream in, String file) {
        this.handle = handle;
        this.in = in;
        this.file = file;
        this.streamLength = handle.delegate().stateSize();
        byte[] frame = SnapshotStreams.readFrame(in, file, HEADER, 0, streamLength, SnapshotStreams.MAX_HEADER_BYTES);
        this.firstElementOffset = 4L + frame.length;
        FormatReader body = Envelope.open(file, HEADER, frame, SnapshotStreams.OPERATOR_HEADER_MAGIC,
                SnapshotStreams.VERSION).body();
        int count = body.readCount("state count", 4 + 1 + 1 + 12);
        List<OperatorStateMetaInfo> list = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String name = body.readString("state name", StateDescriptor.MAX_NAME_LENGTH * 4);
            if (name.isEmpty() || indexes.putIfAbsent(name, i) != null) {
                throw body.corrupt("empty or repeated state name '" + name + "'");
            }
            int modeCode = body.readUnsignedByte();
            RedistributionMode mode = OperatorStateMetaInfo.modeOf(modeCode);
            if (mode == null) {
                throw body.corrupt("unknown redistribution mode " + modeCode + " of state '" + name + "'");
            }
            list.add(new OperatorStateMetaInfo(name, mode, SerializerSnapshotCodec.read(body)));
        }
        body.expectEnd();
        this.states = Collections.unmodifiableList(list);
        for (Map.Entry<String, OperatorStateHandle.StateMetaInfo> e : handle.states().entrySet()) {
            Integer index = indexes.get(e.getKey());
            if (index == null) {
                throw new CorruptCheckpointException(file, "the handle names state '" + e.getKey()
                        + "' that the stream does not hold");
            }
            if (states.get(index).mode() != e.getValue().mode()) {
                throw new CorruptCheckpointException(file, "state '" + e.getKey() + "' is " + states.get(index).mode()
                        + " in the stream but " + e.getValue().mode() + " in its handle");
            }
        }
    }

    /** Opens the handle's stream and validates its header against the handle. */
    public static OperatorSnapshotReader open(OperatorStateHandle handle, StateHandleReader handles,
            String operatorId) {
        String file = SnapshotStreams.describe(handle.delegate(), operatorId);
        SeekableInputStream in = handles.open(handle.delegate());
        try {
            return new OperatorSnapshotReader(handle, in, file);
        } catch (RuntimeException e) {
            in.close();
            throw e;
        }
    }

    public String file() {
        return file;
    }

    /** The states the stream holds, in header order. */
    public List<OperatorStateMetaInfo> states() {
        return states;
    }

    /** The header entry of a state the handle names. */
    public OperatorStateMetaInfo state(String name) {
        Integer index = indexes.get(name);
        if (index == null) {
            throw new IllegalArgumentException("no state '" + name + "' in " + file);
        }
        return states.get(index);
    }

    /** The serialized elements of {@code name} at the offsets the handle gives, each validated. */
    public List<byte[]> readElements(String name) {
        OperatorStateHandle.StateMetaInfo meta = handle.states().get(name);
        if (meta == null) {
            throw new IllegalArgumentException("the handle has no state '" + name + "'");
        }
        int index = indexes.get(name);
        long[] offsets = meta.offsets();
        if (meta.mode() == RedistributionMode.BROADCAST && offsets.length > 1) {
            throw new CorruptCheckpointException(file, "broadcast state '" + name + "' has " + offsets.length
                    + " maps in one handle, at most 1 expected");
        }
        List<byte[]> elements = new ArrayList<>(offsets.length);
        for (long offset : offsets) {
            if (offset < firstElementOffset) {
                throw new CorruptCheckpointException(file, "element offset " + offset + " of state '" + name
                        + "' points into the header");
            }
            byte[] frame = SnapshotStreams.readFrame(in, file, ELEMENT + " of state '" + name + "'", offset,
                    streamLength, Integer.MAX_VALUE - 16);
            FormatReader body = Envelope.open(file, ELEMENT, frame, SnapshotStreams.OPERATOR_ELEMENT_MAGIC,
                    SnapshotStreams.VERSION).body();
            int stored = body.readInt();
            if (stored != index) {
                throw body.corrupt("the element at offset " + offset + " belongs to state index " + stored
                        + ", expected " + index + " ('" + name + "')");
            }
            int start = 6 + body.offset();
            elements.add(java.util.Arrays.copyOfRange(frame, start, start + body.remaining()));
        }
        return elements;
    }

    @Override
    public void close() {
        in.close();
    }
}
