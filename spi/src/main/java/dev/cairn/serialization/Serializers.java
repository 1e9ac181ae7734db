package dev.cairn.serialization;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The built-in serializers: primitives, strings, byte arrays and list/map composites. */
public final class Serializers {
    /** Largest collection or array length a built-in serializer accepts when reading. */
    public static final int MAX_LENGTH = Integer.MAX_VALUE - 8;

    public static final TypeSerializer<Boolean> BOOLEAN = new Simple<>("cairn.boolean") {
        @Override
        public void serialize(Boolean v, DataOutput out) throws IOException {
            out.writeBoolean(v);
        }

        @Override
        public Boolean deserialize(DataInput in) throws IOException {
            return in.readBoolean();
        }
    };

    public static final TypeSerializer<Integer> INT = new Simple<>("cairn.int") {
        @Override
        public void serialize(Integer v, DataOutput out) throws IOException {
            out.writeInt(v);
        }

        @Override
        public Integer deserialize(DataInput in) throws IOException {
            return in.readInt();
        }
    };

    public static final TypeSerializer<Long> LONG = new Simple<>("cairn.long") {
        @Override
        public void serialize(Long v, DataOutput out) throws IOException {
            out.writeLong(v);
        }

        @Override
        public Long deserialize(DataInput in) throws IOException {
            return in.readLong();
        }
    };

    public static final TypeSerializer<Double> DOUBLE = new Simple<>("cairn.double") {
        @Override
        public void serialize(Double v, DataOutput out) throws IOException {
            out.writeDouble(v);
        }

        @Override
        public Double deserialize(DataInput in) throws IOException {
            return in.readDouble();
        }
    };

    /** UTF-8 with a 4-byte length prefix (no 64 KiB limit, unlike {@code writeUTF}). */
    public static final TypeSerializer<String> STRING = new Simple<>("cairn.string") {
        @Override
        public void serialize(String v, DataOutput out) throws IOException {
            byte[] bytes = v.getBytes(StandardCharsets.UTF_8);
            out.writeInt(bytes.length);
            out.write(bytes);
        }

        @Override
        public String deserialize(DataInput in) throws IOException {
            return new String(readBytes(in), StandardCharsets.UTF_8);
        }
    };

    public static final TypeSerializer<byte[]> BYTES = new Simple<>("cairn.bytes") {
        @Override
        public void serialize(byte[] v, DataOutput out) throws IOException {
            out.writeInt(v.length);
            out.write(v);
        }

        @Override
        public byte[] deserialize(DataInput in) throws IOException {
            return readBytes(in);
        }

        @Override
        public byte[] copy(byte[] value) {
            return value.clone();
        }
    };

    private Serializers() {
    }

    /** A list of non-null elements, written as a count followed by the elements. */
    public static <T> TypeSerializer<List<T>> listOf(TypeSerializer<T> element) {
        return new ListSerializer<>(element);
    }

    /** A map whose values may be {@code null}; iteration order is kept. */
    public static <K, V> TypeSerializer<Map<K, V>> mapOf(TypeSerializer<K> key, TypeSerializer<V> value) {
        return new MapSerializer<>(key, value);
    }

    /**
     * Reads a length prefix and that many bytes. The array grows as bytes arrive, so a
     * corrupt length never allocates more than the input actually holds.
     */
    static byte[] readBytes(DataInput in) throws IOException {
        int len = readLength(in);
        if (len <= 1 << 16) {
            byte[] b = new byte[len];
            in.readFully(b);
            return b;
        }
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream(1 << 16);
        byte[] chunk = new byte[1 << 16];
        int left = len;
        while (left > 0) {
            int n = Math.min(left, chunk.length);
            in.readFully(chunk, 0, n);
            buf.write(chunk, 0, n);
            left -= n;
        }
        return buf.toByteArray();
    }

    static int readLength(DataInput in) throws IOException {
        int len = in.readInt();
        if (len < 0 || len > MAX_LENGTH) {
            throw new IOException("invalid length " + len);
        }
        return len;
    }

    private abstract static class Simple<T> implements TypeSerializer<T> {
        private final SerializerSnapshot snapshot;

        Simple(String id) {
            this.snapshot = SerializerSnapshot.of(id, 1);
        }

        @Override
        public SerializerSnapshot snapshot() {
            return snapshot;
        }

        @Override
        public String toString() {
            return snapshot.toString();
        }
    }

    private static final class ListSerializer<T> implements TypeSerializer<List<T>> {
        private final TypeSerializer<T> element;
        private final SerializerSnapshot snapshot;

        ListSerializer(TypeSerializer<T> element) {
            this.element = element;
            this.snapshot = SerializerSnapshot.of("cairn.list", 1, element.snapshot());
        }

        @Override
        public void serialize(List<T> v, DataOutput out) throws IOException {
            out.writeInt(v.size());
            for (T t : v) {
                element.serialize(t, out);
            }
        }

        @Override
        public List<T> deserialize(DataInput in) throws IOException {
            int n = readLength(in);
            List<T> list = new ArrayList<>(Math.min(n, 1024));
            for (int i = 0; i < n; i++) {
                list.add(element.deserialize(in));
            }
            return list;
        }

        @Override
        public List<T> copy(List<T> value) {
            List<T> copy = new ArrayList<>(value.size());
            for (T t : value) {
                copy.add(element.copy(t));
            }
            return copy;
        }

        @Override
        public SerializerSnapshot snapshot() {
            return snapshot;
        }

        @Override
        public boolean canRead(SerializerSnapshot previous) {
            return previous.id().equals(snapshot.id()) && previous.version() == snapshot.version()
                    && previous.nested().size() == 1 && element.canRead(previous.nested().get(0));
        }
    }

    private static final class MapSerializer<K, V> implements TypeSerializer<Map<K, V>> {
        private final TypeSerializer<K> key;
        private final TypeSerializer<V> value;
        private final SerializerSnapshot snapshot;

        MapSerializer(TypeSerializer<K> key, TypeSerializer<V> value) {
            this.key = key;
            this.value = value;
            this.snapshot = SerializerSnapshot.of("cairn.map", 1, key.snapshot(), value.snapshot());
        }

        @Override
        public void serialize(Map<K, V> v, DataOutput out) throws IOException {
            out.writeInt(v.size());
            for (Map.Entry<K, V> e : v.entrySet()) {
                key.serialize(e.getKey(), out);
                if (e.getValue() == null) {
                    out.writeBoolean(true);
                } else {
                    out.writeBoolean(false);
                    value.serialize(e.getValue(), out);
                }
            }
        }

        @Override
        public Map<K, V> deserialize(DataInput in) throws IOException {
            int n = readLength(in);
            Map<K, V> map = new LinkedHashMap<>(Math.min(n, 1024) * 2);
            for (int i = 0; i < n; i++) {
                K k = key.deserialize(in);
                V v = in.readBoolean() ? null : value.deserialize(in);
                map.put(k, v);
            }
            return map;
        }

        @Override
        public Map<K, V> copy(Map<K, V> v) {
            Map<K, V> copy = new LinkedHashMap<>(v.size() * 2);
            for (Map.Entry<K, V> e : v.entrySet()) {
                copy.put(key.copy(e.getKey()), e.getValue() == null ? null : value.copy(e.getValue()));
            }
            return copy;
        }

        @Override
        public SerializerSnapshot snapshot() {
            return snapshot;
        }

        @Override
        public boolean canRead(SerializerSnapshot previous) {
            return previous.id().equals(snapshot.id()) && previous.version() == snapshot.version()
                    && previous.nested().size() == 2 && key.canRead(previous.nested().get(0))
                    && value.canRead(previous.nested().get(1));
        }
    }
}
