package dev.cairn.format.snapshot;

import java.util.List;

/**
 * The validated content of one key group's block: per state that has entries in it, the
 * serialized keys and values (same length, same order).
 */
public record KeyGroupBlock(int keyGroup, List<StateEntries> states) {
    public KeyGroupBlock {
        states = List.copyOf(states);
    }

    /** The entries of the state at {@code stateIndex} of the header. */
    public record StateEntries(int stateIndex, List<byte[]> keys, List<byte[]> values) {
        public StateEntries {
            if (keys.size() != values.size()) {
                throw new IllegalArgumentException(keys.size() + " keys but " + values.size() + " values");
            }
        }

        public int size() {
            return keys.size();
        }
    }
}
