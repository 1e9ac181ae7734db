package dev.cairn.backend.rocksdb;

import dev.cairn.serialization.TypeSerializer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;

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
        private final Out bytes = new Out();
        private final DataOutputStream out = new DataOutputStream(bytes);

        <T> byte[] serialize(TypeSerializer<T> serializer, T value) {
            bytes.reset();
            write(serializer, value);
            return bytes.toByteArray();
        }

        /** Serializes {@code value} after a 4-byte length, the native list element encoding. */
        <T> byte[] lengthPrefixed(TypeSerializer<T> serializer, Iterable<T> values) {
            bytes.reset();
            for (T value : values) {
                int at = bytes.size();
                bytes.write(new byte[4], 0, 4);
                write(serializer, value);
                writeInt(bytes.array(), at, bytes.size() - at - 4);
            }
            return bytes.toByteArray();
        }

        /** {@code isNull|value}, the native map value encoding (and the canonical map's per-entry tail). */
        <T> byte[] nullable(TypeSerializer<T> serializer, T value) {
            bytes.reset();
            try {
                out.writeBoolean(value == null);
                if (value != null) {
                    serializer.serialize(value, out);
                }
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return bytes.toByteArray();
        }

        private <T> void write(TypeSerializer<T> serializer, T value) {
            try {
                serializer.serialize(value, out);
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException("serializing with " + serializer.snapshot() + " failed", e);
            }
        }
    }

    /** Deserializes exactly {@code bytes[off, off+len)}; trailing bytes are an error. */
    static <T> T deserialize(TypeSerializer<T> serializer, byte[] bytes, int off, int len) {
        ByteArrayInputStream in = new ByteArrayInputStream(bytes, off, len);
        try {
            T value = serializer.deserialize(new DataInputStream(in));
            if (in.available() != 0) {
                throw new IllegalStateException(serializer.snapshot() + " left " + in.available() + " of " + len
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

    /** A byte array output stream whose array can be patched in place. */
    private static final class Out extends ByteArrayOutputStream {
        byte[] array() {
            return buf;
        }
    }
}
