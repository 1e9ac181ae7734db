package dev.cairn.serialization;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Turns values of one type into bytes and back. Implementations are stateless and
 * thread-safe. A serializer identifies itself by a {@link SerializerSnapshot} (an id
 * and a version, never a class name) that is written next to the state it serialized,
 * so that a restore with an incompatible serializer fails instead of misreading bytes.
 *
 * @param <T> the type of the values; {@code null} is never passed in or returned
 */
public interface TypeSerializer<T> {

    void serialize(T value, DataOutput out) throws IOException;

    T deserialize(DataInput in) throws IOException;

    /**
     * A copy that can be mutated without affecting {@code value}. Immutable types return
     * {@code value} itself (the default).
     */
    default T copy(T value) {
        return value;
    }

    /** What this serializer writes, identified by id and format version. */
    SerializerSnapshot snapshot();

    /**
     * Whether bytes written by the serializer described by {@code previous} can be read
     * by this one. The default accepts exactly the same id, version and nested snapshots.
     */
    default boolean canRead(SerializerSnapshot previous) {
        return snapshot().equals(previous);
    }
}
