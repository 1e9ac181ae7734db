package dev.cairn.backend.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.backend.KeyedBackendParameters;
import dev.cairn.backend.KeyedStateBackend;
import dev.cairn.backend.SnapshotType;
import dev.cairn.checkpoint.FileStateHandle;
import dev.cairn.checkpoint.IncrementalKeyedStateHandle;
import dev.cairn.checkpoint.KeyedStateHandle;
import dev.cairn.checkpoint.StreamStateHandle;
import dev.cairn.error.CorruptCheckpointException;
import dev.cairn.keygroup.KeyGroupRange;
import dev.cairn.keygroup.KeyGroups;
import dev.cairn.serialization.Serializers;
import dev.cairn.serialization.TypeSerializer;
import dev.cairn.state.ListState;
import dev.cairn.state.ListStateDescriptor;
import dev.cairn.state.MapState;
import dev.cairn.state.MapStateDescriptor;
import dev.cairn.state.ValueState;
import dev.cairn.state.ValueStateDescriptor;
import dev.cairn.storage.fs.LocalBlobStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rocksdb.RocksIterator;

/**
 * Restores of incremental checkpoints at another parallelism: value, list (merge operands spread
 * over several SST files) and map state with long and string keys come back exactly, no entry of a
 * foreign key group is left in any column family, and the log says how each handle was merged.
 */
class RescaleRestoreTest extends RocksDbTestSupport {
    private static final Logger RESTORE_LOG = Logger.getLogger(RocksDbRestore.class.getName());
    static final ValueStateDescriptor<String> VALUE = new ValueStateDescriptor<>("value", Serializers.STRING);
    static final ListStateDescriptor<Long> LIST = new ListStateDescriptor<>("list", Serializers.LONG);
    static final MapStateDescriptor<String, Long> MAP = new MapStateDescriptor<>("map", Serializers.STRING,
            Serializers.LONG);

    private final List<AutoCloseable> opened = new ArrayList<>();
    private final List<String> restoreLog = Collections.synchronizedList(new ArrayList<>());
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            restoreLog.add(String.valueOf(record.getMessage()));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private long nextCheckpoint = 1;

    private java.util.logging.Level previousLevel;

    @BeforeEach
    void captureRestoreLog() {
        previousLevel = RESTORE_LOG.getLevel();
        RESTORE_LOG.setLevel(java.util.logging.Level.FINE);
        RESTORE_LOG.addHandler(capture);
    }

    @AfterEach
    void closeBackends() throws Exception {
        RESTORE_LOG.removeHandler(capture);
        RESTORE_LOG.setLevel(previousLevel);
        Collections.reverse(opened);
        for (AutoCloseable c : opened) {
            c.close();
        }
    }

    /** What every key's states must hold. */
    static final class Model<K> {
        final Map<K, String> values = new HashMap<>();
        final Map<K, List<Long>> lists = new HashMap<>();
        final Map<K, Map<String, Long>> maps = new HashMap<>();
        final Set<K> keys = new HashSet<>();
    }

    <K> RocksDbKeyedStateBackend<K> open(TypeSerializer<K> keys, KeyGroupRange range,
            Collection<KeyedStateHandle> restore) {
        return open(keys, range, restore, newLocalDirectory());
    }

    <K> RocksDbKeyedStateBackend<K> open(TypeSerializer<K> keys, KeyGroupRange range,
            Collection<KeyedStateHandle> restore, Path local) {
        KeyedStateBackend<K> b = rocksdb(Map.of()).createKeyedBackend(new KeyedBackendParameters<>("op", keys,
                MAX_PARALLELISM, range, local, storage), restore);
        opened.add(b);
        return (RocksDbKeyedStateBackend<K>) b;
    }

    static KeyGroupRange range(int parallelism, int subtask) {
        return KeyGroups.rangeForSubtask(MAX_PARALLELISM, parallelism, subtask);
    }

    /**
     * Writes {@code keys} at {@code parallelism} in two rounds with the memtables flushed between
     * them (the synchronous phase of a checkpoint that is then cancelled), so list appends,
     * overwrites and deletions sit in different SST files, and returns the handles of a checkpoint.
     */
    <K> List<KeyedStateHandle> writeAt(int parallelism, TypeSerializer<K> serializer, List<K> keys, Model<K> model) {
        Map<K, Long> index = new HashMap<>();
        for (K k : keys) {
            index.put(k, (long) index.size());
        }
        List<KeyedStateHandle> handles = new ArrayList<>();
        long first = nextCheckpoint++;
        long second = nextCheckpoint++;
        for (int subtask = 0; subtask < parallelism; subtask++) {
            KeyGroupRange range = range(parallelism, subtask);
            RocksDbKeyedStateBackend<K> b = open(serializer, range, List.of());
            List<K> owned = keys.stream().filter(k -> range.contains(KeyGroups.keyGroupOf(k, MAX_PARALLELISM)))
                    .toList();
            ValueState<String> value = b.getState(VALUE);
            ListState<Long> list = b.getState(LIST);
            MapState<String, Long> map = b.getState(MAP);
            for (K k : owned) {
                long i = index.get(k);
                b.setCurrentKey(k);
                value.update("v1-" + i);
                list.add(i);
                list.add(2 * i);
                map.put("a", i);
                if (i % 3 == 0) {
                    map.put("b", null);
                }
            }
            b.snapshot(first, SnapshotType.CHECKPOINT, storage.initializeLocation(first)).cancel(false);
            for (K k : owned) {
                long i = index.get(k);
                b.setCurrentKey(k);
                list.add(-i);
                map.put("c" + (i % 5), i * 7);
                if (i % 2 == 0) {
                    value.update("v2-" + i);
                }
                if (i % 7 == 0) {
                    map.remove("a");
                }
                if (i % 11 == 0) {
                    value.clear();
                    list.clear();
                }
            }
            handles.add(snapshot(b, second, SnapshotType.CHECKPOINT));
            b.notifyCheckpointComplete(second);
        }
        for (K k : keys) {
            long i = index.get(k);
            model.keys.add(k);
            if (i % 11 != 0) {
                model.values.put(k, i % 2 == 0 ? "v2-" + i : "v1-" + i);
                model.lists.put(k, List.of(i, 2 * i, -i));
            }
            Map<String, Long> m = new HashMap<>();
            if (i % 7 != 0) {
                m.put("a", i);
            }
            if (i % 3 == 0) {
                m.put("b", null);
            }
            m.put("c" + (i % 5), i * 7);
            model.maps.put(k, m);
        }
        return handles;
    }

    /** Restores every subtask at {@code parallelism} from {@code handles}, checks it, returns the new handles. */
    <K> List<KeyedStateHandle> restoreAt(int parallelism, TypeSerializer<K> serializer, List<KeyedStateHandle> handles,
            Model<K> model, IntFunction<String> expectedLog) {
        List<KeyedStateHandle> next = new ArrayList<>();
        long id = nextCheckpoint++;
        for (int subtask = 0; subtask < parallelism; subtask++) {
            restoreLog.clear();
            KeyGroupRange range = range(parallelism, subtask);
            RocksDbKeyedStateBackend<K> b = open(serializer, range, handles);
            String expected = expectedLog.apply(subtask);
            assertThat(restoreLog).as("restore log of subtask %s of %s", subtask, parallelism)
                    .anyMatch(m -> m.contains(expected));
            verify(b, model, range);
            next.add(snapshot(b, id, SnapshotType.CHECKPOINT));
            b.notifyCheckpointComplete(id);
        }
        return next;
    }

    /** Every owned key holds exactly its model's states; no column family holds a key of another key group. */
    <K> void verify(RocksDbKeyedStateBackend<K> b, Model<K> model, KeyGroupRange range) {
        Set<K> owned = model.keys.stream().filter(k -> range.contains(KeyGroups.keyGroupOf(k, MAX_PARALLELISM)))
                .collect(Collectors.toSet());
        for (RocksDbKeyedStateBackend.Entry e : b.states().values()) {
            int entries = 0;
            try (RocksIterator it = b.database().db.newIterator(e.family)) {
                for (it.seekToFirst(); it.isValid(); it.next()) {
                    int kg = Keys.keyGroupOf(it.key());
                    assertThat(range.contains(kg)).as("state '%s' holds an entry of key group %s outside %s",
                            e.meta.name(), kg, range).isTrue();
                    entries++;
                }
            }
            assertThat(entries).as("entries of state '%s'", e.meta.name()).isPositive();
        }
        assertThat(b.keys(VALUE.name()).collect(Collectors.toSet())).as("keys of the value state")
                .isEqualTo(owned.stream().filter(model.values::containsKey).collect(Collectors.toSet()));
        assertThat(b.keys(LIST.name()).collect(Collectors.toSet())).as("keys of the list state")
                .isEqualTo(owned.stream().filter(model.lists::containsKey).collect(Collectors.toSet()));
        assertThat(b.keys(MAP.name()).collect(Collectors.toSet())).as("keys of the map state").isEqualTo(owned);
        ValueState<String> value = b.getState(VALUE);
        ListState<Long> list = b.getState(LIST);
        MapState<String, Long> map = b.getState(MAP);
        for (K k : owned) {
            b.setCurrentKey(k);
            assertThat(value.value()).as("value of %s", k).isEqualTo(model.values.get(k));
            List<Long> elements = new ArrayList<>();
            list.get().forEach(elements::add);
            assertThat(elements).as("list of %s", k).isEqualTo(model.lists.getOrDefault(k, List.of()));
            Map<String, Long> entries = new LinkedHashMap<>();
            map.entries().forEach(e -> entries.put(e.getKey(), e.getValue()));
            assertThat(entries).as("map of %s", k).isEqualTo(model.maps.get(k));
        }
    }

    static List<Long> longKeys(int count) {
        List<Long> keys = new ArrayList<>(count);
        for (long k = 0; k < count; k++) {
            keys.add(k * 31 + 5);
        }
        return keys;
    }

    static List<String> stringKeys(int count) {
        List<String> keys = new ArrayList<>(count);
        for (int k = 0; k < count; k++) {
            keys.add("user-" + k + "-" + "x".repeat(k % 13));
        }
        return keys;
    }

    @Test
    void scaleInTwoToOneImportsBothHandlesAndTheResultCheckpointsAndRestores() throws IOException {
        Model<Long> model = new Model<>();
        List<KeyedStateHandle> two = writeAt(2, Serializers.LONG, longKeys(600), model);
        List<KeyedStateHandle> one = restoreAt(1, Serializers.LONG, two, model,
                s -> "2 imported as SST files, 0 streamed");
        restoreAt(1, Serializers.LONG, one, model, s -> "1 opened as the working database, 0 imported");

        RocksDbKeyedStateBackend<Long> b = open(Serializers.LONG, range(1, 0), two);
        Set<StreamStateHandle> uploaded = new HashSet<>();
        two.forEach(h -> uploaded.addAll(((IncrementalKeyedStateHandle) h).sharedState().values()));
        Map<String, StreamStateHandle> reusable = b.tracker().confirmed();
        assertThat(reusable).as("imported files the next checkpoint refers to instead of uploading").isNotEmpty();
        assertThat(uploaded).containsAll(reusable.values());
        for (Map.Entry<String, StreamStateHandle> e : reusable.entrySet()) {
            Path file = b.databaseDirectory().resolve(e.getKey());
            if (Files.exists(file)) {
                assertThat(Files.size(file)).as("size of %s", e.getKey()).isEqualTo(e.getValue().stateSize());
            }
        }
    }

    @Test
    void scaleInThreeToTwoImportsOverlappingHandlesAndClips() {
        Model<String> model = new Model<>();
        List<KeyedStateHandle> three = writeAt(3, Serializers.STRING, stringKeys(600), model);
        restoreAt(2, Serializers.STRING, three, model, s -> "2 imported as SST files, 0 streamed through "
                + "SstFileWriter, 0 copied entry by entry, clipped to the range");
    }

    @Test
    void scaleInFourToOneImportsEveryHandle() {
        Model<String> model = new Model<>();
        List<KeyedStateHandle> four = writeAt(4, Serializers.STRING, stringKeys(600), model);
        restoreAt(1, Serializers.STRING, four, model, s -> "4 imported as SST files, 0 streamed through "
                + "SstFileWriter, 0 copied entry by entry)");
    }

    @Test
    void scaleOutOneToTwoOpensTheHandleAndClipsIt() {
        Model<Long> model = new Model<>();
        List<KeyedStateHandle> one = writeAt(1, Serializers.LONG, longKeys(600), model);
        restoreAt(2, Serializers.LONG, one, model, s -> "1 opened as the working database, 0 imported as SST "
                + "files, 0 streamed through SstFileWriter, 0 copied entry by entry, clipped to the range");
    }

    /**
     * After a scale-out, the SST files of each subtask still hold the other half's keys (hidden by
     * range deletions), so importing both would overlap: one is opened, the other streamed.
     */
    @Test
    void handlesOfClippedDatabasesAreStreamedNotImported() {
        Model<Long> model = new Model<>();
        List<KeyedStateHandle> one = writeAt(1, Serializers.LONG, longKeys(600), model);
        List<KeyedStateHandle> two = restoreAt(2, Serializers.LONG, one, model, s -> "1 opened");
        restoreAt(1, Serializers.LONG, two, model, s -> "1 opened as the working database, 0 imported as SST "
                + "files, 1 streamed through SstFileWriter");
    }

    @Test
    void anImportableAndAClippedHandleAreImportedAndStreamed() {
        Model<Long> model = new Model<>();
        List<Long> keys = longKeys(600);
        List<KeyedStateHandle> fresh = writeAt(2, Serializers.LONG, keys, model);
        List<KeyedStateHandle> clipped = restoreAt(2, Serializers.LONG, restoreAt(1, Serializers.LONG, fresh, model,
                s -> "2 imported"), model, s -> "1 opened");
        List<KeyedStateHandle> mixed = List.of(fresh.get(0), clipped.get(1));
        restoreAt(1, Serializers.LONG, mixed, model, s -> "0 opened as the working database, 1 imported as SST "
                + "files, 1 streamed through SstFileWriter");
    }

    /**
     * Subtask 0 restored from a savepoint and never asked for its states keeps list and map state in
     * the canonical layout, subtask 1 asked for them and rewrote them natively: both handles are
     * imported, except the states whose layout differs, which are copied into the imported ones.
     */
    @Test
    void statesWhoseLayoutDiffersBetweenHandlesAreCopiedIntoTheImportedOnes() {
        Model<Long> model = new Model<>();
        List<KeyedStateHandle> one = writeAt(1, Serializers.LONG, longKeys(600), model);
        long id = nextCheckpoint++;
        KeyedStateHandle savepoint = snapshot(open(Serializers.LONG, range(1, 0), one), id, SnapshotType.SAVEPOINT);
        RocksDbKeyedStateBackend<Long> canonical = open(Serializers.LONG, range(2, 0), List.of(savepoint));
        RocksDbKeyedStateBackend<Long> rewritten = open(Serializers.LONG, range(2, 1), List.of(savepoint));
        rewritten.getState(VALUE);
        rewritten.getState(LIST);
        rewritten.getState(MAP);
        assertThat(canonical.states().get(LIST.name()).meta.layout()).isEqualTo(Layout.CANONICAL);
        assertThat(rewritten.states().get(LIST.name()).meta.layout()).isEqualTo(Layout.NATIVE);
        long next = nextCheckpoint++;
        List<KeyedStateHandle> two = List.of(snapshot(canonical, next, SnapshotType.CHECKPOINT),
                snapshot(rewritten, next, SnapshotType.CHECKPOINT));
        restoreAt(1, Serializers.LONG, two, model, s -> "2 imported as SST files, 0 streamed through "
                + "SstFileWriter, 0 copied entry by entry)");
    }

    @Test
    void theCopyPathIsKeptBehindTheSystemProperty() {
        Model<Long> model = new Model<>();
        List<KeyedStateHandle> two = writeAt(2, Serializers.LONG, longKeys(600), model);
        System.setProperty(RocksDbRestore.IMPORT_PROPERTY, "false");
        try {
            restoreAt(1, Serializers.LONG, two, model, s -> "1 opened as the working database, 0 imported as SST "
                    + "files, 0 streamed through SstFileWriter, 1 copied entry by entry");
        } finally {
            System.clearProperty(RocksDbRestore.IMPORT_PROPERTY);
        }
    }

    @Test
    void aDamagedSstFileInOneHandleIsRefusedByNameAndNothingStaysOnDisk() {
        Model<Long> model = new Model<>();
        List<KeyedStateHandle> two = writeAt(2, Serializers.LONG, longKeys(3000), model);
        IncrementalKeyedStateHandle damaged = (IncrementalKeyedStateHandle) two.get(1);
        Map.Entry<String, ?> sst = damaged.sharedState().entrySet().stream()
                .filter(e -> e.getValue() instanceof FileStateHandle).findFirst().orElseThrow();
        String location = ((FileStateHandle) sst.getValue()).location();
        flipBit(LocalBlobStore.toPath(location), 0.3);
        Path local = newLocalDirectory();
        assertThatThrownBy(() -> open(Serializers.LONG, range(1, 0), two, local))
                .isInstanceOf(CorruptCheckpointException.class).hasMessageContaining(location)
                .hasMessageContaining(sst.getKey()).hasMessageContaining("checksum");
        assertThat(filesUnder(local)).as("a failed restore leaves nothing in the local directory").isEmpty();
    }
}
