package dev.cairn.backend.rocksdb;

/**
 * How a state's entries are laid out in its column family. Keys always start with the key group
 * (2 bytes, big-endian), so a key-group range is one contiguous key range.
 * <ul>
 * <li>{@link #NATIVE}: value-like states map {@code kg|key} to the serialized value; list state maps
 * {@code kg|key} to length-prefixed elements appended by the merge operator; map state maps
 * {@code kg|keyLength|key|userKey} to {@code isNull|userValue}, one entry per map key.</li>
 * <li>{@link #CANONICAL}: {@code kg|key} to the whole value in the canonical snapshot encoding
 * (list and map state restored from a full snapshot whose descriptor was not requested yet; it is
 * rewritten to {@link #NATIVE} when it is).</li>
 * </ul>
 */
enum Layout {
    NATIVE(0), CANONICAL(1);

    final int code;

    Layout(int code) {
        this.code = code;
    }

    static Layout ofCode(int code) {
        for (Layout l : values()) {
            if (l.code == code) {
                return l;
            }
        }
        return null;
    }
}
