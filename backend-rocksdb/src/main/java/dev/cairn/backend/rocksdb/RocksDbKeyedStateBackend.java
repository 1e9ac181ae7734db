package dev.cairn.backend.rocksdb;

import dev.cairn.backend.AsyncSnapshotTask;
import dev.cairn.backend.KeyedBackendParameters;
import dev.cairn.backend.KeyedStateBackend;
import dev.cairn.backend.SnapshotType;
import dev.cairn.checkpoint.CheckpointStateOutputStream;
import dev.cairn.checkpoint.CheckpointStreamFactory;
import dev.cairn.checkpoint.CheckpointedStateScope;
import dev.cairn.checkpoint.IncrementalKeyedStateHandle;
import dev.cairn.checkpoint.KeyedStateHandle;
import dev.cairn.checkpoint.StreamStateHandle;
import dev.cairn.error.CorruptCheckpointException;
import dev.cairn.error.IncompatibleStateException;
import dev.cairn.error.StorageException;
import dev.cairn.format.snapshot.KeyedSnapshotHeader;
import dev.cairn.format.snapshot.KeyedSnapshotWriter;
import dev.cairn.format.snapshot.KeyedStateMetaInfo;
import dev.cairn.keygroup.KeyGroupRange;
import dev.cairn.keygroup.KeyGroups;
import dev.cairn.serialization.SerializerSnapshot;
import dev.cairn.serialization.TypeSerializer;
import dev.cairn.state.AggregatingStateDescriptor;
import dev.cairn.state.ListStateDescriptor;
import dev.cairn.state.MapStateDescriptor;
import dev.cairn.state.ReducingStateDescriptor;
import dev.cairn.state.State;
import dev.cairn.state.StateDescriptor;
import dev.cairn.state.StateType;
import dev.cairn.state.ValueStateDescriptor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RunnableFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.rocksdb.Checkpoint;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Snapshot;
import org.rocksdb.WriteBatch;

/**
 * Keyed state of one subtask in an embedded RocksDB: one column family per state, every key
 * prefixed by its key group (2 bytes, big-endian), the write-ahead log off (snapshots flush).
 * Checkpoints are incremental by default: the synchronous phase takes a RocksDB checkpoint (hard
 * links) and the asynchronous phase uploads the SST files that the last completed checkpoint did not
 * already upload. Savepoints and full checkpoints iterate a RocksDB snapshot and write the canonical
 * keyed format. The working directory is private to the instance and deleted on close.
 */
final class RocksDbKeyedStateBackend<K> implements KeyedStateBackend<K> {
    private static final AtomicInteger NEXT_DIRECTORY = new AtomicInteger();
    private static final long WRITE_BATCH_BYTES = 4L << 20;
    private static final byte[] AFTER_ALL_KEY_GROUPS = {(byte) 0xFF, (byte) 0xFF};

    private final String operatorId;
    private final TypeSerializer<K> keySerializer;
    private final SerializerSnapshot keySerializerSnapshot;
    private final int maxParallelism;
    private final KeyGroupRange range;
    private final RocksDbOptions options;
    private final String backendId = UUID.randomUUID().toString();
    private final Path instanceDirectory;
    private final Path checkpointsDirectory;
    private final NativeResources resources;
    private final ExecutorService transfers;
    private final SnapshotFiles files;
    private final ResourceGuard guard;
    private final UploadTracker tracker = new UploadTracker();
    private final Map<String, Entry> states = new LinkedHashMap<>();
    private final Object snapshotLock = new Object();
    private final Set<Snapshot> openSnapshots = new HashSet<>();
    private final Keys.Buffer buffer = new Keys.Buffer();
    private final AtomicInteger localCheckpoints = new AtomicInteger();
    private Database database;
    private boolean databaseClosed;
    private K currentKey;
    private byte[] currentKeyBytes;
    private int currentKeyGroup = -1;
    private byte[] currentValueKey;
    private byte[] currentMapPrefix;
    private volatile boolean closed;

    /** A state of this backend: its stored form and, once requested, its descriptor. */
    static final class Entry {
        StateMeta meta;
        ColumnFamilyHandle family;
        StateDescriptor<?, ?> descriptor;
        String source;

        Entry(StateMeta meta, ColumnFamilyHandle family, String source) {
            this.meta = meta;
            this.family = family;
            this.source = source;
        }
    }

    private RocksDbKeyedStateBackend(KeyedBackendParameters<K> parameters, RocksDbOptions options) {
        this.operatorId = parameters.operatorId();
        this.keySerializer = parameters.keySerializer();
        this.keySerializerSnapshot = keySerializer.snapshot();
        this.maxParallelism = parameters.maxParallelism();
        this.range = parameters.keyGroupRange();
        this.options = options;
        Path base = options.localDirectories().isEmpty() ? parameters.localDirectory()
                : options.localDirectories().get(Math.floorMod(NEXT_DIRECTORY.getAndIncrement(),
                        options.localDirectories().size()));
        this.instanceDirectory = base.resolve("rocksdb-" + sanitize(operatorId) + "-" + range.start() + "-"
                + backendId.substring(0, 8));
        this.checkpointsDirectory = instanceDirectory.resolve("checkpoints");
        try {
            Files.createDirectories(checkpointsDirectory);
        } catch (IOException e) {
            throw new StorageException("cannot create the RocksDB working directory " + instanceDirectory + ": "
                    + e.getMessage(), e);
        }
        this.guard = new ResourceGuard("the RocksDB keyed backend of operator " + operatorId);
        NativeResources created = null;
        ExecutorService pool = null;
        try {
            created = new NativeResources(options);
            pool = Executors.newFixedThreadPool(options.uploadThreads(), threads(operatorId));
        } catch (RuntimeException | Error e) {
            if (created != null) {
                created.close();
            }
            deleteRecursively(instanceDirectory);
            throw e;
        }
        this.resources = created;
        this.transfers = pool;
        this.files = new SnapshotFiles(transfers, resources.sstReaderOptions, operatorId);
    }

    /** A backend restored from {@code handles}; fully restored or closed and thrown away. */
    static <K> RocksDbKeyedStateBackend<K> create(KeyedBackendParameters<K> parameters, RocksDbOptions options,
            Collection<KeyedStateHandle> handles) {
        RocksDbKeyedStateBackend<K> backend = new RocksDbKeyedStateBackend<>(parameters, options);
        try {
            new RocksDbRestore<>(backend, parameters.handleReader()).restore(handles);
            return backend;
        } catch (RuntimeException | Error e) {
            try {
                backend.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private static String sanitize(String s) {
        String cleaned = s.replaceAll("[^A-Za-z0-9._-]", "_");
        return cleaned.length() > 40 ? cleaned.substring(0, 40) : cleaned;
    }

    private static ThreadFactory threads(String operatorId) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "cairn-rocksdb-transfer-" + operatorId + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    // ---------------------------------------------------------------- accessors for restore and states

    String operatorId() {
        return operatorId;
    }

    TypeSerializer<K> keySerializer() {
        return keySerializer;
    }

    SerializerSnapshot keySerializerSnapshot() {
        return keySerializerSnapshot;
    }

    Path instanceDirectory() {
        return instanceDirectory;
    }

    Path databaseDirectory() {
        return instanceDirectory.resolve("db");
    }

    NativeResources resources() {
        return resources;
    }

    SnapshotFiles files() {
        return files;
    }

    UploadTracker tracker() {
        return tracker;
    }

    Map<String, Entry> states() {
        return states;
    }

    Database database() {
        return database;
    }

    void database(Database db) {
        this.database = db;
    }

    Keys.Buffer buffer() {
        return buffer;
    }

    static String newColumnFamilyName() {
        return "state-" + UUID.randomUUID();
    }

    // ---------------------------------------------------------------- key and state access

    @Override
    public void setCurrentKey(K key) {
        ensureOpen();
        Objects.requireNonNull(key, "a key must not be null");
        int keyGroup = KeyGroups.keyGroupOf(key, maxParallelism);
        if (!range.contains(keyGroup)) {
            throw new IllegalArgumentException("key " + key + " belongs to key group " + keyGroup
                    + ", outside this backend's " + range + " (operator " + operatorId + ")");
        }
        currentKeyBytes = buffer.serialize(keySerializer, key);
        currentKey = key;
        currentKeyGroup = keyGroup;
        currentValueKey = Keys.valueKey(keyGroup, currentKeyBytes);
        currentMapPrefix = null;
    }

    @Override
    public K getCurrentKey() {
        return currentKey;
    }

    byte[] currentValueKey() {
        checkCurrentKey();
        return currentValueKey;
    }

    byte[] currentMapPrefix() {
        checkCurrentKey();
        if (currentMapPrefix == null) {
            currentMapPrefix = Keys.mapPrefix(currentKeyGroup, currentKeyBytes);
        }
        return currentMapPrefix;
    }

    private void checkCurrentKey() {
        ensureOpen();
        if (currentKeyGroup < 0) {
            throw new IllegalStateException("no current key: call setCurrentKey before accessing keyed state");
        }
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public <S extends State> S getState(StateDescriptor<S, ?> descriptor) {
        ensureOpen();
        Objects.requireNonNull(descriptor, "descriptor");
        SerializerSnapshot declared = descriptor.stateSerializer().snapshot();
        Entry e = states.get(descriptor.name());
        if (e == null) {
            String family = newColumnFamilyName();
            e = new Entry(new StateMeta(descriptor.name(), descriptor.type(), declared, Layout.NATIVE, family),
                    database.create(family), "operator " + operatorId);
            e.descriptor = descriptor;
            states.put(descriptor.name(), e);
        } else if (e.descriptor != null) {
            if (e.meta.type() != descriptor.type() || !e.meta.serializer().equals(declared)) {
                throw new IncompatibleStateException("state '" + descriptor.name() + "' of operator " + operatorId
                        + " is registered as " + e.meta.type() + " " + e.meta.serializer() + ", requested as "
                        + descriptor.type() + " " + declared);
            }
        } else {
            if (e.meta.type() != descriptor.type()) {
                throw new IncompatibleStateException("state '" + descriptor.name() + "' of operator " + operatorId
                        + " was restored from " + e.source + " as " + e.meta.type()
                        + " state and cannot be read as " + descriptor.type() + " state");
            }
            if (!descriptor.stateSerializer().canRead(e.meta.serializer())) {
                throw new IncompatibleStateException("state '" + descriptor.name() + "' of operator " + operatorId
                        + " was written by serializer " + e.meta.serializer() + " (in " + e.source
                        + "), which the declared serializer " + declared + " cannot read");
            }
            if (e.meta.needsRewrite(declared)) {
                rewriteNative(e, descriptor);
            }
            e.descriptor = descriptor;
        }
        ColumnFamilyHandle family = e.family;
        if (descriptor instanceof ValueStateDescriptor v) {
            return (S) new RocksValueState<>(this, family, v.stateSerializer());
        } else if (descriptor instanceof ListStateDescriptor l) {
            return (S) new RocksListState<>(this, family, l.stateSerializer(), l.elementSerializer());
        } else if (descriptor instanceof MapStateDescriptor m) {
            return (S) new RocksMapState<>(this, family, m.stateSerializer(), m.keySerializer(), m.valueSerializer());
        } else if (descriptor instanceof ReducingStateDescriptor r) {
            return (S) new RocksReducingState<>(this, family, r.stateSerializer(), r.reduceFunction());
        } else if (descriptor instanceof AggregatingStateDescriptor a) {
            return (S) new RocksAggregatingState<>(this, family, a.stateSerializer(), a.aggregateFunction());
        }
        throw new IllegalArgumentException("unknown state descriptor " + descriptor);
    }

    /**
     * Rewrites a restored state into the native layout of {@code descriptor}'s serializers: every
     * value is read in the canonical encoding with the declared serializer (which can read the stored
     * one) and written natively into a new column family; the old one is dropped.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private void rewriteNative(Entry e, StateDescriptor<?, ?> descriptor) {
        TypeSerializer stateSerializer = descriptor.stateSerializer();
        String family = newColumnFamilyName();
        ColumnFamilyHandle target = database.create(family);
        try (CanonicalCursor cursor = new CanonicalCursor(database.db, e.family, resources.readOptions, e.meta, 0,
                0xFFFE); Batch batch = new Batch()) {
            while (cursor.next()) {
                Object value;
                try {
                    value = Keys.deserialize(stateSerializer, cursor.value());
                } catch (RuntimeException ex) {
                    throw new CorruptCheckpointException(e.source, "a value of state '" + e.meta.name()
                            + "' cannot be read by " + stateSerializer.snapshot() + ": " + ex, ex);
                }
                int kg = cursor.keyGroup();
                byte[] key = cursor.key();
                if (descriptor instanceof ListStateDescriptor l) {
                    List<?> list = (List<?>) value;
                    if (!list.isEmpty()) {
                        batch.put(target, Keys.valueKey(kg, key), buffer.lengthPrefixed(
                                l.elementSerializer(), (List) list));
                    }
                } else if (descriptor instanceof MapStateDescriptor m) {
                    byte[] prefix = Keys.mapPrefix(kg, key);
                    for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
                        batch.put(target, Keys.concat(prefix, buffer.serialize(m.keySerializer(),
                                entry.getKey())), buffer.nullable(m.valueSerializer(), entry.getValue()));
                    }
                } else {
                    batch.put(target, Keys.valueKey(kg, key), buffer.serialize(stateSerializer, value));
                }
            }
        }
        database.drop(e.meta.columnFamily());
        e.meta = e.meta.with(Layout.NATIVE, family, stateSerializer.snapshot());
        e.family = target;
    }

    /**
     * Rewrites a native list or map state into the canonical layout (which needs no serializer), so
     * canonical entries from another snapshot can be added to it during a restore.
     */
    void rewriteCanonical(Entry e) {
        String family = newColumnFamilyName();
        ColumnFamilyHandle target = database.create(family);
        try (CanonicalCursor cursor = new CanonicalCursor(database.db, e.family, resources.readOptions, e.meta, 0,
                0xFFFE); Batch batch = new Batch()) {
            while (cursor.next()) {
                batch.put(target, Keys.valueKey(cursor.keyGroup(), cursor.key()), cursor.value());
            }
        }
        database.drop(e.meta.columnFamily());
        e.meta = e.meta.with(Layout.CANONICAL, family, e.meta.serializer());
        e.family = target;
        e.descriptor = null;
    }

    @Override
    public Stream<K> keys(String stateName) {
        ensureOpen();
        Entry e = states.get(stateName);
        if (e == null) {
            throw new IllegalArgumentException("operator " + operatorId + " has no keyed state named '" + stateName
                    + "' (known: " + states.keySet() + ")");
        }
        boolean map = e.meta.layout() == Layout.NATIVE && e.meta.type() == StateType.MAP;
        List<K> keys = new ArrayList<>();
        try (RocksIterator it = database.db.newIterator(e.family, resources.readOptions)) {
            byte[] lastPrefix = null;
            for (it.seekToFirst(); it.isValid(); it.next()) {
                byte[] k = it.key();
                int from = map ? Keys.KEY_GROUP_BYTES + 4 : Keys.KEY_GROUP_BYTES;
                int to = map ? Keys.mapPrefixLength(k) : k.length;
                if (map) {
                    if (lastPrefix != null && Arrays.equals(k, 0, to, lastPrefix, 0, lastPrefix.length)) {
                        continue;
                    }
                    lastPrefix = Arrays.copyOf(k, to);
                }
                keys.add(Keys.deserialize(keySerializer, k, from, to - from));
            }
        }
        return keys.stream();
    }

    @Override
    public KeyGroupRange keyGroupRange() {
        return range;
    }

    @Override
    public int maxParallelism() {
        return maxParallelism;
    }

    // ---------------------------------------------------------------- RocksDB access, exceptions translated

    byte[] get(ColumnFamilyHandle family, byte[] key) {
        ensureOpen();
        try {
            return database.db.get(family, resources.readOptions, key);
        } catch (RocksDBException e) {
            throw Database.failure("reading state of operator " + operatorId, e);
        }
    }

    void put(ColumnFamilyHandle family, byte[] key, byte[] value) {
        ensureOpen();
        try {
            database.db.put(family, resources.writeOptions, key, value);
        } catch (RocksDBException e) {
            throw Database.failure("writing state of operator " + operatorId, e);
        }
    }

    void merge(ColumnFamilyHandle family, byte[] key, byte[] value) {
        ensureOpen();
        try {
            database.db.merge(family, resources.writeOptions, key, value);
        } catch (RocksDBException e) {
            throw Database.failure("appending to state of operator " + operatorId, e);
        }
    }

    void delete(ColumnFamilyHandle family, byte[] key) {
        ensureOpen();
        try {
            database.db.delete(family, resources.writeOptions, key);
        } catch (RocksDBException e) {
            throw Database.failure("deleting state of operator " + operatorId, e);
        }
    }

    void putAll(ColumnFamilyHandle family, List<byte[][]> entries) {
        ensureOpen();
        try (Batch batch = new Batch()) {
            for (byte[][] e : entries) {
                batch.put(family, e[0], e[1]);
            }
        }
    }

    void deleteAll(ColumnFamilyHandle family, List<byte[][]> entries) {
        ensureOpen();
        try (Batch batch = new Batch()) {
            for (byte[][] e : entries) {
                batch.delete(family, e[0]);
            }
        }
    }

    /** Up to {@code limit} entries with {@code prefix}, starting after {@code after} (or at the prefix). */
    List<byte[][]> scan(ColumnFamilyHandle family, byte[] prefix, byte[] after, int limit) {
        ensureOpen();
        List<byte[][]> out = new ArrayList<>();
        try (RocksIterator it = database.db.newIterator(family, resources.readOptions)) {
            if (after == null) {
                it.seek(prefix);
            } else {
                it.seek(after);
                if (it.isValid() && Arrays.equals(it.key(), after)) {
                    it.next();
                }
            }
            while (it.isValid() && out.size() < limit) {
                byte[] k = it.key();
                if (!Keys.startsWith(k, prefix)) {
                    break;
                }
                out.add(new byte[][] {k, it.value()});
                it.next();
            }
        }
        return out;
    }

    /** Writes collected in batches of a few MiB, without the write-ahead log; flushes on close. */
    final class Batch implements AutoCloseable {
        private final WriteBatch batch = new WriteBatch();
        private long bytes;

        void put(ColumnFamilyHandle family, byte[] key, byte[] value) {
            try {
                batch.put(family, key, value);
            } catch (RocksDBException e) {
                throw Database.failure("batching a write of operator " + operatorId, e);
            }
            bytes += key.length + value.length;
            if (bytes >= WRITE_BATCH_BYTES) {
                flush();
            }
        }

        void delete(ColumnFamilyHandle family, byte[] key) {
            try {
                batch.delete(family, key);
            } catch (RocksDBException e) {
                throw Database.failure("batching a delete of operator " + operatorId, e);
            }
            bytes += key.length;
        }

        void flush() {
            if (batch.count() == 0) {
                return;
            }
            try {
                database.db.write(resources.writeOptions, batch);
            } catch (RocksDBException e) {
                throw Database.failure("writing a batch of operator " + operatorId, e);
            }
            batch.clear();
            bytes = 0;
        }

        @Override
        public void close() {
            try {
                flush();
            } finally {
                batch.close();
            }
        }
    }

    /** Deletes every entry of every state outside {@code keep}, as key ranges (no key-by-key work). */
    void clipTo(KeyGroupRange keep) {
        for (Entry e : states.values()) {
            try {
                if (keep.isEmpty()) {
                    database.db.deleteRange(e.family, resources.writeOptions, Keys.keyGroupPrefix(0),
                            AFTER_ALL_KEY_GROUPS);
                    continue;
                }
                if (keep.start() > 0) {
                    database.db.deleteRange(e.family, resources.writeOptions, Keys.keyGroupPrefix(0),
                            Keys.keyGroupPrefix(keep.start()));
                }
                database.db.deleteRange(e.family, resources.writeOptions, Keys.keyGroupEnd(keep.end()),
                        AFTER_ALL_KEY_GROUPS);
            } catch (RocksDBException ex) {
                throw Database.failure("clipping state '" + e.meta.name() + "' of operator " + operatorId + " to "
                        + keep, ex);
            }
        }
    }

    // ---------------------------------------------------------------- snapshots

    @Override
    public RunnableFuture<KeyedStateHandle> snapshot(long checkpointId, SnapshotType type,
            CheckpointStreamFactory streams) {
        ensureOpen();
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(streams, "streams");
        if (states.isEmpty()) {
            return AsyncSnapshotTask.completed(null);
        }
        if (type == SnapshotType.CHECKPOINT && options.incremental()) {
            return incrementalSnapshot(checkpointId, streams);
        }
        return fullSnapshot(checkpointId, type, streams);
    }

    private List<StateMeta> metas() {
        List<StateMeta> metas = new ArrayList<>(states.size());
        for (Entry e : states.values()) {
            metas.add(e.meta);
        }
        return metas;
    }

    private RunnableFuture<KeyedStateHandle> incrementalSnapshot(long checkpointId, CheckpointStreamFactory streams) {
        Path local = checkpointsDirectory.resolve("chk-" + checkpointId + "-" + localCheckpoints.incrementAndGet());
        try (Checkpoint checkpoint = Checkpoint.create(database.db)) {
            database.flushAllowingStall();
            checkpoint.createCheckpoint(local.toString());
        } catch (RocksDBException e) {
            deleteRecursively(local);
            throw Database.failure("creating the local RocksDB checkpoint " + local + " of operator " + operatorId, e);
        }
        Map<String, StreamStateHandle> reusable = tracker.confirmed();
        Map<String, Integer> reusableChecksums = tracker.confirmedChecksums();
        SnapshotMetaFormat.Meta meta = new SnapshotMetaFormat.Meta(keySerializerSnapshot, maxParallelism, range,
                metas());
        return new AsyncSnapshotTask<>(() -> {
            ResourceGuard.Lease lease = guard.acquire();
            try {
                Map<String, Integer> checksums = new TreeMap<>();
                IncrementalKeyedStateHandle handle = upload(checkpointId, local, reusable, reusableChecksums, meta,
                        checksums, streams);
                Map<String, Integer> shared = new TreeMap<>(checksums);
                shared.keySet().retainAll(handle.sharedState().keySet());
                tracker.uploaded(checkpointId, handle.sharedState(), shared);
                return handle;
            } finally {
                lease.close();
            }
        }, () -> deleteRecursively(local));
    }

    /**
     * Uploads the files of the local checkpoint that {@code reusable} does not hold, then the meta data with the
     * CRC32C of every file (recorded into {@code checksums}: computed while uploading, known for reused files, or
     * read from the local file where a reused file's checksum is not known).
     */
    private IncrementalKeyedStateHandle upload(long checkpointId, Path local, Map<String, StreamStateHandle> reusable,
            Map<String, Integer> reusableChecksums, SnapshotMetaFormat.Meta meta, Map<String, Integer> checksums,
            CheckpointStreamFactory streams) throws IOException {
        List<Path> localFiles;
        try (Stream<Path> list = Files.list(local)) {
            localFiles = list.sorted().toList();
        }
        Map<String, StreamStateHandle> shared = new TreeMap<>();
        Map<String, StreamStateHandle> privateFiles = new TreeMap<>();
        List<String> names = new ArrayList<>();
        List<Callable<SnapshotFiles.Uploaded>> uploads = new ArrayList<>();
        List<StreamStateHandle> candidates = new ArrayList<>();
        for (Path file : localFiles) {
            String name = file.getFileName().toString();
            if (SnapshotFiles.isSst(name) && reusable.containsKey(name)) {
                candidates.add(reusable.get(name));
            }
        }
        Set<StreamStateHandle> accepted = Collections.newSetFromMap(new IdentityHashMap<>());
        accepted.addAll(candidates.isEmpty() ? List.of() : streams.reusable(candidates));
        for (Path file : localFiles) {
            String name = file.getFileName().toString();
            boolean sst = SnapshotFiles.isSst(name);
            StreamStateHandle previous = sst ? reusable.get(name) : null;
            if (previous != null && !accepted.contains(previous)) {
                previous = null;
            }
            if (previous != null) {
                shared.put(name, previous);
                Integer known = reusableChecksums.get(name);
                checksums.put(name, known != null ? known : SnapshotFiles.crc32c(file));
            } else {
                names.add(name);
                CheckpointedStateScope scope = sst ? CheckpointedStateScope.SHARED : CheckpointedStateScope.EXCLUSIVE;
                uploads.add(() -> files.upload(file, streams, scope));
            }
        }
        List<SnapshotFiles.Uploaded> uploaded = files.runAll(uploads);
        long persisted = 0;
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            StreamStateHandle handle = uploaded.get(i).handle();
            checksums.put(name, uploaded.get(i).crc32c());
            persisted += handle.stateSize();
            (SnapshotFiles.isSst(name) ? shared : privateFiles).put(name, handle);
        }
        StreamStateHandle metaHandle = SnapshotFiles.write(SnapshotMetaFormat.write(meta.withChecksums(checksums)),
                streams, CheckpointedStateScope.EXCLUSIVE);
        persisted += metaHandle.stateSize();
        return new IncrementalKeyedStateHandle(backendId, checkpointId, range, shared, privateFiles, metaHandle,
                persisted);
    }

    private RunnableFuture<KeyedStateHandle> fullSnapshot(long checkpointId, SnapshotType type,
            CheckpointStreamFactory streams) {
        List<Entry> entries = new ArrayList<>();
        List<KeyedStateMetaInfo> infos = new ArrayList<>();
        for (Entry e : states.values()) {
            Entry copy = new Entry(e.meta, e.family, e.source);
            entries.add(copy);
            infos.add(new KeyedStateMetaInfo(e.meta.name(), e.meta.type(), e.meta.serializer()));
        }
        KeyedSnapshotHeader header = new KeyedSnapshotHeader(keySerializerSnapshot, maxParallelism, range,
                options.compression(), infos);
        Snapshot snapshot = database.db.getSnapshot();
        synchronized (snapshotLock) {
            openSnapshots.add(snapshot);
        }
        return new AsyncSnapshotTask<>(() -> {
            ResourceGuard.Lease lease = guard.acquire();
            try {
                KeyedStateHandle handle = writeFull(snapshot, header, entries, streams);
                if (type != SnapshotType.SAVEPOINT) {
                    tracker.uploaded(checkpointId, Map.of(), Map.of());
                }
                return handle;
            } finally {
                releaseSnapshot(snapshot);
                lease.close();
            }
        }, () -> releaseSnapshot(snapshot));
    }

    private KeyedStateHandle writeFull(Snapshot snapshot, KeyedSnapshotHeader header, List<Entry> entries,
            CheckpointStreamFactory streams) {
        List<CanonicalCursor> cursors = new ArrayList<>(entries.size());
        boolean[] pending = new boolean[entries.size()];
        try (ReadOptions read = new ReadOptions().setSnapshot(snapshot).setFillCache(false);
                CheckpointStateOutputStream out = streams.createOutputStream(CheckpointedStateScope.EXCLUSIVE)) {
            try {
                for (int i = 0; i < entries.size(); i++) {
                    CanonicalCursor c = new CanonicalCursor(database.db, entries.get(i).family, read,
                            entries.get(i).meta, range.isEmpty() ? 0 : range.start(), range.end());
                    cursors.add(c);
                    pending[i] = c.next();
                }
                KeyedSnapshotWriter writer = new KeyedSnapshotWriter(out, header);
                for (int kg : range) {
                    writer.beginKeyGroup(kg);
                    for (int i = 0; i < cursors.size(); i++) {
                        CanonicalCursor c = cursors.get(i);
                        while (pending[i] && c.keyGroup() == kg) {
                            writer.addSerialized(i, c.key(), c.value());
                            pending[i] = c.next();
                        }
                    }
                    writer.endKeyGroup();
                }
                return writer.finish();
            } finally {
                cursors.forEach(CanonicalCursor::close);
            }
        }
    }

    private void releaseSnapshot(Snapshot snapshot) {
        synchronized (snapshotLock) {
            if (openSnapshots.remove(snapshot) && !databaseClosed) {
                database.db.releaseSnapshot(snapshot);
            }
        }
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        tracker.completed(checkpointId);
    }

    @Override
    public void notifyCheckpointAborted(long checkpointId) {
        tracker.aborted(checkpointId);
    }

    // ---------------------------------------------------------------- lifecycle

    void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the RocksDB keyed backend of operator " + operatorId + " is closed");
        }
    }

    /** Whether the working directory still exists (for tests). */
    boolean workingDirectoryExists() {
        return Files.exists(instanceDirectory);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        guard.closeAndWait();
        transfers.shutdownNow();
        try {
            transfers.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (snapshotLock) {
            if (database != null) {
                for (Snapshot s : openSnapshots) {
                    database.db.releaseSnapshot(s);
                }
            }
            openSnapshots.clear();
            databaseClosed = true;
        }
        try {
            if (database != null) {
                database.close();
            }
        } finally {
            resources.close();
            states.clear();
            currentKey = null;
            currentKeyGroup = -1;
            deleteRecursively(instanceDirectory);
        }
    }

    static void deleteRecursively(Path path) {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the RocksDB working directory " + path, e);
        }
    }

    @Override
    public String toString() {
        return "RocksDbKeyedStateBackend[" + operatorId + ", " + range + ", " + instanceDirectory + "]";
    }
}
