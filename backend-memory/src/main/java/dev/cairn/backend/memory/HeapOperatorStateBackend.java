package dev.cairn.backend.memory;

import dev.cairn.backend.AsyncSnapshotTask;
import dev.cairn.backend.OperatorStateBackend;
import dev.cairn.backend.SnapshotType;
import dev.cairn.checkpoint.CheckpointStateOutputStream;
import dev.cairn.checkpoint.CheckpointStreamFactory;
import dev.cairn.checkpoint.CheckpointedStateScope;
import dev.cairn.checkpoint.OperatorStateHandle;
import dev.cairn.checkpoint.StateHandleReader;
import dev.cairn.error.IncompatibleStateException;
import dev.cairn.format.snapshot.OperatorSnapshotReader;
import dev.cairn.format.snapshot.OperatorSnapshotWriter;
import dev.cairn.format.snapshot.OperatorStateMetaInfo;
import dev.cairn.serialization.TypeSerializer;
import dev.cairn.state.BroadcastState;
import dev.cairn.state.ListState;
import dev.cairn.state.ListStateDescriptor;
import dev.cairn.state.MapStateDescriptor;
import dev.cairn.state.RedistributionMode;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.RunnableFuture;

/**
 * Operator state on the heap: split and union list states and broadcast maps, snapshotted with
 * copy-on-write in the canonical operator format. Restored states stay serialized until requested.
 */
final class HeapOperatorStateBackend implements OperatorStateBackend {
    private final String operatorId;
    private final Map<String, OperatorStateCell<?, ?>> cells = new LinkedHashMap<>();
    private final Map<String, Restored> restored;
    private boolean closed;

    private HeapOperatorStateBackend(String operatorId, Map<String, Restored> restored) {
        this.operatorId = operatorId;
        this.restored = restored;
    }

    /** Elements of one restored state, still serialized, with the header entry that describes them. */
    private record Restored(OperatorStateMetaInfo meta, String source, List<byte[]> elements) {
    }

    static HeapOperatorStateBackend restore(String operatorId, StateHandleReader reader,
            Collection<OperatorStateHandle> handles) {
        Map<String, Restored> staging = new LinkedHashMap<>();
        for (OperatorStateHandle handle : handles) {
            if (handle == null) {
                continue;
            }
            try (OperatorSnapshotReader in = OperatorSnapshotReader.open(handle, reader, operatorId)) {
                for (String name : handle.states().keySet()) {
                    OperatorStateMetaInfo meta = in.state(name);
                    List<byte[]> elements = in.readElements(name);
                    Restored known = staging.get(name);
                    if (known == null) {
                        staging.put(name, new Restored(meta, in.file(), new ArrayList<>(elements)));
                    } else if (!known.meta().equals(meta)) {
                        throw new IncompatibleStateException("operator " + operatorId + ": state '" + name + "' is "
                                + meta.mode() + " " + meta.serializer() + " in " + in.file() + " but "
                                + known.meta().mode() + " " + known.meta().serializer() + " in " + known.source());
                    } else if (meta.mode() != RedistributionMode.BROADCAST) {
                        known.elements().addAll(elements);
                    } else if (known.elements().isEmpty()) {
                        known.elements().addAll(elements);
                    }
                }
            }
        }
        return new HeapOperatorStateBackend(operatorId, staging);
    }

    @Override
    public <T> ListState<T> getListState(ListStateDescriptor<T> descriptor) {
        return listState(descriptor, RedistributionMode.SPLIT);
    }

    @Override
    public <T> ListState<T> getUnionListState(ListStateDescriptor<T> descriptor) {
        return listState(descriptor, RedistributionMode.UNION);
    }

    @SuppressWarnings("unchecked")
    private <T> ListState<T> listState(ListStateDescriptor<T> descriptor, RedistributionMode mode) {
        OperatorStateCell<ArrayList<T>, T> cell = (OperatorStateCell<ArrayList<T>, T>) cell(descriptor.name(), mode,
                descriptor.elementSerializer(), () -> {
                    ArrayList<T> list = new ArrayList<>();
                    return new OperatorStateCell<>(descriptor.name(), mode, descriptor.elementSerializer(), list,
                            ArrayList::new);
                }, (c, elements) -> {
                    for (byte[] e : elements) {
                        ((ArrayList<T>) c.read()).add(HeapKeyedStateBackend.deserialize(descriptor.elementSerializer(),
                                e, restored.get(descriptor.name()).source(),
                                "an element of operator state '" + descriptor.name() + "'"));
                    }
                });
        return new OperatorListState<>(cell);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <K, V> BroadcastState<K, V> getBroadcastState(MapStateDescriptor<K, V> descriptor) {
        TypeSerializer<Map<K, V>> serializer = descriptor.stateSerializer();
        OperatorStateCell<HashMap<K, V>, Map<K, V>> cell = (OperatorStateCell<HashMap<K, V>, Map<K, V>>) cell(
                descriptor.name(), RedistributionMode.BROADCAST, serializer,
                () -> new OperatorStateCell<>(descriptor.name(), RedistributionMode.BROADCAST, serializer,
                        new HashMap<K, V>(), HashMap::new),
                (c, elements) -> {
                    for (byte[] e : elements) {
                        ((HashMap<K, V>) c.read()).putAll(HeapKeyedStateBackend.deserialize(serializer, e,
                                restored.get(descriptor.name()).source(),
                                "the map of broadcast state '" + descriptor.name() + "'"));
                    }
                });
        return new OperatorBroadcastState<>(cell);
    }

    private interface Filler {
        void fill(OperatorStateCell<?, ?> cell, List<byte[]> elements);
    }

    private OperatorStateCell<?, ?> cell(String name, RedistributionMode mode, TypeSerializer<?> serializer,
            java.util.function.Supplier<OperatorStateCell<?, ?>> create, Filler filler) {
        ensureOpen();
        OperatorStateCell<?, ?> cell = cells.get(name);
        if (cell != null) {
            if (cell.mode != mode || !cell.serializerSnapshot.equals(serializer.snapshot())) {
                throw new IncompatibleStateException("operator state '" + name + "' of operator " + operatorId
                        + " is registered as " + cell.mode + " " + cell.serializerSnapshot + ", requested as " + mode
                        + " " + serializer.snapshot());
            }
            return cell;
        }
        Restored previous = restored.get(name);
        if (previous != null) {
            if (previous.meta().mode() != mode) {
                throw new IncompatibleStateException("operator state '" + name + "' of operator " + operatorId
                        + " was restored from " + previous.source() + " as " + previous.meta().mode()
                        + " state and cannot be read as " + mode + " state");
            }
            if (!serializer.canRead(previous.meta().serializer())) {
                throw new IncompatibleStateException("operator state '" + name + "' of operator " + operatorId
                        + " was written by serializer " + previous.meta().serializer() + " (in " + previous.source()
                        + "), which the declared serializer " + serializer.snapshot() + " cannot read");
            }
        }
        cell = create.get();
        if (previous != null) {
            filler.fill(cell, previous.elements());
            restored.remove(name);
        }
        cells.put(name, cell);
        return cell;
    }

    @Override
    public Set<String> stateNames() {
        Set<String> names = new LinkedHashSet<>(cells.keySet());
        names.addAll(restored.keySet());
        return Collections.unmodifiableSet(names);
    }

    @Override
    public RunnableFuture<OperatorStateHandle> snapshot(long checkpointId, SnapshotType type,
            CheckpointStreamFactory streams) {
        ensureOpen();
        Objects.requireNonNull(streams, "streams");
        if (cells.isEmpty() && restored.isEmpty()) {
            return AsyncSnapshotTask.completed(null);
        }
        List<OperatorStateMetaInfo> metas = new ArrayList<>();
        List<OperatorStateCell<?, ?>> pinnedCells = new ArrayList<>(cells.values());
        List<OperatorStateCell.Pin<?>> pins = new ArrayList<>();
        for (OperatorStateCell<?, ?> cell : pinnedCells) {
            metas.add(new OperatorStateMetaInfo(cell.name, cell.mode, cell.serializerSnapshot));
            pins.add(cell.pin());
        }
        List<Restored> carried = new ArrayList<>(restored.values());
        for (Restored r : carried) {
            metas.add(r.meta());
        }
        return new AsyncSnapshotTask<>(() -> {
            try (CheckpointStateOutputStream out = streams.createOutputStream(CheckpointedStateScope.EXCLUSIVE)) {
                OperatorSnapshotWriter writer = new OperatorSnapshotWriter(out, metas);
                for (int i = 0; i < pinnedCells.size(); i++) {
                    writeCell(writer, i, pinnedCells.get(i), pins.get(i).value());
                }
                for (int i = 0; i < carried.size(); i++) {
                    for (byte[] element : carried.get(i).elements()) {
                        writer.addSerialized(pinnedCells.size() + i, element);
                    }
                }
                return writer.finish();
            }
        }, () -> pins.forEach(OperatorStateCell.Pin::release));
    }

    @SuppressWarnings("unchecked")
    private static <E> void writeCell(OperatorSnapshotWriter writer, int index, OperatorStateCell<?, E> cell,
            Object container) {
        if (cell.mode == RedistributionMode.BROADCAST) {
            writer.add(index, cell.elementSerializer, (E) container);
        } else {
            for (Object element : (List<?>) container) {
                writer.add(index, cell.elementSerializer, (E) element);
            }
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the operator backend of operator " + operatorId + " is closed");
        }
    }

    @Override
    public void close() {
        closed = true;
        cells.clear();
        restored.clear();
    }

    /** Split or union list state. */
    private final class OperatorListState<T> implements ListState<T> {
        private final OperatorStateCell<ArrayList<T>, T> cell;

        OperatorListState(OperatorStateCell<ArrayList<T>, T> cell) {
            this.cell = cell;
        }

        @Override
        public Iterable<T> get() {
            ensureOpen();
            return Collections.unmodifiableList(cell.read());
        }

        @Override
        public void add(T value) {
            Objects.requireNonNull(value, "list state elements must not be null");
            ensureOpen();
            cell.write().add(value);
        }

        @Override
        public void update(List<T> values) {
            HeapListState.checkElements(values);
            ensureOpen();
            ArrayList<T> list = cell.write();
            list.clear();
            list.addAll(values);
        }

        @Override
        public void addAll(List<T> values) {
            HeapListState.checkElements(values);
            ensureOpen();
            if (!values.isEmpty()) {
                cell.write().addAll(values);
            }
        }

        @Override
        public void clear() {
            ensureOpen();
            if (!cell.read().isEmpty()) {
                cell.write().clear();
            }
        }
    }

    /** Broadcast state: one map per subtask, equal on all subtasks. */
    private final class OperatorBroadcastState<K, V> implements BroadcastState<K, V> {
        private final OperatorStateCell<HashMap<K, V>, Map<K, V>> cell;

        OperatorBroadcastState(OperatorStateCell<HashMap<K, V>, Map<K, V>> cell) {
            this.cell = cell;
        }

        @Override
        public V get(K key) {
            Objects.requireNonNull(key, "broadcast state keys must not be null");
            ensureOpen();
            return cell.read().get(key);
        }

        @Override
        public boolean contains(K key) {
            Objects.requireNonNull(key, "broadcast state keys must not be null");
            ensureOpen();
            return cell.read().containsKey(key);
        }

        @Override
        public void put(K key, V value) {
            Objects.requireNonNull(key, "broadcast state keys must not be null");
            ensureOpen();
            cell.write().put(key, value);
        }

        @Override
        public void putAll(Map<K, V> map) {
            Objects.requireNonNull(map, "map");
            for (K k : map.keySet()) {
                Objects.requireNonNull(k, "broadcast state keys must not be null");
            }
            ensureOpen();
            if (!map.isEmpty()) {
                cell.write().putAll(map);
            }
        }

        @Override
        public void remove(K key) {
            Objects.requireNonNull(key, "broadcast state keys must not be null");
            ensureOpen();
            if (cell.read().containsKey(key)) {
                cell.write().remove(key);
            }
        }

        @Override
        public Iterable<Map.Entry<K, V>> entries() {
            ensureOpen();
            HashMap<K, V> map = cell.read();
            return () -> map.entrySet().stream()
                    .<Map.Entry<K, V>>map(e -> new AbstractMap.SimpleImmutableEntry<>(e.getKey(), e.getValue()))
                    .iterator();
        }

        @Override
        public void clear() {
            ensureOpen();
            if (!cell.read().isEmpty()) {
                cell.write().clear();
            }
        }
    }
}
