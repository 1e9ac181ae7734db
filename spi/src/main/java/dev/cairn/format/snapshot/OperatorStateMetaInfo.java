package dev.cairn.format.snapshot;

import dev.cairn.serialization.SerializerSnapshot;
import dev.cairn.state.RedistributionMode;
import java.util.Objects;

/**
 * One operator state as a snapshot header records it: name, redistribution mode, and the snapshot
 * of the serializer of one element (the element serializer for list state, the map serializer for
 * broadcast state, whose single element is the whole map).
 */
public record OperatorStateMetaInfo(String name, RedistributionMode mode, SerializerSnapshot serializer) {
    public OperatorStateMetaInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(serializer, "serializer");
    }

    static int modeCode(RedistributionMode mode) {
        return mode.ordinal() + 1;
    }

    static RedistributionMode modeOf(int code) {
        RedistributionMode[] modes = RedistributionMode.values();
        return code >= 1 && code <= modes.length ? modes[code - 1] : null;
    }
}
