package dev.cairn.backend.memory;

import dev.cairn.backend.AsyncSnapshotTask;
import dev.cairn.backend.KeyedBackendParameters;
import dev.cairn.backend.KeyedStateBackend;
import dev.cairn.backend.SnapshotType;
import dev.cairn.checkpoint.CheckpointStateOutputStream;
import dev.cairn.checkpoint.CheckpointStreamFactory;
import dev.cairn.checkpoint.CheckpointedStateScope;
import dev.cairn.checkpoint.KeyGroupsStateHandle;
import dev.cairn.checkpoint.KeyedStateHandle;
import dev.cairn.error.CorruptCheckpointException;
import dev.cairn.error.IncompatibleStateException;
import dev.cairn.format.snapshot.KeyGroupBlock;
import dev.cairn.format.snapshot.KeyedSnapshotHeader;
import dev.cairn.format.snapshot.KeyedSnapshotReader;
import dev.cairn.format.snapshot.KeyedSnapshotWriter;
import dev.cairn.format.snapshot.KeyedStateMetaInfo;
import dev.cairn.format.snapshot.SnapshotCompression;
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
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.RunnableFuture;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * Keyed state on the heap: per state, one hash map per key group of the subtask's range.
 * Snapshots pin the current maps (copy-on-write, see {@link StateTable}) and write them in the
 * canonical keyed format in the asynchronous phase. Restored states stay serialized until
 * {@link #getState} supplies a descriptor to check them against.
 */
final class HeapKeyedStateBackend<K> implements KeyedStateBackend<K> {
    private final String operatorId;
    private final TypeSerializer<K> keySerializer;
    private final SerializerSnapshot keySerializerSnapshot;
    private final int maxParallelism;
    private final KeyGroupRange range;
    private final SnapshotCompression compression;
    private final Map<String, StateTable<K, ?>> tables = new LinkedHashMap<>();
    private final Map<String, RestoredKeyedState<K>> restored;
    private K currentKey;
    private int currentIndex = -1;
    private boolean closed;

    private HeapKeyedStateBackend(KeyedBackendParameters<K> parameters, SnapshotCompression compression,
            Map<String, RestoredKeyedState<K>> restored) {
        this.operatorId = parameters.operatorId();
        this.keySerializer = parameters.keySerializer();
        this.keySerializerSnapshot = keySerializer.snapshot();
        this.maxParallelism = parameters.maxParallelism();
        this.range = parameters.keyGroupRange();
        this.compression = compression;
        this.restored = restored;
    }

    /** A backend holding the key groups of its range found in {@code handles}; fully restored or not at all. */
    static <K> HeapKeyedStateBackend<K> restore(KeyedBackendParameters<K> parameters,
            Collection<KeyedStateHandle> handles, SnapshotCompression compression) {
        KeyGroupRange range = parameters.keyGroupRange();
        Map<String, RestoredKeyedState<K>> staging = new LinkedHashMap<>();
        BitSet seen = new BitSet();
        for (KeyedStateHandle handle : handles) {
            if (handle == null) {
                continue;
            }
            if (!(handle instanceof KeyGroupsStateHandle kgHandle)) {
                throw new IllegalArgumentException("the memory backend restores full keyed snapshots "
                        + "(KeyGroupsStateHandle), not " + handle);
            }
            KeyGroupRange overlap = kgHandle.keyGroupRange().intersection(range);
            if (overlap.isEmpty()) {
                continue;
            }
            try (KeyedSnapshotReader reader = KeyedSnapshotReader.open(kgHandle, parameters.handleReader(),
                    parameters.operatorId())) {
                readInto(parameters, reader, overlap, staging, seen);
            }
        }
        return new HeapKeyedStateBackend<>(parameters, compression, staging);
    }

    private static <K> void readInto(KeyedBackendParameters<K> parameters, KeyedSnapshotReader reader,
            KeyGroupRange overlap, Map<String, RestoredKeyedState<K>> staging, BitSet seen) {
        KeyedSnapshotHeader header = reader.header();
        TypeSerializer<K> keySerializer = parameters.keySerializer();
        if (!keySerializer.canRead(header.keySerializer())) {
            throw new IncompatibleStateException("operator " + parameters.operatorId() + ": keys in " + reader.file()
                    + " were written by key serializer " + header.keySerializer() + ", which "
                    + keySerializer.snapshot() + " cannot read");
        }
        if (header.maxParallelism() != parameters.maxParallelism()) {
            throw new IncompatibleStateException("operator " + parameters.operatorId() + ": " + reader.file()
                    + " was written with max parallelism " + header.maxParallelism() + ", this backend uses "
                    + parameters.maxParallelism() + "; key groups cannot be mapped");
        }
        List<RestoredKeyedState<K>> targets = new ArrayList<>(header.states().size());
        for (KeyedStateMetaInfo meta : header.states()) {
            RestoredKeyedState<K> target = staging.get(meta.name());
            if (target == null) {
                target = new RestoredKeyedState<>(meta, reader.file(), parameters.keyGroupRange().size());
                staging.put(meta.name(), target);
            } else if (!target.meta.equals(meta)) {
                throw new IncompatibleStateException("operator " + parameters.operatorId() + ": state '"
                        + meta.name() + "' is " + meta.type() + " " + meta.serializer() + " in " + reader.file()
                        + " but " + target.meta.type() + " " + target.meta.serializer() + " in " + target.source);
            }
            targets.add(target);
        }
        int start = parameters.keyGroupRange().start();
        for (int keyGroup : overlap) {
            if (seen.get(keyGroup)) {
                throw new CorruptCheckpointException(reader.file(), "key group " + keyGroup
                        + " is also in another restored handle");
            }
            seen.set(keyGroup);
            KeyGroupBlock block = reader.readKeyGroup(keyGroup);
            for (KeyGroupBlock.StateEntries entries : block.states()) {
                RestoredKeyedState<K> target = targets.get(entries.stateIndex());
                for (int i = 0; i < entries.size(); i++) {
                    K key = deserialize(keySerializer, entries.keys().get(i), reader.file(),
                            "a key of state '" + target.meta.name() + "'");
                    int actual = KeyGroups.keyGroupOf(key, parameters.maxParallelism());
                    if (actual != keyGroup) {
                        throw new CorruptCheckpointException(reader.file(), "key " + key + " of state '"
                                + target.meta.name() + "' is stored in key group " + keyGroup + " but hashes to "
                                + actual + " (is the key's hashCode stable across JVMs?)");
                    }
                    target.add(keyGroup - start, key, entries.values().get(i));
                }
            }
        }
    }

    static <T> T deserialize(TypeSerializer<T> serializer, byte[] bytes, String file, String what) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            T value = serializer.deserialize(in);
            if (in.available() != 0) {
                throw new CorruptCheckpointException(file, what + " left " + in.available() + " of " + bytes.length
                        + " bytes unread by " + serializer.snapshot());
            }
            if (value == null) {
                throw new CorruptCheckpointException(file, what + " deserialized to null");
            }
            return value;
        } catch (IOException | RuntimeException e) {
            if (e instanceof CorruptCheckpointException c) {
                throw c;
            }
            throw new CorruptCheckpointException(file, what + " cannot be read by " + serializer.snapshot() + ": " + e,
                    e);
        }
    }

    @Override
    public void setCurrentKey(K key) {
        ensureOpen();
        Objects.requireNonNull(key, "a key must not be null");
        int keyGroup = KeyGroups.keyGroupOf(key, maxParallelism);
        if (!range.contains(keyGroup)) {
            throw new IllegalArgumentException("key " + key + " belongs to key group " + keyGroup
                    + ", outside this backend's " + range + " (operator " + operatorId + ")");
        }
        currentKey = key;
        currentIndex = keyGroup - range.start();
    }

    @Override
    public K getCurrentKey() {
        return currentKey;
    }

    K currentKey() {
        if (currentIndex < 0) {
            throw new IllegalStateException("no current key: call setCurrentKey before accessing keyed state");
        }
        ensureOpen();
        return currentKey;
    }

    int currentIndex() {
        return currentIndex;
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public <S extends State> S getState(StateDescriptor<S, ?> descriptor) {
        ensureOpen();
        Objects.requireNonNull(descriptor, "descriptor");
        StateTable<K, ?> table = tables.get(descriptor.name());
        if (table == null) {
            table = register(descriptor);
        } else if (table.type != descriptor.type()
                || !table.serializerSnapshot.equals(descriptor.stateSerializer().snapshot())) {
            throw new IncompatibleStateException("state '" + descriptor.name() + "' of operator " + operatorId
                    + " is registered as " + table.type + " " + table.serializerSnapshot + ", requested as "
                    + descriptor.type() + " " + descriptor.stateSerializer().snapshot());
        }
        StateTable raw = table;
        if (descriptor instanceof ValueStateDescriptor) {
            return (S) new HeapValueState<>(this, raw);
        } else if (descriptor instanceof ListStateDescriptor) {
            return (S) new HeapListState<>(this, raw);
        } else if (descriptor instanceof MapStateDescriptor) {
            return (S) new HeapMapState<>(this, raw);
        } else if (descriptor instanceof ReducingStateDescriptor<?> r) {
            return (S) new HeapReducingState<>(this, raw, r.reduceFunction());
        } else if (descriptor instanceof AggregatingStateDescriptor<?, ?, ?> a) {
            return (S) new HeapAggregatingState<>(this, raw, a.aggregateFunction());
        }
        throw new IllegalArgumentException("unknown state descriptor " + descriptor);
    }

    private <V> StateTable<K, V> register(StateDescriptor<?, V> descriptor) {
        TypeSerializer<V> serializer = descriptor.stateSerializer();
        RestoredKeyedState<K> previous = restored.get(descriptor.name());
        if (previous != null) {
            if (previous.meta.type() != descriptor.type()) {
                throw new IncompatibleStateException("state '" + descriptor.name() + "' of operator " + operatorId
                        + " was restored from " + previous.source + " as " + previous.meta.type()
                        + " state and cannot be read as " + descriptor.type() + " state");
            }
            if (!serializer.canRead(previous.meta.serializer())) {
                throw new IncompatibleStateException("state '" + descriptor.name() + "' of operator " + operatorId
                        + " was written by serializer " + previous.meta.serializer() + " (in " + previous.source
                        + "), which the declared serializer " + serializer.snapshot() + " cannot read");
            }
        }
        StateTable<K, V> table = new StateTable<>(descriptor.name(), descriptor.type(), serializer, range.start(),
                range.size(), copyOnWrite(descriptor.type(), serializer));
        if (previous != null) {
            for (int index = 0; index < previous.keyGroups(); index++) {
                List<K> keys = previous.keys(index);
                List<byte[]> values = previous.values(index);
                if (keys.isEmpty()) {
                    continue;
                }
                Map<K, V> map = table.writable(index);
                for (int i = 0; i < keys.size(); i++) {
                    map.put(keys.get(i), deserialize(serializer, values.get(i), previous.source,
                            "the value of key " + keys.get(i) + " in state '" + descriptor.name() + "'"));
                }
            }
            restored.remove(descriptor.name());
        }
        tables.put(descriptor.name(), table);
        return table;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static <V> UnaryOperator<V> copyOnWrite(StateType type, TypeSerializer<V> serializer) {
        switch (type) {
            case LIST:
                return v -> (V) new ArrayList<>((List) v);
            case MAP:
                return v -> (V) new HashMap<>((Map) v);
            default:
                return serializer::copy;
        }
    }

    @Override
    public Stream<K> keys(String stateName) {
        ensureOpen();
        List<K> keys = new ArrayList<>();
        StateTable<K, ?> table = tables.get(stateName);
        RestoredKeyedState<K> previous = restored.get(stateName);
        if (table != null) {
            for (int i = 0; i < table.keyGroups(); i++) {
                keys.addAll(table.readable(i).keySet());
            }
        } else if (previous != null) {
            for (int i = 0; i < previous.keyGroups(); i++) {
                keys.addAll(previous.keys(i));
            }
        } else {
            throw new IllegalArgumentException("operator " + operatorId + " has no keyed state named '" + stateName
                    + "' (known: " + stateNames() + ")");
        }
        return keys.stream();
    }

    private List<String> stateNames() {
        List<String> names = new ArrayList<>(tables.keySet());
        names.addAll(restored.keySet());
        return names;
    }

    @Override
    public KeyGroupRange keyGroupRange() {
        return range;
    }

    @Override
    public int maxParallelism() {
        return maxParallelism;
    }

    @Override
    public RunnableFuture<KeyedStateHandle> snapshot(long checkpointId, SnapshotType type,
            CheckpointStreamFactory streams) {
        ensureOpen();
        Objects.requireNonNull(streams, "streams");
        if (tables.isEmpty() && restored.isEmpty()) {
            return AsyncSnapshotTask.completed(null);
        }
        List<KeyedStateMetaInfo> metas = new ArrayList<>();
        List<StateTable.Pinned<K, ?>> pinned = new ArrayList<>();
        for (StateTable<K, ?> table : tables.values()) {
            metas.add(new KeyedStateMetaInfo(table.name, table.type, table.serializerSnapshot));
            pinned.add(table.pin());
        }
        List<RestoredKeyedState<K>> carried = new ArrayList<>(restored.values());
        for (RestoredKeyedState<K> r : carried) {
            metas.add(r.meta);
        }
        KeyedSnapshotHeader header = new KeyedSnapshotHeader(keySerializerSnapshot, maxParallelism, range, compression,
                metas);
        return new AsyncSnapshotTask<>(() -> write(streams, header, pinned, carried),
                () -> pinned.forEach(StateTable.Pinned::release));
    }

    private KeyedStateHandle write(CheckpointStreamFactory streams, KeyedSnapshotHeader header,
            List<StateTable.Pinned<K, ?>> pinned, List<RestoredKeyedState<K>> carried) {
        try (CheckpointStateOutputStream out = streams.createOutputStream(CheckpointedStateScope.EXCLUSIVE)) {
            KeyedSnapshotWriter writer = new KeyedSnapshotWriter(out, header);
            for (int index = 0; index < range.size(); index++) {
                writer.beginKeyGroup(range.start() + index);
                int stateIndex = 0;
                for (StateTable.Pinned<K, ?> p : pinned) {
                    writeEntries(writer, stateIndex++, p, index);
                }
                for (RestoredKeyedState<K> r : carried) {
                    List<K> keys = r.keys(index);
                    List<byte[]> values = r.values(index);
                    for (int i = 0; i < keys.size(); i++) {
                        writer.addSerializedValue(stateIndex, keySerializer, keys.get(i), values.get(i));
                    }
                    stateIndex++;
                }
                writer.endKeyGroup();
            }
            return writer.finish();
        }
    }

    private <V> void writeEntries(KeyedSnapshotWriter writer, int stateIndex, StateTable.Pinned<K, V> pinned,
            int index) {
        TypeSerializer<V> serializer = pinned.table.serializer;
        for (Map.Entry<K, V> e : pinned.map(index).entrySet()) {
            writer.add(stateIndex, keySerializer, e.getKey(), serializer, e.getValue());
        }
    }

    void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the keyed backend of operator " + operatorId + " is closed");
        }
    }

    @Override
    public void close() {
        closed = true;
        tables.clear();
        restored.clear();
        currentKey = null;
        currentIndex = -1;
    }
}
