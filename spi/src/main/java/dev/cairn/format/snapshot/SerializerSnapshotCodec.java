package dev.cairn.format.snapshot;

import dev.cairn.format.FormatReader;
import dev.cairn.format.FormatWriter;
import dev.cairn.serialization.SerializerSnapshot;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes a {@link SerializerSnapshot} as (id, version, nested count, nested...). Reading
 * enforces the id length, the nesting depth and the number of nested snapshots, and never
 * loads a class: the id is only compared by the serializer that restores the state.
 */
public final class SerializerSnapshotCodec {
    /** Most nested snapshots one snapshot may have. */
    public static final int MAX_NESTED = 64;
    private static final int MIN_ENCODED_BYTES = 4 + 1 + 4 + 4;

    private SerializerSnapshotCodec() {
    }

    public static void write(FormatWriter out, SerializerSnapshot snapshot) {
        out.writeString(snapshot.id());
        out.writeInt(snapshot.version());
        out.writeInt(snapshot.nested().size());
        for (SerializerSnapshot n : snapshot.nested()) {
            write(out, n);
        }
    }

    public static SerializerSnapshot read(FormatReader in) {
        return read(in, 0);
    }

    private static SerializerSnapshot read(FormatReader in, int depth) {
        if (depth >= SerializerSnapshot.MAX_DEPTH) {
            throw in.corrupt("serializer snapshot nests deeper than " + SerializerSnapshot.MAX_DEPTH);
        }
        String id = in.readString("serializer id", SerializerSnapshot.MAX_ID_LENGTH * 4);
        if (id.isEmpty() || id.length() > SerializerSnapshot.MAX_ID_LENGTH) {
            throw in.corrupt("serializer id of " + id.length() + " characters outside [1, "
                    + SerializerSnapshot.MAX_ID_LENGTH + "]");
        }
        int version = in.readInt();
        int count = in.readCount("nested serializer count", MIN_ENCODED_BYTES);
        if (count > MAX_NESTED) {
            throw in.corrupt("serializer " + id + " has " + count + " nested serializers, more than " + MAX_NESTED);
        }
        List<SerializerSnapshot> nested = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            nested.add(read(in, depth + 1));
        }
        return new SerializerSnapshot(id, version, nested);
    }
}
