package dev.cairn.backend.rocksdb;

import dev.cairn.checkpoint.IncrementalKeyedStateHandle;
import dev.cairn.checkpoint.KeyGroupsStateHandle;
import dev.cairn.checkpoint.KeyedStateHandle;
import dev.cairn.checkpoint.StateHandleReader;
import dev.cairn.checkpoint.StreamStateHandle;
import dev.cairn.error.CorruptCheckpointException;
import dev.cairn.error.IncompatibleStateException;
import dev.cairn.format.snapshot.KeyGroupBlock;
import dev.cairn.format.snapshot.KeyedSnapshotHeader;
import dev.cairn.format.snapshot.KeyedSnapshotReader;
import dev.cairn.format.snapshot.KeyedStateMetaInfo;
import dev.cairn.format.snapshot.SnapshotStreams;
import dev.cairn.keygroup.KeyGroupRange;
import dev.cairn.keygroup.KeyGroups;
import dev.cairn.serialization.SerializerSnapshot;
import dev.cairn.serialization.TypeSerializer;
import dev.cairn.state.StateType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksIterator;

/**
 * Restores a {@link RocksDbKeyedStateBackend} from any mix of incremental and full keyed handles,
 * possibly written at another parallelism. The incremental handle that overlaps the new key-group
 * range most becomes the working database: its files are downloaded (SST files verified), the
 * database is opened on them, and the key groups outside the range are removed with range
 * deletions, not key by key. Other incremental handles are opened in a temporary database and the
 * overlapping key-group range is copied over; full handles are read block by block, only the key
 * groups of the range.
 */
final class RocksDbRestore<K> {
    private final RocksDbKeyedStateBackend<K> backend;
    private final StateHandleReader reader;
    private final KeyGroupRange range;
    private final BitSet seen = new BitSet();
    private int temporaryDatabases;

    RocksDbRestore(RocksDbKeyedStateBackend<K> backend, StateHandleReader reader) {
        this.backend = backend;
        this.reader = reader;
        this.range = backend.keyGroupRange();
    }

    void restore(Collection<KeyedStateHandle> handles) {
        List<IncrementalKeyedStateHandle> incremental = new ArrayList<>();
        List<KeyGroupsStateHandle> full = new ArrayList<>();
        for (KeyedStateHandle handle : handles) {
            if (handle == null) {
                continue;
            }
            if (!(handle instanceof IncrementalKeyedStateHandle) && !(handle instanceof KeyGroupsStateHandle)) {
                throw new IllegalArgumentException("the rocksdb backend restores IncrementalKeyedStateHandle and "
                        + "KeyGroupsStateHandle, not " + handle);
            }
            KeyGroupRange overlap = handle.keyGroupRange().intersection(range);
            if (overlap.isEmpty()) {
                continue;
            }
            for (int kg : overlap) {
                if (seen.get(kg)) {
                    throw new CorruptCheckpointException(describe(handle), "key group " + kg
                            + " is also in another restored handle");
                }
                seen.set(kg);
            }
            if (handle instanceof IncrementalKeyedStateHandle inc) {
                incremental.add(inc);
            } else {
                full.add((KeyGroupsStateHandle) handle);
            }
        }
        IncrementalKeyedStateHandle base = null;
        for (IncrementalKeyedStateHandle h : incremental) {
            if (base == null || overlapSize(h) > overlapSize(base)) {
                base = h;
            }
        }
        Path dbDirectory = backend.databaseDirectory();
        if (base != null) {
            mkdirs(dbDirectory);
            backend.files().download(allFiles(base), dbDirectory, reader);
            SnapshotMetaFormat.Meta meta = readMeta(base);
            backend.database(Database.open(dbDirectory, backend.resources()));
            adopt(base, meta);
            if (!base.keyGroupRange().intersection(range).equals(base.keyGroupRange())) {
                backend.clipTo(range);
            }
            backend.tracker().seed(base.checkpointId(), base.sharedState());
        } else {
            backend.database(Database.open(dbDirectory, backend.resources()));
        }
        for (IncrementalKeyedStateHandle h : incremental) {
            if (h != base) {
                mergeIncremental(h);
            }
        }
        for (KeyGroupsStateHandle h : full) {
            restoreFull(h);
        }
    }

    private int overlapSize(KeyedStateHandle h) {
        return h.keyGroupRange().intersection(range).size();
    }

    private static Map<String, StreamStateHandle> allFiles(IncrementalKeyedStateHandle h) {
        Map<String, StreamStateHandle> all = new LinkedHashMap<>(h.privateState());
        all.putAll(h.sharedState());
        return all;
    }

    private String describe(KeyedStateHandle handle) {
        if (handle instanceof KeyGroupsStateHandle kg) {
            return SnapshotStreams.describe(kg.delegate(), backend.operatorId());
        }
        IncrementalKeyedStateHandle inc = (IncrementalKeyedStateHandle) handle;
        return SnapshotStreams.describe(inc.metaStateHandle(), backend.operatorId());
    }

    private SnapshotMetaFormat.Meta readMeta(IncrementalKeyedStateHandle handle) {
        String source = describe(handle);
        byte[] bytes = SnapshotFiles.readAll(handle.metaStateHandle(), reader, source, SnapshotMetaFormat.MAX_BYTES);
        SnapshotMetaFormat.Meta meta = SnapshotMetaFormat.read(source, bytes);
        if (!meta.keyGroupRange().equals(handle.keyGroupRange())) {
            throw new CorruptCheckpointException(source, "the snapshot covers " + meta.keyGroupRange()
                    + " but its handle claims " + handle.keyGroupRange());
        }
        checkKeys(source, meta.keySerializer(), meta.maxParallelism(), true);
        return meta;
    }

    /**
     * Refuses keys the backend's key serializer cannot read, and a different max parallelism. Keys of
     * an incremental snapshot live inside SST files, so they must be byte-for-byte what the current
     * serializer writes; a full snapshot's keys are re-encoded when the serializers differ.
     */
    private void checkKeys(String source, SerializerSnapshot stored, int storedMaxParallelism, boolean exact) {
        TypeSerializer<K> keySerializer = backend.keySerializer();
        if (!keySerializer.canRead(stored)) {
            throw new IncompatibleStateException("operator " + backend.operatorId() + ": keys in " + source
                    + " were written by key serializer " + stored + ", which " + keySerializer.snapshot()
                    + " cannot read");
        }
        if (exact && !stored.equals(keySerializer.snapshot())) {
            throw new IncompatibleStateException("operator " + backend.operatorId() + ": keys in the incremental "
                    + "snapshot " + source + " were written by key serializer " + stored + "; the rocksdb backend "
                    + "cannot re-encode keys inside SST files for " + keySerializer.snapshot()
                    + " (restore from a savepoint instead)");
        }
        if (storedMaxParallelism != backend.maxParallelism()) {
            throw new IncompatibleStateException("operator " + backend.operatorId() + ": " + source
                    + " was written with max parallelism " + storedMaxParallelism + ", this backend uses "
                    + backend.maxParallelism() + "; key groups cannot be mapped");
        }
    }

    /** Takes over the states of the base snapshot's database; column families it does not name are dropped. */
    private void adopt(IncrementalKeyedStateHandle base, SnapshotMetaFormat.Meta meta) {
        Database db = backend.database();
        String source = describe(base);
        Set<String> unused = new java.util.HashSet<>(db.familyNames());
        for (StateMeta state : meta.states()) {
            ColumnFamilyHandle family = db.family(state.columnFamily());
            if (family == null) {
                throw new CorruptCheckpointException(source, "state '" + state.name() + "' is in column family '"
                        + state.columnFamily() + "', which the snapshot's database does not have");
            }
            unused.remove(state.columnFamily());
            backend.states().put(state.name(), new RocksDbKeyedStateBackend.Entry(state, family, source));
        }
        for (String name : unused) {
            db.drop(name);
        }
    }

    /** The state named {@code incoming.name()}, created with {@code layout} if absent, checked if present. */
    private RocksDbKeyedStateBackend.Entry target(String source, String name, StateType type,
            SerializerSnapshot serializer, Layout layout) {
        RocksDbKeyedStateBackend.Entry e = backend.states().get(name);
        if (e == null) {
            String family = RocksDbKeyedStateBackend.newColumnFamilyName();
            e = new RocksDbKeyedStateBackend.Entry(new StateMeta(name, type, serializer, layout, family),
                    backend.database().create(family), source);
            backend.states().put(name, e);
            return e;
        }
        if (e.meta.type() != type || !e.meta.serializer().equals(serializer)) {
            throw new IncompatibleStateException("operator " + backend.operatorId() + ": state '" + name + "' is "
                    + type + " " + serializer + " in " + source + " but " + e.meta.type() + " "
                    + e.meta.serializer() + " in " + e.source);
        }
        if (e.meta.layout() != layout && layout == Layout.CANONICAL) {
            backend.rewriteCanonical(e);
        }
        return e;
    }

    private void mergeIncremental(IncrementalKeyedStateHandle handle) {
        Path directory = backend.instanceDirectory().resolve("restore-" + temporaryDatabases++);
        mkdirs(directory);
        try {
            backend.files().download(allFiles(handle), directory, reader);
            SnapshotMetaFormat.Meta meta = readMeta(handle);
            String source = describe(handle);
            KeyGroupRange overlap = handle.keyGroupRange().intersection(range);
            try (Database other = Database.open(directory, backend.resources())) {
                for (StateMeta state : meta.states()) {
                    ColumnFamilyHandle from = other.family(state.columnFamily());
                    if (from == null) {
                        throw new CorruptCheckpointException(source, "state '" + state.name()
                                + "' is in column family '" + state.columnFamily()
                                + "', which the snapshot's database does not have");
                    }
                    RocksDbKeyedStateBackend.Entry to = target(source, state.name(), state.type(),
                            state.serializer(), state.layout());
                    if (to.meta.layout() == state.layout()) {
                        copyRaw(other, from, to.family, overlap);
                    } else {
                        copyCanonical(other, from, state, to.family, overlap);
                    }
                }
            }
        } finally {
            RocksDbKeyedStateBackend.deleteRecursively(directory);
        }
    }

    private void copyRaw(Database from, ColumnFamilyHandle source, ColumnFamilyHandle target, KeyGroupRange overlap) {
        try (RocksIterator it = from.db.newIterator(source, backend.resources().readOptions);
                RocksDbKeyedStateBackend<K>.Batch batch = backend.new Batch()) {
            for (it.seek(Keys.keyGroupPrefix(overlap.start())); it.isValid(); it.next()) {
                byte[] key = it.key();
                if (Keys.keyGroupOf(key) > overlap.end()) {
                    break;
                }
                batch.put(target, key, it.value());
            }
        }
    }

    private void copyCanonical(Database from, ColumnFamilyHandle source, StateMeta meta, ColumnFamilyHandle target,
            KeyGroupRange overlap) {
        try (CanonicalCursor cursor = new CanonicalCursor(from.db, source, backend.resources().readOptions, meta,
                overlap.start(), overlap.end()); RocksDbKeyedStateBackend<K>.Batch batch = backend.new Batch()) {
            while (cursor.next()) {
                batch.put(target, Keys.valueKey(cursor.keyGroup(), cursor.key()), cursor.value());
            }
        }
    }

    private void restoreFull(KeyGroupsStateHandle handle) {
        KeyGroupRange overlap = handle.keyGroupRange().intersection(range);
        try (KeyedSnapshotReader in = KeyedSnapshotReader.open(handle, reader, backend.operatorId())) {
            KeyedSnapshotHeader header = in.header();
            checkKeys(in.file(), header.keySerializer(), header.maxParallelism(), false);
            boolean reencode = !header.keySerializer().equals(backend.keySerializerSnapshot());
            List<ColumnFamilyHandle> families = new ArrayList<>(header.states().size());
            for (KeyedStateMetaInfo info : header.states()) {
                families.add(target(in.file(), info.name(), info.type(), info.serializer(),
                        StateMeta.restoredLayout(info.type())).family);
            }
            TypeSerializer<K> keySerializer = backend.keySerializer();
            try (RocksDbKeyedStateBackend<K>.Batch batch = backend.new Batch()) {
                for (int kg : overlap) {
                    KeyGroupBlock block = in.readKeyGroup(kg);
                    for (KeyGroupBlock.StateEntries entries : block.states()) {
                        String state = header.states().get(entries.stateIndex()).name();
                        ColumnFamilyHandle family = families.get(entries.stateIndex());
                        for (int i = 0; i < entries.size(); i++) {
                            byte[] keyBytes = entries.keys().get(i);
                            K key = readKey(keySerializer, keyBytes, in.file(), state);
                            int actual = KeyGroups.keyGroupOf(key, backend.maxParallelism());
                            if (actual != kg) {
                                throw new CorruptCheckpointException(in.file(), "key " + key + " of state '" + state
                                        + "' is stored in key group " + kg + " but hashes to " + actual
                                        + " (is the key's hashCode stable across JVMs?)");
                            }
                            if (reencode) {
                                keyBytes = backend.buffer().serialize(keySerializer, key);
                            }
                            batch.put(family, Keys.valueKey(kg, keyBytes), entries.values().get(i));
                        }
                    }
                }
            }
        }
    }

    private static <K> K readKey(TypeSerializer<K> serializer, byte[] bytes, String file, String state) {
        try {
            K key = Keys.deserialize(serializer, bytes);
            if (key == null) {
                throw new CorruptCheckpointException(file, "a key of state '" + state + "' deserialized to null");
            }
            return key;
        } catch (CorruptCheckpointException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new CorruptCheckpointException(file, "a key of state '" + state + "' cannot be read by "
                    + serializer.snapshot() + ": " + e, e);
        }
    }

    private static void mkdirs(Path directory) {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + directory, e);
        }
    }
}
