package dev.cairn.serialization;

import java.util.List;
import java.util.Objects;

/**
 * The identity of a serializer's byte format: an id (for example {@code cairn.long}), a
 * format version and the snapshots of nested serializers (element, key, value).
 * It is stored with the state; no class is ever loaded from it.
 */
public record SerializerSnapshot(String id, int version, List<SerializerSnapshot> nested) {
    /** Longest id accepted, in characters. */
    public static final int MAX_ID_LENGTH = 256;
    /** Deepest nesting accepted. */
    public static final int MAX_DEPTH = 16;

    public SerializerSnapshot {
        Objects.requireNonNull(id, "id");
        if (id.isEmpty() || id.length() > MAX_ID_LENGTH) {
            throw new IllegalArgumentException("serializer id must have 1.." + MAX_ID_LENGTH + " characters: " + id);
        }
        nested = List.copyOf(nested);
        if (depth(nested) >= MAX_DEPTH) {
            throw new IllegalArgumentException("serializer " + id + " nests deeper than " + MAX_DEPTH);
        }
    }

    public static SerializerSnapshot of(String id, int version, SerializerSnapshot... nested) {
        return new SerializerSnapshot(id, version, List.of(nested));
    }

    private static int depth(List<SerializerSnapshot> nested) {
        int max = 0;
        for (SerializerSnapshot s : nested) {
            max = Math.max(max, 1 + depth(s.nested()));
        }
        return max;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(id).append('@').append(version);
        if (!nested.isEmpty()) {
            sb.append(nested);
        }
        return sb.toString();
    }
}
