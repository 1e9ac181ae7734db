package dev.cairn.format.snapshot;

import dev.cairn.checkpoint.CheckpointStateOutputStream;
import dev.cairn.checkpoint.OperatorStateHandle;
import dev.cairn.format.Envelope;
import dev.cairn.format.FormatWriter;
import dev.cairn.serialization.TypeSerializer;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes the operator state of one subtask in the canonical format:
 * <pre>
 * stream  := frame(header) frame(element)*
 * header  := envelope(OPERATOR_HEADER_MAGIC, v1, stateCount:int32 (name:string mode:int8 serializer:snap)*)
 * element := envelope(OPERATOR_ELEMENT_MAGIC, v1, stateIndex:int32 serializedElement)
 * </pre>
 * Every element is framed and checksummed on its own, and the handle records each element's
 * offset, so a restore at another parallelism hands elements to subtasks by narrowing offsets.
 */
public final class OperatorSnapshotWriter {
    private final CheckpointStateOutputStream out;
    private final List<OperatorStateMetaInfo> states;
    private final long[][] offsets;
    private final int[] counts;
    private final ByteArrayOutputStream scratch = new ByteArrayOutputStream(64);
    private final DataOutputStream scratchOut = new DataOutputStream(scratch);

    public OperatorSnapshotWriter(CheckpointStateOutputStream out, List<OperatorStateMetaInfo> states) {
        this.out = out;
        this.states = List.copyOf(states);
        this.offsets = new long[states.size()][];
        this.counts = new int[states.size()];
        Set<String> names = new HashSet<>();
        FormatWriter w = new FormatWriter();
        w.writeInt(states.size());
        for (int i = 0; i < states.size(); i++) {
            OperatorStateMetaInfo s = states.get(i);
            if (!names.add(s.name())) {
                throw new IllegalArgumentException("state '" + s.name() + "' appears twice");
            }
            w.writeString(s.name());
            w.writeByte(OperatorStateMetaInfo.modeCode(s.mode()));
            SerializerSnapshotCodec.write(w, s.serializer());
            offsets[i] = new long[4];
        }
        SnapshotStreams.writeFrame(out, Envelope.seal(SnapshotStreams.OPERATOR_HEADER_MAGIC, SnapshotStreams.VERSION,
                w.toByteArray()));
    }

    /** Writes one element of state {@code stateIndex}. */
    public <T> void add(int stateIndex, TypeSerializer<T> serializer, T element) {
        scratch.reset();
        try {
            scratchOut.writeInt(stateIndex);
            serializer.serialize(element, scratchOut);
            scratchOut.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("serializing an element of operator state '"
                    + states.get(stateIndex).name() + "' failed", e);
        }
        append(stateIndex, scratch.toByteArray());
    }

    /** Writes one element that is already serialized. */
    public void addSerialized(int stateIndex, byte[] element) {
        byte[] body = new byte[4 + element.length];
        body[0] = (byte) (stateIndex >>> 24);
        body[1] = (byte) (stateIndex >>> 16);
        body[2] = (byte) (stateIndex >>> 8);
        body[3] = (byte) stateIndex;
        System.arraycopy(element, 0, body, 4, element.length);
        append(stateIndex, body);
    }

    /** Commits the stream and returns its handle with every element's offset. */
    public OperatorStateHandle finish() {
        Map<String, OperatorStateHandle.StateMetaInfo> meta = new LinkedHashMap<>();
        for (int i = 0; i < states.size(); i++) {
            meta.put(states.get(i).name(), new OperatorStateHandle.StateMetaInfo(states.get(i).mode(),
                    java.util.Arrays.copyOf(offsets[i], counts[i])));
        }
        return new OperatorStateHandle(meta, out.commit());
    }

    private void append(int stateIndex, byte[] body) {
        if (stateIndex < 0 || stateIndex >= states.size()) {
            throw new IndexOutOfBoundsException("state index " + stateIndex);
        }
        long offset = SnapshotStreams.writeFrame(out, Envelope.seal(SnapshotStreams.OPERATOR_ELEMENT_MAGIC,
                SnapshotStreams.VERSION, body));
        if (counts[stateIndex] == offsets[stateIndex].length) {
            offsets[stateIndex] = java.util.Arrays.copyOf(offsets[stateIndex], counts[stateIndex] * 2);
        }
        offsets[stateIndex][counts[stateIndex]++] = offset;
    }
}
