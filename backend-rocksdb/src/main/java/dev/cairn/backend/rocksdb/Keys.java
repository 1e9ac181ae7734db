package dev.cairn.backend.rocksdb;

import dev.cairn.serialization.TypeSerializer;
import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Objects;

/** Byte-level helpers for the RocksDB key and value layouts of {@link Layout}. */
final class Keys {
    /** Bytes of the key-group prefix. */
    static final int KEY_GROUP_BYTES = 2;

    private Keys() {
    }

    static byte[] keyGroupPrefix(int keyGroup) {
        return new byte[] {(byte) (keyGroup >>> 8), (byte) keyGroup};
    }

    /** The first key after every key of key groups below {@code keyGroup + 1}; {@code 0xFFFF} is above any key group. */
    static byte[] keyGroupEnd(int keyGroup) {
        return keyGroupPrefix(keyGroup + 1);
    }

    static int keyGroupOf(byte[] rocksKey) {
        return ((rocksKey[0] & 0xFF) << 8) | (rocksKey[1] & 0xFF);
    }

    /** {@code kg|key}. */
    static byte[] valueKey(int keyGroup, byte[] key) {
        byte[] k = new byte[KEY_GROUP_BYTES + key.length];
        k[0] = (byte) (keyGroup >>> 8);
        k[1] = (byte) keyGroup;
        System.arraycopy(key, 0, k, KEY_GROUP_BYTES, key.length);
        return k;
    }

    /** {@code kg|keyLength|key}, the prefix of every map entry of one key. */
    static byte[] mapPrefix(int keyGroup, byte[] key) {
        byte[] k = new byte[KEY_GROUP_BYTES + 4 + key.length];
        k[0] = (byte) (keyGroup >>> 8);
        k[1] = (byte) keyGroup;
        writeInt(k, 2, key.length);
        System.arraycopy(key, 0, k, KEY_GROUP_BYTES + 4, key.length);
        return k;
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    static boolean startsWith(byte[] bytes, byte[] prefix) {
        return bytes.length >= prefix.length && Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length);
    }

    /** The user key of a native map entry's key; {@code prefixLength} is the length of its map prefix. */
    static int mapPrefixLength(byte[] rocksKey) {
        if (rocksKey.length < KEY_GROUP_BYTES + 4) {
            throw new IllegalStateException("map entry key of " + rocksKey.length + " bytes is too short");
        }
        int keyLength = readInt(rocksKey, KEY_GROUP_BYTES);
        if (keyLength < 0 || KEY_GROUP_BYTES + 4 + keyLength > rocksKey.length) {
            throw new IllegalStateException("map entry key declares a key of " + keyLength + " bytes in "
                    + rocksKey.length);
        }
        return KEY_GROUP_BYTES + 4 + keyLength;
    }

    static void writeInt(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    static int readInt(byte[] b, int off) {
        return ((b[off] & 0xFF) << 24) | ((b[off + 1] & 0xFF) << 16) | ((b[off + 2] & 0xFF) << 8) | (b[off + 3] & 0xFF);
    }

    /** A reusable serialization buffer; one per thread of use. */
    static final class Buffer {
        private final Out out = new Out();

        <T> byte[] serialize(TypeSerializer<T> serializer, T value) {
            out.reset();
            write(serializer, value);
            return out.toByteArray();
        }

        /** {@code prefix} followed by the serialized {@code value}, in one array. */
        <T> byte[] serializeAfter(byte[] prefix, TypeSerializer<T> serializer, T value) {
            out.reset();
            out.write(prefix, 0, prefix.length);
            write(serializer, value);
            return out.toByteArray();
        }

        /** Serializes {@code value} after a 4-byte length, the native list element encoding. */
        <T> byte[] lengthPrefixed(TypeSerializer<T> serializer, Iterable<T> values) {
            out.reset();
            for (T value : values) {
                int at = out.size();
                out.writeInt(0);
                write(serializer, value);
                writeInt(out.array(), at, out.size() - at - 4);
            }
            return out.toByteArray();
        }

        /** {@code isNull|value}, the native map value encoding (and the canonical map's per-entry tail). */
        <T> byte[] nullable(TypeSerializer<T> serializer, T value) {
            out.reset();
            out.writeBoolean(value == null);
            if (value != null) {
                write(serializer, value);
            }
            return out.toByteArray();
        }

        private <T> void write(TypeSerializer<T> serializer, T value) {
            try {
                serializer.serialize(value, out);
            } catch (IOException e) {
                throw new UncheckedIOException("serializing with " + serializer.snapshot() + " failed", e);
            }
        }
    }

    /** Deserializes exactly {@code bytes[off, off+len)}; trailing bytes are an error. */
    static <T> T deserialize(TypeSerializer<T> serializer, byte[] bytes, int off, int len) {
        In in = new In(bytes, off, len);
        try {
            T value = serializer.deserialize(in);
            if (in.remaining() != 0) {
                throw new IllegalStateException(serializer.snapshot() + " left " + in.remaining() + " of " + len
                        + " bytes unread");
            }
            return value;
        } catch (IOException e) {
            throw new UncheckedIOException("deserializing with " + serializer.snapshot() + " failed", e);
        }
    }

    static <T> T deserialize(TypeSerializer<T> serializer, byte[] bytes) {
        return deserialize(serializer, bytes, 0, bytes.length);
    }

    /** Counts the length-prefixed elements of a native list value, checking that they fill it exactly. */
    static int countElements(byte[] value) {
        int count = 0;
        int pos = 0;
        while (pos < value.length) {
            if (value.length - pos < 4) {
                throw new IllegalStateException("list value ends inside an element length");
            }
            int len = readInt(value, pos);
            if (len < 0 || len > value.length - pos - 4) {
                throw new IllegalStateException("list element of " + len + " bytes exceeds the value");
            }
            pos += 4 + len;
            count++;
        }
        return count;
    }

    /** The canonical list encoding ({@code count|elements}) of a native list value. */
    static byte[] canonicalList(byte[] value) {
        int count = countElements(value);
        ByteArrayOutputStream out = new ByteArrayOutputStream(value.length - 4 * count + 4);
        byte[] header = new byte[4];
        writeInt(header, 0, count);
        out.write(header, 0, 4);
        int pos = 0;
        while (pos < value.length) {
            int len = readInt(value, pos);
            out.write(value, pos + 4, len);
            pos += 4 + len;
        }
        return out.toByteArray();
    }

    /**
     * A growable byte array written through {@link DataOutput}, unsynchronized (one thread of use) and with no
     * intermediate buffer: what a state access serializes its keys and values into.
     */
    static final class Out implements DataOutput {
        private byte[] buf = new byte[64];
        private int count;

        void reset() {
            count = 0;
        }

        int size() {
            return count;
        }

        byte[] array() {
            return buf;
        }

        byte[] toByteArray() {
            return Arrays.copyOf(buf, count);
        }

        private void ensure(int extra) {
            if (extra > buf.length - count) {
                long needed = (long) count + extra;
                if (needed > Integer.MAX_VALUE - 8) {
                    throw new IllegalStateException("a serialized key or value exceeds " + (Integer.MAX_VALUE - 8)
                            + " bytes");
                }
                buf = Arrays.copyOf(buf, (int) Math.min(Integer.MAX_VALUE - 8, Math.max(needed, 2L * buf.length)));
            }
        }

        @Override
        public void write(int b) {
            ensure(1);
            buf[count++] = (byte) b;
        }

        @Override
        public void write(byte[] b) {
            write(b, 0, b.length);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            Objects.checkFromIndexSize(off, len, b.length);
            ensure(len);
            System.arraycopy(b, off, buf, count, len);
            count += len;
        }

        @Override
        public void writeBoolean(boolean v) {
            write(v ? 1 : 0);
        }

        @Override
        public void writeByte(int v) {
            write(v);
        }

        @Override
        public void writeShort(int v) {
            ensure(2);
            buf[count] = (byte) (v >>> 8);
            buf[count + 1] = (byte) v;
            count += 2;
        }

        @Override
        public void writeChar(int v) {
            writeShort(v);
        }

        @Override
        public void writeInt(int v) {
            ensure(4);
            Keys.writeInt(buf, count, v);
            count += 4;
        }

        @Override
        public void writeLong(long v) {
            ensure(8);
            for (int i = 0; i < 8; i++) {
                buf[count + i] = (byte) (v >>> (56 - 8 * i));
            }
            count += 8;
        }

        @Override
        public void writeFloat(float v) {
            writeInt(Float.floatToIntBits(v));
        }

        @Override
        public void writeDouble(double v) {
            writeLong(Double.doubleToLongBits(v));
        }

        @Override
        public void writeBytes(String s) {
            int len = s.length();
            ensure(len);
            for (int i = 0; i < len; i++) {
                buf[count++] = (byte) s.charAt(i);
            }
        }

        @Override
        public void writeChars(String s) {
            int len = s.length();
            ensure(2 * len);
            for (int i = 0; i < len; i++) {
                writeChar(s.charAt(i));
            }
        }

        @Override
        public void writeUTF(String s) throws IOException {
            ByteArrayOutputStream utf = new ByteArrayOutputStream(s.length() + 2);
            new DataOutputStream(utf).writeUTF(s);
            write(utf.toByteArray());
        }
    }

    /**
     * A {@link DataInput} over {@code bytes[off, off+len)} that allocates nothing per read and signals reading past
     * the end with {@link EOFException}, as a {@code DataInputStream} over the same bytes would.
     */
    static final class In implements DataInput {
        private final byte[] bytes;
        private final int end;
        private int pos;

        In(byte[] bytes, int off, int len) {
            Objects.checkFromIndexSize(off, len, bytes.length);
            this.bytes = bytes;
            this.pos = off;
            this.end = off + len;
        }

        int remaining() {
            return end - pos;
        }

        private int take(int n) throws EOFException {
            if (n > end - pos) {
                EOFException eof = new EOFException("needed " + n + " more bytes, " + (end - pos) + " left");
                pos = end;
                throw eof;
            }
            int at = pos;
            pos += n;
            return at;
        }

        @Override
        public void readFully(byte[] b) throws IOException {
            readFully(b, 0, b.length);
        }

        @Override
        public void readFully(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            System.arraycopy(bytes, take(len), b, off, len);
        }

        @Override
        public int skipBytes(int n) {
            int skipped = Math.max(0, Math.min(n, end - pos));
            pos += skipped;
            return skipped;
        }

        @Override
        public boolean readBoolean() throws IOException {
            return bytes[take(1)] != 0;
        }

        @Override
        public byte readByte() throws IOException {
            return bytes[take(1)];
        }

        @Override
        public int readUnsignedByte() throws IOException {
            return bytes[take(1)] & 0xFF;
        }

        @Override
        public short readShort() throws IOException {
            int at = take(2);
            return (short) (((bytes[at] & 0xFF) << 8) | (bytes[at + 1] & 0xFF));
        }

        @Override
        public int readUnsignedShort() throws IOException {
            return readShort() & 0xFFFF;
        }

        @Override
        public char readChar() throws IOException {
            return (char) readShort();
        }

        @Override
        public int readInt() throws IOException {
            return Keys.readInt(bytes, take(4));
        }

        @Override
        public long readLong() throws IOException {
            int at = take(8);
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (bytes[at + i] & 0xFF);
            }
            return v;
        }

        @Override
        public float readFloat() throws IOException {
            return Float.intBitsToFloat(readInt());
        }

        @Override
        public double readDouble() throws IOException {
            return Double.longBitsToDouble(readLong());
        }

        @Override
        public String readLine() {
            if (pos >= end) {
                return null;
            }
            StringBuilder line = new StringBuilder();
            while (pos < end) {
                char c = (char) (bytes[pos++] & 0xFF);
                if (c == '\n') {
                    break;
                }
                if (c == '\r') {
                    if (pos < end && bytes[pos] == '\n') {
                        pos++;
                    }
                    break;
                }
                line.append(c);
            }
            return line.toString();
        }

        @Override
        public String readUTF() throws IOException {
            return DataInputStream.readUTF(this);
        }
    }
}
