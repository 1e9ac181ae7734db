package dev.cairn.checkpoint;

import java.util.Objects;

/** A committed blob holding state; {@code location} is an absolute URI of its blob store. */
public record FileStateHandle(String location, long stateSize) implements StreamStateHandle {
    public FileStateHandle {
        Objects.requireNonNull(location, "location");
        if (stateSize < 0) {
            throw new IllegalArgumentException("negative size " + stateSize + " for " + location);
        }
    }
}
