package dev.cairn.backend.rocksdb;

import dev.cairn.state.StateType;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksIterator;

/**
 * Walks one state's column family in key order over a key-group range and yields, per key, the
 * key group, the serialized key and the whole value in the canonical snapshot encoding, converting
 * the native list and map layouts without needing their serializers. Used by full snapshots and by
 * rewrites between layouts.
 */
final class CanonicalCursor implements AutoCloseable {
    private final RocksIterator it;
    private final Layout layout;
    private final StateType type;
    private final int lastKeyGroup;
    private int keyGroup;
    private byte[] key;
    private byte[] value;

    CanonicalCursor(RocksDB db, ColumnFamilyHandle family, ReadOptions readOptions, StateMeta meta, int firstKeyGroup,
            int lastKeyGroup) {
        this.it = db.newIterator(family, readOptions);
        this.layout = meta.layout();
        this.type = meta.type();
        this.lastKeyGroup = lastKeyGroup;
        it.seek(Keys.keyGroupPrefix(firstKeyGroup));
    }

    /** Moves to the next key; false at the end of the range. */
    boolean next() {
        if (!it.isValid()) {
            checkStatus();
            return false;
        }
        byte[] k = it.key();
        int kg = Keys.keyGroupOf(k);
        if (kg > lastKeyGroup) {
            return false;
        }
        keyGroup = kg;
        if (layout == Layout.NATIVE && type == StateType.MAP) {
            int prefixLength = Keys.mapPrefixLength(k);
            byte[] prefix = Arrays.copyOf(k, prefixLength);
            key = Arrays.copyOfRange(k, Keys.KEY_GROUP_BYTES + 4, prefixLength);
            ByteArrayOutputStream entries = new ByteArrayOutputStream();
            entries.write(new byte[4], 0, 4);
            int count = 0;
            do {
                byte[] entryKey = it.key();
                entries.write(entryKey, prefixLength, entryKey.length - prefixLength);
                byte[] v = it.value();
                entries.write(v, 0, v.length);
                count++;
                it.next();
            } while (it.isValid() && Keys.startsWith(it.key(), prefix));
            value = entries.toByteArray();
            Keys.writeInt(value, 0, count);
        } else {
            key = Arrays.copyOfRange(k, Keys.KEY_GROUP_BYTES, k.length);
            byte[] v = it.value();
            value = layout == Layout.NATIVE && type == StateType.LIST ? Keys.canonicalList(v) : v;
            it.next();
        }
        return true;
    }

    int keyGroup() {
        return keyGroup;
    }

    byte[] key() {
        return key;
    }

    byte[] value() {
        return value;
    }

    private void checkStatus() {
        try {
            it.status();
        } catch (org.rocksdb.RocksDBException e) {
            throw Database.failure("iterating a column family", e);
        }
    }

    @Override
    public void close() {
        it.close();
    }
}
