package dev.cairn.runtime.dataflow;

import dev.cairn.backend.KeyedBackendParameters;
import dev.cairn.backend.KeyedStateBackend;
import dev.cairn.backend.OperatorBackendParameters;
import dev.cairn.backend.OperatorStateBackend;
import dev.cairn.backend.SnapshotType;
import dev.cairn.backend.StateBackend;
import dev.cairn.checkpoint.CheckpointStateOutputStream;
import dev.cairn.checkpoint.CheckpointStreamFactory;
import dev.cairn.checkpoint.CheckpointedStateScope;
import dev.cairn.checkpoint.KeyGroupsStateHandle;
import dev.cairn.checkpoint.KeyedStateHandle;
import dev.cairn.checkpoint.OperatorStateHandle;
import dev.cairn.checkpoint.StateHandleReader;
import dev.cairn.format.snapshot.KeyGroupBlock;
import dev.cairn.format.snapshot.KeyedSnapshotHeader;
import dev.cairn.format.snapshot.KeyedSnapshotReader;
import dev.cairn.format.snapshot.KeyedSnapshotWriter;
import dev.cairn.format.snapshot.KeyedStateMetaInfo;
import dev.cairn.format.snapshot.OperatorSnapshotReader;
import dev.cairn.format.snapshot.OperatorSnapshotWriter;
import dev.cairn.format.snapshot.OperatorStateMetaInfo;
import dev.cairn.format.snapshot.SnapshotCompression;
import dev.cairn.keygroup.KeyGroupRange;
import dev.cairn.keygroup.KeyGroups;
import dev.cairn.serialization.TypeSerializer;
import dev.cairn.state.BroadcastState;
import dev.cairn.state.ListState;
import dev.cairn.state.ListStateDescriptor;
import dev.cairn.state.MapStateDescriptor;
import dev.cairn.state.RedistributionMode;
import dev.cairn.state.State;
import dev.cairn.state.StateDescriptor;
import dev.cairn.state.StateType;
import dev.cairn.state.ValueState;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RunnableFuture;
import java.util.stream.Stream;

/**
 * A minimal heap backend for the runtime's own tests (the real {@code memory} backend lives in a module
 * that depends on this one). Keyed value state and operator split/union list state, snapshotted in the
 * canonical formats of {@code dev.cairn.format.snapshot}, so restores at another parallelism work as with
 * any backend. Snapshots copy the state in the synchronous phase and write it in the asynchronous one.
 */
public final class TestStateBackend implements StateBackend {
    @Override
    public String name() {
        return "test-heap";
    }

    @Override
    public <K> KeyedStateBackend<K> createKeyedBackend(KeyedBackendParameters<K> parameters,
            Collection<KeyedStateHandle> restoreState) {
        return new Keyed<>(parameters, restoreState);
    }

    @Override
    public OperatorStateBackend createOperatorBackend(OperatorBackendParameters parameters,
            Collection<OperatorStateHandle> restoreState) {
        return new Operator(parameters, restoreState);
    }

    static <T> T read(TypeSerializer<T> serializer, byte[] bytes) {
        try {
            return serializer.deserialize(new DataInputStream(new ByteArrayInputStream(bytes)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final class Keyed<K> implements KeyedStateBackend<K> {
        private final KeyedBackendParameters<K> p;
        private final Map<String, ValueStateDescriptor<?>> descriptors = new LinkedHashMap<>();
        private final Map<String, Map<K, Object>> values = new LinkedHashMap<>();
        private final Map<String, Map<K, byte[]>> restored = new HashMap<>();
        private final Map<String, KeyedStateMetaInfo> restoredMeta = new HashMap<>();
        private K currentKey;

        private record ValueStateDescriptor<T>(dev.cairn.state.ValueStateDescriptor<T> d) {
        }

        Keyed(KeyedBackendParameters<K> p, Collection<KeyedStateHandle> handles) {
            this.p = p;
            for (KeyedStateHandle h : handles) {
                KeyGroupsStateHandle kh = (KeyGroupsStateHandle) h;
                try (KeyedSnapshotReader reader = KeyedSnapshotReader.open(kh, p.handleReader(), p.operatorId())) {
                    List<KeyedStateMetaInfo> metas = reader.header().states();
                    KeyGroupRange mine = kh.keyGroupRange().intersection(p.keyGroupRange());
                    for (int kg : mine) {
                        KeyGroupBlock block = reader.readKeyGroup(kg);
                        for (KeyGroupBlock.StateEntries entries : block.states()) {
                            KeyedStateMetaInfo meta = metas.get(entries.stateIndex());
                            restoredMeta.put(meta.name(), meta);
                            Map<K, byte[]> target = restored.computeIfAbsent(meta.name(), n -> new HashMap<>());
                            for (int i = 0; i < entries.size(); i++) {
                                target.put(read(p.keySerializer(), entries.keys().get(i)), entries.values().get(i));
                            }
                        }
                    }
                }
            }
        }

        @Override
        public void setCurrentKey(K key) {
            int kg = KeyGroups.keyGroupOf(key, p.maxParallelism());
            if (!p.keyGroupRange().contains(kg)) {
                throw new IllegalArgumentException("key " + key + " (key group " + kg + ") not in " + p.keyGroupRange());
            }
            currentKey = key;
        }

        @Override
        public K getCurrentKey() {
            return currentKey;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <S extends State> S getState(StateDescriptor<S, ?> descriptor) {
            if (descriptor.type() != StateType.VALUE) {
                throw new UnsupportedOperationException("the test backend only has value state");
            }
            dev.cairn.state.ValueStateDescriptor<Object> d = (dev.cairn.state.ValueStateDescriptor<Object>) descriptor;
            String name = d.name();
            if (!descriptors.containsKey(name)) {
                descriptors.put(name, new ValueStateDescriptor<>(d));
                Map<K, Object> map = new HashMap<>();
                Map<K, byte[]> raw = restored.remove(name);
                restoredMeta.remove(name);
                if (raw != null) {
                    raw.forEach((k, v) -> map.put(k, read(d.stateSerializer(), v)));
                }
                values.put(name, map);
            }
            Map<K, Object> map = values.get(name);
            return (S) new ValueState<Object>() {
                @Override
                public Object value() {
                    return map.get(currentKey);
                }

                @Override
                public void update(Object value) {
                    if (value == null) {
                        map.remove(currentKey);
                    } else {
                        map.put(currentKey, value);
                    }
                }

                @Override
                public void clear() {
                    map.remove(currentKey);
                }
            };
        }

        @Override
        public Stream<K> keys(String stateName) {
            Map<K, Object> map = values.get(stateName);
            return map == null ? Stream.empty() : List.copyOf(map.keySet()).stream();
        }

        @Override
        public KeyGroupRange keyGroupRange() {
            return p.keyGroupRange();
        }

        @Override
        public int maxParallelism() {
            return p.maxParallelism();
        }

        @Override
        @SuppressWarnings("unchecked")
        public RunnableFuture<KeyedStateHandle> snapshot(long checkpointId, SnapshotType type,
                CheckpointStreamFactory streams) {
            List<KeyedStateMetaInfo> metas = new ArrayList<>();
            List<Map<K, Object>> copies = new ArrayList<>();
            List<TypeSerializer<Object>> serializers = new ArrayList<>();
            for (Map.Entry<String, ValueStateDescriptor<?>> e : descriptors.entrySet()) {
                TypeSerializer<Object> s = (TypeSerializer<Object>) e.getValue().d().stateSerializer();
                metas.add(new KeyedStateMetaInfo(e.getKey(), StateType.VALUE, s.snapshot()));
                Map<K, Object> copy = new HashMap<>();
                values.get(e.getKey()).forEach((k, v) -> copy.put(k, s.copy(v)));
                copies.add(copy);
                serializers.add(s);
            }
            List<Map<K, byte[]>> carried = new ArrayList<>();
            for (Map.Entry<String, Map<K, byte[]>> e : restored.entrySet()) {
                metas.add(restoredMeta.get(e.getKey()));
                carried.add(new HashMap<>(e.getValue()));
            }
            if (metas.isEmpty()) {
                return new FutureTask<>(() -> null);
            }
            KeyGroupRange range = p.keyGroupRange();
            KeyedSnapshotHeader header = new KeyedSnapshotHeader(p.keySerializer().snapshot(), p.maxParallelism(),
                    range, SnapshotCompression.NONE, metas);
            return new FutureTask<>(() -> {
                try (CheckpointStateOutputStream out = streams.createOutputStream(CheckpointedStateScope.EXCLUSIVE)) {
                    KeyedSnapshotWriter writer = new KeyedSnapshotWriter(out, header);
                    for (int kg : range) {
                        writer.beginKeyGroup(kg);
                        for (int i = 0; i < copies.size(); i++) {
                            for (Map.Entry<K, Object> e : copies.get(i).entrySet()) {
                                if (KeyGroups.keyGroupOf(e.getKey(), p.maxParallelism()) == kg) {
                                    writer.add(i, p.keySerializer(), e.getKey(), serializers.get(i), e.getValue());
                                }
                            }
                        }
                        for (int i = 0; i < carried.size(); i++) {
                            for (Map.Entry<K, byte[]> e : carried.get(i).entrySet()) {
                                if (KeyGroups.keyGroupOf(e.getKey(), p.maxParallelism()) == kg) {
                                    writer.addSerializedValue(copies.size() + i, p.keySerializer(), e.getKey(),
                                            e.getValue());
                                }
                            }
                        }
                        writer.endKeyGroup();
                    }
                    return writer.finish();
                }
            });
        }

        @Override
        public void close() {
            values.clear();
        }
    }

    private static final class Operator implements OperatorStateBackend {
        private final OperatorBackendParameters p;
        private final Map<String, Cell<?>> cells = new LinkedHashMap<>();
        private final Map<String, List<byte[]>> restored = new LinkedHashMap<>();
        private final Map<String, OperatorStateMetaInfo> restoredMeta = new HashMap<>();

        private record Cell<T>(RedistributionMode mode, TypeSerializer<T> serializer, List<T> values) {
        }

        Operator(OperatorBackendParameters p, Collection<OperatorStateHandle> handles) {
            this.p = p;
            StateHandleReader reader = p.handleReader();
            for (OperatorStateHandle h : handles) {
                try (OperatorSnapshotReader r = OperatorSnapshotReader.open(h, reader, p.operatorId())) {
                    for (String name : h.states().keySet()) {
                        restoredMeta.put(name, r.state(name));
                        restored.computeIfAbsent(name, n -> new ArrayList<>()).addAll(r.readElements(name));
                    }
                }
            }
        }

        @Override
        public <T> ListState<T> getListState(ListStateDescriptor<T> descriptor) {
            return list(descriptor, RedistributionMode.SPLIT);
        }

        @Override
        public <T> ListState<T> getUnionListState(ListStateDescriptor<T> descriptor) {
            return list(descriptor, RedistributionMode.UNION);
        }

        @SuppressWarnings("unchecked")
        private <T> ListState<T> list(ListStateDescriptor<T> d, RedistributionMode mode) {
            Cell<T> cell = (Cell<T>) cells.get(d.name());
            if (cell == null) {
                List<T> values = new ArrayList<>();
                List<byte[]> raw = restored.remove(d.name());
                restoredMeta.remove(d.name());
                if (raw != null) {
                    raw.forEach(b -> values.add(read(d.elementSerializer(), b)));
                }
                cell = new Cell<>(mode, d.elementSerializer(), values);
                cells.put(d.name(), cell);
            }
            List<T> values = cell.values();
            return new ListState<>() {
                @Override
                public Iterable<T> get() {
                    return Collections.unmodifiableList(values);
                }

                @Override
                public void add(T value) {
                    values.add(java.util.Objects.requireNonNull(value));
                }

                @Override
                public void update(List<T> newValues) {
                    values.clear();
                    values.addAll(newValues);
                }

                @Override
                public void addAll(List<T> more) {
                    values.addAll(more);
                }

                @Override
                public void clear() {
                    values.clear();
                }
            };
        }

        @Override
        public <K, V> BroadcastState<K, V> getBroadcastState(MapStateDescriptor<K, V> descriptor) {
            throw new UnsupportedOperationException("the test backend has no broadcast state");
        }

        @Override
        public Set<String> stateNames() {
            Set<String> names = new LinkedHashSet<>(cells.keySet());
            names.addAll(restored.keySet());
            return names;
        }

        @Override
        @SuppressWarnings("unchecked")
        public RunnableFuture<OperatorStateHandle> snapshot(long checkpointId, SnapshotType type,
                CheckpointStreamFactory streams) {
            if (cells.isEmpty() && restored.isEmpty()) {
                return new FutureTask<>(() -> null);
            }
            List<OperatorStateMetaInfo> metas = new ArrayList<>();
            List<Cell<Object>> copies = new ArrayList<>();
            for (Map.Entry<String, Cell<?>> e : cells.entrySet()) {
                Cell<Object> c = (Cell<Object>) e.getValue();
                metas.add(new OperatorStateMetaInfo(e.getKey(), c.mode(), c.serializer().snapshot()));
                List<Object> copy = new ArrayList<>();
                c.values().forEach(v -> copy.add(c.serializer().copy(v)));
                copies.add(new Cell<>(c.mode(), c.serializer(), copy));
            }
            List<List<byte[]>> carried = new ArrayList<>();
            for (Map.Entry<String, List<byte[]>> e : restored.entrySet()) {
                metas.add(restoredMeta.get(e.getKey()));
                carried.add(List.copyOf(e.getValue()));
            }
            return new FutureTask<>(() -> {
                try (CheckpointStateOutputStream out = streams.createOutputStream(CheckpointedStateScope.EXCLUSIVE)) {
                    OperatorSnapshotWriter writer = new OperatorSnapshotWriter(out, metas);
                    for (int i = 0; i < copies.size(); i++) {
                        for (Object v : copies.get(i).values()) {
                            writer.add(i, copies.get(i).serializer(), v);
                        }
                    }
                    for (int i = 0; i < carried.size(); i++) {
                        for (byte[] b : carried.get(i)) {
                            writer.addSerialized(copies.size() + i, b);
                        }
                    }
                    return writer.finish();
                }
            });
        }

        @Override
        public void close() {
            cells.clear();
        }
    }
}
