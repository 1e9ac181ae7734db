package dev.cairn.checkpoint;

import java.util.Arrays;
import java.util.Objects;

/** State small enough to be stored inside the checkpoint metadata itself. */
public final class InlineStateHandle implements StreamStateHandle {
    private final byte[] data;

    public InlineStateHandle(byte[] data) {
        this.data = Objects.requireNonNull(data, "data").clone();
    }

    /** A copy of the bytes. */
    public byte[] data() {
        return data.clone();
    }

    /** The bytes without a copy; callers must not modify them. */
    public byte[] unsafeData() {
        return data;
    }

    @Override
    public long stateSize() {
        return data.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InlineStateHandle other && Arrays.equals(data, other.data);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "InlineStateHandle[" + data.length + " bytes]";
    }
}
