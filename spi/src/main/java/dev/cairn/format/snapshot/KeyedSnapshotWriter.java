package dev.cairn.format.snapshot;

import dev.cairn.checkpoint.CheckpointStateOutputStream;
import dev.cairn.checkpoint.KeyGroupsStateHandle;
import dev.cairn.format.Envelope;
import dev.cairn.format.FormatWriter;
import dev.cairn.serialization.TypeSerializer;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Writes a keyed snapshot in the canonical full format every backend reads:
 * <pre>
 * stream  := frame(header) block*            one block per key group of the range, in order
 * frame   := length:int32 envelope
 * header  := envelope(KEYED_HEADER_MAGIC, v1, keySerializer:snap maxParallelism:int32 rangeStart:int32
 *            rangeEnd:int32 codec:int8 stateCount:int32 (name:string type:int8 serializer:snap)*)
 * block   := frame(envelope(KEYED_BLOCK_MAGIC, v1, keyGroup:int32 codec:int8 uncompressedLength:int32 data))
 * data    := sectionCount:int32 (stateIndex:int32 entryCount:int32 (key:bytes value:bytes)*)*
 * snap    := id:string version:int32 nestedCount:int32 snap*
 * </pre>
 * Keys are written with the key serializer, values with the state's {@code stateSerializer()}. The
 * returned handle records the offset of every block so a restore reads only its key groups.
 * The writer does not close the stream; the caller does, after {@link #finish()} committed it.
 */
public final class KeyedSnapshotWriter {
    private final CheckpointStateOutputStream out;
    private final KeyedSnapshotHeader header;
    private final long[] offsets;
    private final ByteArrayOutputStream[] sections;
    private final DataOutputStream[] sectionOutputs;
    private final int[] counts;
    private final ByteArrayOutputStream scratch = new ByteArrayOutputStream(64);
    private final DataOutputStream scratchOut = new DataOutputStream(scratch);
    private int nextKeyGroup;
    private int currentKeyGroup = -1;

    public KeyedSnapshotWriter(CheckpointStateOutputStream out, KeyedSnapshotHeader header) {
        this.out = out;
        this.header = header;
        this.offsets = new long[header.keyGroupRange().size()];
        int n = header.states().size();
        this.sections = new ByteArrayOutputStream[n];
        this.sectionOutputs = new DataOutputStream[n];
        this.counts = new int[n];
        this.nextKeyGroup = header.keyGroupRange().start();
        SnapshotStreams.writeFrame(out, Envelope.seal(SnapshotStreams.KEYED_HEADER_MAGIC, SnapshotStreams.VERSION,
                encodeHeader(header)));
    }

    static byte[] encodeHeader(KeyedSnapshotHeader header) {
        FormatWriter w = new FormatWriter();
        SerializerSnapshotCodec.write(w, header.keySerializer());
        w.writeInt(header.maxParallelism());
        w.writeInt(header.keyGroupRange().start());
        w.writeInt(header.keyGroupRange().end());
        w.writeByte(header.compression().code());
        w.writeInt(header.states().size());
        for (KeyedStateMetaInfo s : header.states()) {
            w.writeString(s.name());
            w.writeByte(s.type().code());
            SerializerSnapshotCodec.write(w, s.serializer());
        }
        return w.toByteArray();
    }

    /** Starts the block of the next key group; key groups are written in order, each exactly once. */
    public void beginKeyGroup(int keyGroup) {
        if (currentKeyGroup >= 0) {
            throw new IllegalStateException("key group " + currentKeyGroup + " was not ended");
        }
        if (keyGroup != nextKeyGroup || !header.keyGroupRange().contains(keyGroup)) {
            throw new IllegalStateException("expected key group " + nextKeyGroup + ", got " + keyGroup);
        }
        currentKeyGroup = keyGroup;
    }

    /** Adds one entry of state {@code stateIndex}, serializing key and value. */
    public <K, V> void add(int stateIndex, TypeSerializer<K> keySerializer, K key, TypeSerializer<V> valueSerializer,
            V value) {
        DataOutputStream section = section(stateIndex);
        try {
            writeSerialized(section, keySerializer, key);
            writeSerialized(section, valueSerializer, value);
        } catch (IOException e) {
            throw new UncheckedIOException("serializing an entry of state '" + header.states().get(stateIndex).name()
                    + "' failed", e);
        }
        counts[stateIndex]++;
    }

    /** Adds one entry whose key is serialized here and whose value is already serialized. */
    public <K> void addSerializedValue(int stateIndex, TypeSerializer<K> keySerializer, K key, byte[] value) {
        DataOutputStream section = section(stateIndex);
        try {
            writeSerialized(section, keySerializer, key);
            section.writeInt(value.length);
            section.write(value);
        } catch (IOException e) {
            throw new UncheckedIOException("serializing a key of state '" + header.states().get(stateIndex).name()
                    + "' failed", e);
        }
        counts[stateIndex]++;
    }

    /** Adds one entry whose key and value are already serialized. */
    public void addSerialized(int stateIndex, byte[] key, byte[] value) {
        DataOutputStream section = section(stateIndex);
        try {
            section.writeInt(key.length);
            section.write(key);
            section.writeInt(value.length);
            section.write(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        counts[stateIndex]++;
    }

    /** Seals and writes the current key group's block. */
    public void endKeyGroup() {
        if (currentKeyGroup < 0) {
            throw new IllegalStateException("no key group was begun");
        }
        FormatWriter data = new FormatWriter();
        int sectionCount = 0;
        for (int c : counts) {
            if (c > 0) {
                sectionCount++;
            }
        }
        data.writeInt(sectionCount);
        byte[] payload;
        ByteArrayOutputStream assembled = new ByteArrayOutputStream(256);
        try {
            assembled.write(data.toByteArray());
            DataOutputStream a = new DataOutputStream(assembled);
            for (int i = 0; i < counts.length; i++) {
                if (counts[i] > 0) {
                    a.writeInt(i);
                    a.writeInt(counts[i]);
                    sections[i].writeTo(a);
                    sections[i].reset();
                    counts[i] = 0;
                }
            }
            a.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        payload = assembled.toByteArray();
        SnapshotCompression codec = header.compression();
        byte[] compressed = codec == SnapshotCompression.NONE ? payload : codec.compress(payload, 0, payload.length);
        FormatWriter body = new FormatWriter();
        body.writeInt(currentKeyGroup).writeByte(codec.code()).writeInt(payload.length);
        byte[] prefix = body.toByteArray();
        byte[] blockBody = new byte[prefix.length + compressed.length];
        System.arraycopy(prefix, 0, blockBody, 0, prefix.length);
        System.arraycopy(compressed, 0, blockBody, prefix.length, compressed.length);
        offsets[currentKeyGroup - header.keyGroupRange().start()] = SnapshotStreams.writeFrame(out,
                Envelope.seal(SnapshotStreams.KEYED_BLOCK_MAGIC, SnapshotStreams.VERSION, blockBody));
        nextKeyGroup = currentKeyGroup + 1;
        currentKeyGroup = -1;
    }

    /** Commits the stream once every key group of the range was written. */
    public KeyGroupsStateHandle finish() {
        if (currentKeyGroup >= 0 || nextKeyGroup != header.keyGroupRange().end() + 1) {
            throw new IllegalStateException("key groups " + nextKeyGroup + ".." + header.keyGroupRange().end()
                    + " were not written");
        }
        return new KeyGroupsStateHandle(header.keyGroupRange(), offsets, out.commit());
    }

    private DataOutputStream section(int stateIndex) {
        if (currentKeyGroup < 0) {
            throw new IllegalStateException("no key group was begun");
        }
        if (stateIndex < 0 || stateIndex >= sections.length) {
            throw new IndexOutOfBoundsException("state index " + stateIndex);
        }
        if (sections[stateIndex] == null) {
            sections[stateIndex] = new ByteArrayOutputStream(256);
            sectionOutputs[stateIndex] = new DataOutputStream(sections[stateIndex]);
        }
        return sectionOutputs[stateIndex];
    }

    private <T> void writeSerialized(DataOutputStream section, TypeSerializer<T> serializer, T value)
            throws IOException {
        scratch.reset();
        serializer.serialize(value, scratchOut);
        scratchOut.flush();
        section.writeInt(scratch.size());
        scratch.writeTo(section);
    }
}
