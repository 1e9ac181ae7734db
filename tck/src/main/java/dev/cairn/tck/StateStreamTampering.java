package dev.cairn.tck;

import dev.cairn.format.Envelope;
import dev.cairn.format.FormatWriter;
import dev.cairn.format.snapshot.SerializerSnapshotCodec;
import dev.cairn.format.snapshot.SnapshotStreams;
import dev.cairn.serialization.SerializerSnapshot;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Byte-level damage for {@link StateBackendTck}: flips, truncation, rewritten lengths and
 * versions, and hand-built frames of the canonical snapshot formats (length-prefixed
 * {@link Envelope}s), so the TCK can hand a backend exactly the bad input it must refuse.
 */
public final class StateStreamTampering {
    private StateStreamTampering() {
    }

    /** A copy with one bit flipped at {@code position}. */
    public static byte[] flipBit(byte[] bytes, int position) {
        byte[] copy = bytes.clone();
        copy[position] ^= 0x10;
        return copy;
    }

    /** The first {@code length} bytes. */
    public static byte[] truncate(byte[] bytes, int length) {
        return Arrays.copyOf(bytes, length);
    }

    /** A copy whose 4-byte length prefix at {@code frameOffset} is replaced. */
    public static byte[] withFrameLength(byte[] bytes, int frameOffset, int length) {
        byte[] copy = bytes.clone();
        ByteBuffer.wrap(copy, frameOffset, 4).putInt(length);
        return copy;
    }

    /** A copy whose envelope at {@code frameOffset} gets another magic number (checksum left stale). */
    public static byte[] withMagic(byte[] bytes, int frameOffset, int magic) {
        byte[] copy = bytes.clone();
        ByteBuffer.wrap(copy, frameOffset + 4, 4).putInt(magic);
        return copy;
    }

    /** A copy whose envelope at {@code frameOffset} carries {@code version}, with a recomputed, valid checksum. */
    public static byte[] withVersion(byte[] bytes, int frameOffset, int version) {
        byte[] copy = bytes.clone();
        int length = ByteBuffer.wrap(copy, frameOffset, 4).getInt();
        int envelope = frameOffset + 4;
        ByteBuffer.wrap(copy, envelope + 4, 2).putShort((short) version);
        CRC32C crc = new CRC32C();
        crc.update(copy, envelope, length - 4);
        ByteBuffer.wrap(copy, envelope + length - 4, 4).putInt((int) crc.getValue());
        return copy;
    }

    /** A length-prefixed, validly sealed envelope around {@code body}. */
    public static byte[] frame(int magic, byte[] body) {
        byte[] sealed = Envelope.seal(magic, SnapshotStreams.VERSION, body);
        return ByteBuffer.allocate(4 + sealed.length).putInt(sealed.length).put(sealed).array();
    }

    /**
     * The body of a keyed snapshot header covering key group {@code keyGroup} only, declaring
     * {@code stateCount} states of which the single one written is {@code name} of type code
     * {@code typeCode}. A {@code stateCount} other than 1 makes the header lie about its size.
     */
    public static byte[] keyedHeaderBody(SerializerSnapshot keySerializer, int maxParallelism, int keyGroup,
            int codec, int stateCount, String name, int typeCode, SerializerSnapshot stateSerializer) {
        FormatWriter w = new FormatWriter();
        SerializerSnapshotCodec.write(w, keySerializer);
        w.writeInt(maxParallelism).writeInt(keyGroup).writeInt(keyGroup).writeByte(codec).writeInt(stateCount);
        w.writeString(name).writeByte(typeCode);
        SerializerSnapshotCodec.write(w, stateSerializer);
        return w.toByteArray();
    }

    /** The body of a key-group block: key group, codec, declared uncompressed length, then {@code data}. */
    public static byte[] blockBody(int keyGroup, int codec, int uncompressedLength, byte[] data) {
        return concat(new FormatWriter().writeInt(keyGroup).writeByte(codec).writeInt(uncompressedLength)
                .toByteArray(), data);
    }

    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.write(p, 0, p.length);
        }
        return out.toByteArray();
    }
}
