package dev.cairn.runtime.dataflow;

import dev.cairn.blob.ByteArraySeekableInputStream;
import dev.cairn.checkpoint.CheckpointStateOutputStream;
import dev.cairn.checkpoint.CheckpointStreamFactory;
import dev.cairn.checkpoint.CheckpointedStateScope;
import dev.cairn.checkpoint.InlineStateHandle;
import dev.cairn.checkpoint.OperatorStateHandle;
import dev.cairn.error.CorruptCheckpointException;
import dev.cairn.error.StorageException;
import dev.cairn.format.snapshot.OperatorSnapshotReader;
import dev.cairn.format.snapshot.OperatorSnapshotWriter;
import dev.cairn.format.snapshot.OperatorStateMetaInfo;
import dev.cairn.serialization.Serializers;
import dev.cairn.serialization.TypeSerializer;
import dev.cairn.state.ListStateDescriptor;
import dev.cairn.state.RedistributionMode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * In-flight records persisted by an unaligned checkpoint, stored as operator union list state under a
 * reserved name. Each element is {@code kind:int8 edgeIndex:int32 record}, the record written with the
 * edge's serializer: {@link #INPUT} records were received on input edge {@code edgeIndex} after the
 * snapshot but before that channel's barrier; {@link #OUTPUT} records were queued on output edge
 * {@code edgeIndex} when the barrier overtook them. On restore every subtask sees all elements (union) and
 * replays those the edge's partitioner routes to it at the new parallelism, before any new input.
 */
final class ChannelState {
    /** The reserved operator state name. */
    static final String STATE_NAME = "cairn.channel-state";
    static final ListStateDescriptor<byte[]> DESCRIPTOR = new ListStateDescriptor<>(STATE_NAME, Serializers.BYTES);
    static final byte INPUT = 0;
    static final byte OUTPUT = 1;

    private ChannelState() {
    }

    /** One decoded element. */
    record Element(byte kind, int edgeIndex, byte[] record) {
    }

    @SuppressWarnings("unchecked")
    static byte[] encode(byte kind, int edgeIndex, TypeSerializer<?> serializer, Object record) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(32);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(kind);
            out.writeInt(edgeIndex);
            ((TypeSerializer<Object>) serializer).serialize(record, out);
        } catch (IOException e) {
            throw new UncheckedIOException("serializing an in-flight record of edge " + edgeIndex + " failed", e);
        }
        return bytes.toByteArray();
    }

    /** Decodes an element; {@code edges} is the number of edges of its kind, to refuse foreign indexes. */
    static Element decode(byte[] element, String operatorId, int inputEdges, int outputEdges) {
        String file = "channel state of operator " + operatorId;
        if (element.length < 5) {
            throw new CorruptCheckpointException(file, "element of " + element.length + " bytes is shorter than its header");
        }
        byte kind = element[0];
        int edge = ((element[1] & 0xff) << 24) | ((element[2] & 0xff) << 16) | ((element[3] & 0xff) << 8)
                | (element[4] & 0xff);
        int limit = kind == INPUT ? inputEdges : kind == OUTPUT ? outputEdges : -1;
        if (limit < 0) {
            throw new CorruptCheckpointException(file, "unknown element kind " + kind);
        }
        if (edge < 0 || edge >= limit) {
            throw new CorruptCheckpointException(file, "edge index " + edge + " outside [0, " + limit
                    + ") of the job graph; was the graph changed?");
        }
        byte[] record = java.util.Arrays.copyOfRange(element, 5, element.length);
        return new Element(kind, edge, record);
    }

    static Object deserialize(Element element, TypeSerializer<?> serializer, String operatorId) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(element.record()))) {
            Object record = serializer.deserialize(in);
            if (in.available() != 0) {
                throw new CorruptCheckpointException("channel state of operator " + operatorId, in.available()
                        + " bytes left after an in-flight record read by " + serializer.snapshot());
            }
            return record;
        } catch (IOException e) {
            throw new CorruptCheckpointException("channel state of operator " + operatorId,
                    "an in-flight record cannot be read by " + serializer.snapshot() + ": " + e, e);
        }
    }

    /**
     * Writes the operator state captured in memory at the barrier plus the channel state {@code elements}
     * as one operator-state stream of {@code streams}; {@code null} if there is neither. An empty channel
     * state is left out entirely, so an operator holds union state only while it has records in flight.
     */
    static OperatorStateHandle combine(OperatorStateHandle captured, List<byte[]> elements,
            CheckpointStreamFactory streams, String operatorId) {
        List<OperatorStateMetaInfo> metas = new ArrayList<>();
        List<List<byte[]>> contents = new ArrayList<>();
        if (captured != null) {
            if (!(captured.delegate() instanceof InlineStateHandle inline)) {
                throw new IllegalStateException("captured operator state of " + operatorId + " is not in memory");
            }
            try (OperatorSnapshotReader reader = OperatorSnapshotReader.open(captured,
                    h -> new ByteArraySeekableInputStream(inline.unsafeData()), operatorId)) {
                for (OperatorStateMetaInfo meta : reader.states()) {
                    if (meta.name().equals(STATE_NAME)) {
                        continue;
                    }
                    metas.add(meta);
                    contents.add(captured.states().containsKey(meta.name()) ? reader.readElements(meta.name())
                            : List.of());
                }
            }
        }
        if (!elements.isEmpty()) {
            metas.add(new OperatorStateMetaInfo(STATE_NAME, RedistributionMode.UNION, Serializers.BYTES.snapshot()));
            contents.add(List.of());
        }
        if (metas.isEmpty()) {
            return null;
        }
        int channelIndex = elements.isEmpty() ? -1 : metas.size() - 1;
        try (CheckpointStateOutputStream out = streams.createOutputStream(CheckpointedStateScope.EXCLUSIVE)) {
            OperatorSnapshotWriter writer = new OperatorSnapshotWriter(out, metas);
            for (int i = 0; i < metas.size(); i++) {
                for (byte[] element : contents.get(i)) {
                    writer.addSerialized(i, element);
                }
                if (i == channelIndex) {
                    for (byte[] element : elements) {
                        writer.add(i, Serializers.BYTES, element);
                    }
                }
            }
            return writer.finish();
        } catch (UncheckedIOException e) {
            throw new StorageException("writing the channel state of operator " + operatorId + " failed", e);
        }
    }
}
