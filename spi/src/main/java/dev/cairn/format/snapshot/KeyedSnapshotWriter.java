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
import java.util.Arrays;
import java.util.zip.CRC32C;

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
    /** The largest block (uncompressed data of one key group) a frame can hold. */
    static final long MAX_BLOCK_BYTES = Integer.MAX_VALUE - 64;
    /** Buffers larger than this are dropped after a block, so one huge key group does not pin its memory. */
    private static final int RETAINED_BUFFER_BYTES = 8 << 20;

    private final CheckpointStateOutputStream out;
    private final KeyedSnapshotHeader header;
    private final long[] offsets;
    private final ByteArrayOutputStream[] sections;
    private final DataOutputStream[] sectionOutputs;
    private final int[] counts;
    private final ByteArrayOutputStream scratch = new ByteArrayOutputStream(64);
    private final Block block = new Block();
    private final Block payload = new Block();
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

    /**
     * Seals and writes the current key group's block. The block is assembled once, in a buffer reused across key
     * groups: frame length, envelope head, block header, data, CRC32C, so a key group's bytes are copied once from
     * the state sections and once more only when compressed.
     */
    public void endKeyGroup() {
        if (currentKeyGroup < 0) {
            throw new IllegalStateException("no key group was begun");
        }
        int sectionCount = 0;
        long dataLength = 4;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] > 0) {
                sectionCount++;
                dataLength += 8L + sections[i].size();
            }
        }
        if (dataLength > MAX_BLOCK_BYTES) {
            throw new IllegalStateException("key group " + currentKeyGroup + " holds " + dataLength
                    + " bytes of state; a block holds at most " + MAX_BLOCK_BYTES);
        }
        SnapshotCompression codec = header.compression();
        block.reset();
        block.writeInt(0);
        block.writeInt(SnapshotStreams.KEYED_BLOCK_MAGIC);
        block.writeShort(SnapshotStreams.VERSION);
        block.writeInt(currentKeyGroup);
        block.writeByte(codec.code());
        block.writeInt((int) dataLength);
        Block data = codec == SnapshotCompression.NONE ? block : payload;
        if (data == payload) {
            payload.reset();
        }
        data.ensure((int) dataLength + 4);
        data.writeInt(sectionCount);
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] > 0) {
                data.writeInt(i);
                data.writeInt(counts[i]);
                data.append(sections[i]);
                sections[i].reset();
                counts[i] = 0;
            }
        }
        if (data == payload) {
            byte[] compressed = codec.compress(payload.array(), 0, payload.size());
            block.write(compressed, 0, compressed.length);
        }
        CRC32C crc = new CRC32C();
        crc.update(block.array(), 4, block.size() - 4);
        block.writeInt((int) crc.getValue());
        block.putInt(0, block.size() - 4);
        long position = out.position();
        out.write(block.array(), 0, block.size());
        offsets[currentKeyGroup - header.keyGroupRange().start()] = position;
        block.shrinkIfLarger(RETAINED_BUFFER_BYTES);
        payload.shrinkIfLarger(RETAINED_BUFFER_BYTES);
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

    /** A growable byte buffer that exposes its array, so a block is written without another copy. */
    private static final class Block extends ByteArrayOutputStream {
        Block() {
            super(4096);
        }

        byte[] array() {
            return buf;
        }

        void writeInt(int v) {
            ensure(4);
            buf[count++] = (byte) (v >>> 24);
            buf[count++] = (byte) (v >>> 16);
            buf[count++] = (byte) (v >>> 8);
            buf[count++] = (byte) v;
        }

        void writeShort(int v) {
            ensure(2);
            buf[count++] = (byte) (v >>> 8);
            buf[count++] = (byte) v;
        }

        void writeByte(int v) {
            ensure(1);
            buf[count++] = (byte) v;
        }

        void putInt(int at, int v) {
            buf[at] = (byte) (v >>> 24);
            buf[at + 1] = (byte) (v >>> 16);
            buf[at + 2] = (byte) (v >>> 8);
            buf[at + 3] = (byte) v;
        }

        void append(ByteArrayOutputStream section) {
            ensure(section.size());
            try {
                section.writeTo(this);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        void shrinkIfLarger(int limit) {
            if (buf.length > limit) {
                buf = new byte[4096];
                count = 0;
            }
        }

        private void ensure(int more) {
            long needed = (long) count + more;
            if (needed > buf.length) {
                long grown = Math.max(needed, Math.min((long) buf.length * 2, Integer.MAX_VALUE - 16));
                buf = Arrays.copyOf(buf, (int) grown);
            }
        }
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
