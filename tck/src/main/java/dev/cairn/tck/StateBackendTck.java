package dev.cairn.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.cairn.backend.KeyedBackendParameters;
import dev.cairn.backend.KeyedStateBackend;
import dev.cairn.backend.OperatorBackendParameters;
import dev.cairn.backend.OperatorStateBackend;
import dev.cairn.backend.OperatorStateRepartitioner;
import dev.cairn.backend.SnapshotType;
import dev.cairn.backend.Snapshottable;
import dev.cairn.backend.StateBackend;
import dev.cairn.blob.SeekableInputStream;
import dev.cairn.checkpoint.CheckpointStateOutputStream;
import dev.cairn.checkpoint.CheckpointStorage;
import dev.cairn.checkpoint.CheckpointedStateScope;
import dev.cairn.checkpoint.FileStateHandle;
import dev.cairn.checkpoint.KeyGroupsStateHandle;
import dev.cairn.checkpoint.KeyedStateHandle;
import dev.cairn.checkpoint.OperatorStateHandle;
import dev.cairn.checkpoint.StateHandle;
import dev.cairn.checkpoint.StreamStateHandle;
import dev.cairn.error.CorruptCheckpointException;
import dev.cairn.error.IncompatibleStateException;
import dev.cairn.error.UnsupportedVersionException;
import dev.cairn.format.FormatWriter;
import dev.cairn.format.snapshot.SnapshotStreams;
import dev.cairn.keygroup.KeyGroupRange;
import dev.cairn.keygroup.KeyGroups;
import dev.cairn.runtime.storage.MemoryCheckpointStorage;
import dev.cairn.serialization.Serializers;
import dev.cairn.serialization.TypeSerializer;
import dev.cairn.state.AggregateFunction;
import dev.cairn.state.AggregatingState;
import dev.cairn.state.AggregatingStateDescriptor;
import dev.cairn.state.BroadcastState;
import dev.cairn.state.ListState;
import dev.cairn.state.ListStateDescriptor;
import dev.cairn.state.MapState;
import dev.cairn.state.MapStateDescriptor;
import dev.cairn.state.ReducingState;
import dev.cairn.state.ReducingStateDescriptor;
import dev.cairn.state.StateType;
import dev.cairn.state.ValueState;
import dev.cairn.state.ValueStateDescriptor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RunnableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The conformance suite of a {@link StateBackend}: the semantics of every state type, snapshots
 * (round trip, isolation from later writes, several in flight), restores at another parallelism,
 * serializer and type compatibility, operator state redistribution, and the refusal of damaged
 * snapshot streams. Each test is a rule of {@code tck/CONTRACT.md}.
 *
 * <p>To certify a backend, extend this class and implement {@link #createBackend()}. Override
 * {@link #createCheckpointStorage(Path)} to run the suite on another checkpoint storage, and
 * {@link #createBackend(Map)} if the backend accepts a {@code compression} option.
 */
public abstract class StateBackendTck {
    /** The operator all backends of the suite are created for; errors about inline state name it. */
    protected static final String OPERATOR_ID = "tck-operator";
    protected static final int MAX_PARALLELISM = KeyGroups.DEFAULT_MAX_PARALLELISM;

    protected static final ValueStateDescriptor<String> VALUE = new ValueStateDescriptor<>("value",
            Serializers.STRING);
    protected static final ListStateDescriptor<Long> LIST = new ListStateDescriptor<>("list", Serializers.LONG);
    protected static final MapStateDescriptor<String, Long> MAP = new MapStateDescriptor<>("map", Serializers.STRING,
            Serializers.LONG);
    protected static final ReducingStateDescriptor<Long> REDUCING = new ReducingStateDescriptor<>("reducing",
            Long::sum, Serializers.LONG);
    protected static final AggregatingStateDescriptor<Long, List<Long>, String> AGGREGATING =
            new AggregatingStateDescriptor<>("aggregating", new SumAndCount(), Serializers.listOf(Serializers.LONG));

    @TempDir
    protected Path tempDir;

    private CheckpointStorage storage;
    private final List<AutoCloseable> resources = new ArrayList<>();
    private long nextCheckpointId = 1;
    private int nextLocalDirectory;

    /** A new instance of the backend under test. */
    protected abstract StateBackend createBackend();

    /** The checkpoint storage snapshots are written to and restored from; in memory unless overridden. */
    protected CheckpointStorage createCheckpointStorage(Path directory) {
        return new MemoryCheckpointStorage("state-backend-tck");
    }

    /**
     * The backend configured with {@code options} (e.g. {@code compression=lz4}), or {@code null} if it
     * takes no options; the compression rule is skipped then.
     */
    protected StateBackend createBackend(Map<String, String> options) {
        return null;
    }

    /** The values of the {@code compression} option the compression rule tries. */
    protected List<String> compressionCodecs() {
        return List.of("none", "lz4", "snappy");
    }

    @BeforeEach
    void openStorage() {
        storage = createCheckpointStorage(tempDir);
    }

    @AfterEach
    void closeResources() throws Exception {
        Collections.reverse(resources);
        for (AutoCloseable r : resources) {
            r.close();
        }
        resources.clear();
        storage.close();
    }

    // ---------------------------------------------------------------- state semantics

    @Test
    @DisplayName("STATE-01 MUST: value state reads null when absent, update(null) and clear() remove the value")
    void ruleSTATE01_valueStateSemantics() {
        KeyedStateBackend<Long> b = keyedBackend();
        ValueState<String> state = b.getState(VALUE);
        b.setCurrentKey(1L);
        assertThat(state.value()).as("value() of a key never written").isNull();
        state.update("one");
        assertThat(state.value()).isEqualTo("one");
        state.update("uno");
        assertThat(state.value()).as("value() after a second update").isEqualTo("uno");
        state.update(null);
        assertThat(state.value()).as("value() after update(null)").isNull();
        assertThat(b.keys(VALUE.name())).as("keys after update(null)").isEmpty();
        state.update("again");
        state.clear();
        assertThat(state.value()).as("value() after clear()").isNull();
        state.clear();
        assertThat(b.keys(VALUE.name())).as("keys after clear()").isEmpty();
    }

    @Test
    @DisplayName("STATE-02 MUST: list state adds, replaces and clears; get() is empty (never null) and nulls are refused")
    void ruleSTATE02_listStateSemantics() {
        KeyedStateBackend<Long> b = keyedBackend();
        ListState<Long> state = b.getState(LIST);
        b.setCurrentKey(1L);
        assertThat(state.get()).as("get() of a key never written").isNotNull().isEmpty();
        state.add(1L);
        state.add(2L);
        state.addAll(List.of(3L, 4L));
        state.addAll(List.of());
        assertThat(state.get()).containsExactly(1L, 2L, 3L, 4L);
        Iterator<Long> it = state.get().iterator();
        it.next();
        assertThatThrownBy(it::remove).as("get() is an unmodifiable view").isInstanceOf(UnsupportedOperationException.class);
        state.update(List.of(7L, 8L));
        assertThat(state.get()).as("after update").containsExactly(7L, 8L);
        assertThatThrownBy(() -> state.add(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> state.addAll(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> state.update(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> state.addAll(Arrays.asList(9L, null))).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> state.update(Arrays.asList(9L, null))).isInstanceOf(NullPointerException.class);
        assertThat(state.get()).as("a refused call changes nothing").containsExactly(7L, 8L);
        state.update(List.of());
        assertThat(state.get()).as("after update(empty)").isEmpty();
        assertThat(b.keys(LIST.name())).as("keys after update(empty)").isEmpty();
        state.add(5L);
        state.clear();
        assertThat(state.get()).as("after clear()").isEmpty();
        assertThat(b.keys(LIST.name())).isEmpty();
    }

    @Test
    @DisplayName("STATE-03 MUST: map state puts, removes and iterates (with remove), allows null values and refuses null keys")
    void ruleSTATE03_mapStateSemantics() {
        KeyedStateBackend<Long> b = keyedBackend();
        MapState<String, Long> state = b.getState(MAP);
        b.setCurrentKey(1L);
        assertThat(state.isEmpty()).isTrue();
        assertThat(state.get("a")).isNull();
        assertThat(state.contains("a")).isFalse();
        assertThat(state.entries()).isEmpty();
        state.put("a", 1L);
        state.put("n", null);
        state.putAll(Map.of("b", 2L, "c", 3L));
        assertThat(state.get("a")).isEqualTo(1L);
        assertThat(state.get("n")).as("a null value").isNull();
        assertThat(state.contains("n")).as("contains() tells a null value from an absent key").isTrue();
        assertThat(state.contains("x")).isFalse();
        assertThat(toMap(state.entries())).isEqualTo(mapOf("a", 1L, "n", null, "b", 2L, "c", 3L));
        assertThat(state.keys()).containsExactlyInAnyOrder("a", "n", "b", "c");
        assertThat(state.values()).containsExactlyInAnyOrder(1L, null, 2L, 3L);
        state.remove("b");
        state.remove("absent");
        assertThat(state.contains("b")).isFalse();
        for (Iterator<Map.Entry<String, Long>> it = state.iterator(); it.hasNext();) {
            if (it.next().getKey().equals("a")) {
                it.remove();
            }
        }
        Iterator<String> keys = state.keys().iterator();
        while (keys.hasNext()) {
            if (keys.next().equals("n")) {
                keys.remove();
            }
        }
        assertThat(toMap(state.entries())).as("after removes through iterators").isEqualTo(mapOf("c", 3L));
        assertThatThrownBy(() -> state.put(null, 1L)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> state.get(null)).isInstanceOf(NullPointerException.class);
        Iterator<Long> values = state.values().iterator();
        values.next();
        values.remove();
        assertThat(state.isEmpty()).as("after removing the last entry").isTrue();
        assertThat(b.keys(MAP.name())).as("a key whose map became empty").isEmpty();
        state.put("z", 26L);
        state.clear();
        assertThat(state.isEmpty()).isTrue();
        assertThat(b.keys(MAP.name())).isEmpty();
    }

    @Test
    @DisplayName("STATE-04 MUST: reducing state reduces added values, reads null when empty and refuses null")
    void ruleSTATE04_reducingStateSemantics() {
        KeyedStateBackend<Long> b = keyedBackend();
        ReducingState<Long> state = b.getState(REDUCING);
        b.setCurrentKey(1L);
        assertThat(state.get()).isNull();
        state.add(5L);
        assertThat(state.get()).isEqualTo(5L);
        state.add(7L);
        assertThat(state.get()).isEqualTo(12L);
        assertThatThrownBy(() -> state.add(null)).isInstanceOf(NullPointerException.class);
        state.clear();
        assertThat(state.get()).isNull();
        assertThat(b.keys(REDUCING.name())).isEmpty();
    }

    @Test
    @DisplayName("STATE-05 MUST: aggregating state folds added values into its accumulator, reads null when empty")
    void ruleSTATE05_aggregatingStateSemantics() {
        KeyedStateBackend<Long> b = keyedBackend();
        AggregatingState<Long, String> state = b.getState(AGGREGATING);
        b.setCurrentKey(1L);
        assertThat(state.get()).isNull();
        state.add(5L);
        state.add(7L);
        assertThat(state.get()).isEqualTo("12/2");
        assertThatThrownBy(() -> state.add(null)).isInstanceOf(NullPointerException.class);
        state.clear();
        assertThat(state.get()).isNull();
        assertThat(b.keys(AGGREGATING.name())).isEmpty();
    }

    @Test
    @DisplayName("STATE-06 MUST: values larger than 1 MiB are stored, snapshotted and restored intact")
    void ruleSTATE06_largeValues() {
        ValueStateDescriptor<byte[]> bytesDescriptor = new ValueStateDescriptor<>("bytes", Serializers.BYTES);
        MapStateDescriptor<Long, byte[]> mapDescriptor = new MapStateDescriptor<>("bytes-map", Serializers.LONG,
                Serializers.BYTES);
        byte[] big = pattern(3 << 20, 1);
        byte[] big2 = pattern((1 << 20) + 17, 2);
        KeyedStateBackend<Long> b = keyedBackend();
        b.setCurrentKey(42L);
        b.getState(bytesDescriptor).update(big);
        b.getState(mapDescriptor).put(1L, big2);
        KeyedStateHandle handle = snapshot(b, SnapshotType.CHECKPOINT);
        KeyedStateBackend<Long> restored = keyedBackend(createBackend(), KeyGroupRange.of(0, MAX_PARALLELISM - 1),
                List.of(handle));
        restored.setCurrentKey(42L);
        assertThat(restored.getState(bytesDescriptor).value()).isEqualTo(big);
        assertThat(restored.getState(mapDescriptor).get(1L)).isEqualTo(big2);
    }

    @Test
    @DisplayName("STATE-07 MUST: state is isolated per key and per state name")
    void ruleSTATE07_isolationPerKeyAndState() {
        KeyedStateBackend<Long> b = keyedBackend();
        ValueState<String> first = b.getState(VALUE);
        ValueState<String> second = b.getState(new ValueStateDescriptor<>("value-2", Serializers.STRING));
        populate(b, List.of(1L, 2L), 0);
        b.setCurrentKey(1L);
        second.update("other state");
        b.setCurrentKey(2L);
        first.update("changed for 2");
        b.setCurrentKey(3L);
        assertThat(first.value()).as("a key never written").isNull();
        assertThat(dump(b, List.of(3L)).get(3L)).isEqualTo(Contents.EMPTY);
        b.setCurrentKey(1L);
        assertThat(first.value()).as("key 1 after key 2 was changed").isEqualTo(expected(1L, 0).value());
        assertThat(second.value()).isEqualTo("other state");
        b.setCurrentKey(2L);
        assertThat(second.value()).as("value-2 of key 2").isNull();
        assertThat(first.value()).isEqualTo("changed for 2");
        b.getState(LIST).clear();
        b.setCurrentKey(1L);
        assertThat(b.getState(LIST).get()).as("key 1's list after key 2's was cleared")
                .containsExactlyElementsOf(expected(1L, 0).list());
    }

    @Test
    @DisplayName("STATE-08 MUST: a null key or a key outside the key-group range is refused; keys() lists exactly the keys with a value")
    void ruleSTATE08_currentKeyAndKeys() {
        KeyGroupRange half = KeyGroups.rangeForSubtask(MAX_PARALLELISM, 2, 0);
        KeyedStateBackend<Long> b = keyedBackend(createBackend(), half, List.of());
        assertThat(b.keyGroupRange()).isEqualTo(half);
        assertThat(b.maxParallelism()).isEqualTo(MAX_PARALLELISM);
        assertThatThrownBy(() -> b.setCurrentKey(null)).isInstanceOf(NullPointerException.class);
        long outside = keyInSubtask(2, 1, 0);
        assertThatThrownBy(() -> b.setCurrentKey(outside)).as("key %s of key group %s", outside,
                KeyGroups.keyGroupOf(outside, MAX_PARALLELISM)).isInstanceOf(IllegalArgumentException.class);
        ValueState<String> state = b.getState(VALUE);
        List<Long> inside = keysInSubtask(2, 0, 50);
        for (long k : inside) {
            b.setCurrentKey(k);
            state.update("v" + k);
        }
        b.setCurrentKey(inside.get(0));
        state.clear();
        assertThat(b.keys(VALUE.name())).containsExactlyInAnyOrderElementsOf(inside.subList(1, inside.size()));
        assertThatThrownBy(() -> b.keys("no-such-state")).as("keys() of an unknown state")
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ---------------------------------------------------------------- snapshots

    @Test
    @DisplayName("STATE-09 MUST: a snapshot restores every state type, keyed and operator, exactly")
    void ruleSTATE09_roundTrip() {
        List<Long> keys = range(0, 300);
        KeyedStateBackend<Long> b = keyedBackend();
        populate(b, keys, 1);
        Map<Long, Contents> before = dump(b, keys);
        KeyedStateHandle handle = snapshot(b, SnapshotType.CHECKPOINT);
        KeyedStateBackend<Long> restored = keyedBackend(createBackend(), KeyGroupRange.of(0, MAX_PARALLELISM - 1),
                List.of(handle));
        assertThat(dump(restored, keys)).isEqualTo(before);
        assertThat(restored.keys(VALUE.name())).containsExactlyInAnyOrderElementsOf(keys);

        OperatorStateBackend op = operatorBackend(0, List.of());
        op.getListState(new ListStateDescriptor<>("split", Serializers.STRING)).update(List.of("a", "b"));
        op.getUnionListState(new ListStateDescriptor<>("union", Serializers.LONG)).add(7L);
        op.getBroadcastState(new MapStateDescriptor<>("broadcast", Serializers.STRING, Serializers.LONG))
                .putAll(mapOf("x", 1L, "y", null));
        OperatorStateHandle opHandle = snapshot(op, SnapshotType.CHECKPOINT);
        OperatorStateBackend opRestored = operatorBackend(0, List.of(opHandle));
        assertThat(opRestored.stateNames()).containsExactlyInAnyOrder("split", "union", "broadcast");
        assertThat(opRestored.getListState(new ListStateDescriptor<>("split", Serializers.STRING)).get())
                .containsExactly("a", "b");
        assertThat(opRestored.getUnionListState(new ListStateDescriptor<>("union", Serializers.LONG)).get())
                .containsExactly(7L);
        assertThat(toMap(opRestored.getBroadcastState(new MapStateDescriptor<>("broadcast", Serializers.STRING,
                Serializers.LONG)).entries())).isEqualTo(mapOf("x", 1L, "y", null));
    }

    @Test
    @DisplayName("STATE-10 MUST: restores at parallelism 1 -> 2 -> 3 -> 1 find every key exactly once, in the subtask owning its key group")
    void ruleSTATE10_rescale() {
        List<Long> keys = range(0, 1000);
        KeyedStateBackend<Long> single = keyedBackend();
        populate(single, keys, 1);
        Map<Long, Contents> expected = dump(single, keys);
        List<KeyedStateHandle> handles = List.of(snapshot(single, SnapshotType.CHECKPOINT));
        for (int parallelism : new int[] {2, 3, 1}) {
            List<KeyedStateHandle> next = new ArrayList<>();
            Map<Long, Integer> seen = new HashMap<>();
            for (int subtask = 0; subtask < parallelism; subtask++) {
                KeyGroupRange range = KeyGroups.rangeForSubtask(MAX_PARALLELISM, parallelism, subtask);
                KeyedStateBackend<Long> b = keyedBackend(createBackend(), range, handles);
                registerAll(b);
                for (StateType type : StateType.values()) {
                    List<Long> listed = b.keys(nameOf(type)).collect(Collectors.toList());
                    for (long k : listed) {
                        assertThat(KeyGroups.subtaskForKey(k, MAX_PARALLELISM, parallelism))
                                .as("%s state: key %s listed by subtask %s of %s", type, k, subtask, parallelism)
                                .isEqualTo(subtask);
                        if (type == StateType.VALUE) {
                            seen.merge(k, 1, Integer::sum);
                        }
                    }
                    assertThat(new HashSet<>(listed)).as("%s state keys of subtask %s of %s", type, subtask,
                            parallelism).hasSize(listed.size());
                }
                int current = subtask;
                List<Long> owned = keys.stream()
                        .filter(k -> KeyGroups.subtaskForKey(k, MAX_PARALLELISM, parallelism) == current)
                        .collect(Collectors.toList());
                assertThat(dump(b, owned)).as("contents at subtask %s of %s", subtask, parallelism)
                        .isEqualTo(restrict(expected, owned));
                next.add(snapshot(b, SnapshotType.CHECKPOINT));
            }
            assertThat(seen.keySet()).as("keys found at parallelism %s", parallelism)
                    .containsExactlyInAnyOrderElementsOf(keys);
            assertThat(seen.values()).as("each key found once at parallelism %s", parallelism).containsOnly(1);
            handles = next;
        }
    }

    @Test
    @DisplayName("STATE-11 MUST: writes made after the synchronous phase of a snapshot are not in it")
    void ruleSTATE11_snapshotIsolation() {
        List<Long> keys = range(0, 200);
        KeyedStateBackend<Long> b = keyedBackend();
        populate(b, keys, 1);
        Map<Long, Contents> atSnapshot = dump(b, keys);
        RunnableFuture<KeyedStateHandle> pending = b.snapshot(nextCheckpointId++, SnapshotType.CHECKPOINT,
                storage.initializeLocation(nextCheckpointId - 1));
        mutate(b, keys);
        Map<Long, Contents> afterWrites = dump(b, range(0, 201));
        KeyedStateHandle handle = runAsyncPhase(pending);
        assertThat(dump(b, range(0, 201))).as("the live state is unaffected by the snapshot").isEqualTo(afterWrites);
        KeyedStateBackend<Long> restored = keyedBackend(createBackend(), KeyGroupRange.of(0, MAX_PARALLELISM - 1),
                List.of(handle));
        assertThat(dump(restored, keys)).as("restored state equals the state at the synchronous phase")
                .isEqualTo(atSnapshot);
        assertThat(restored.keys(VALUE.name())).as("a key first written after the synchronous phase")
                .doesNotContain(200L);
    }

    @Test
    @DisplayName("STATE-12 MUST: two snapshots in flight at once each hold the state of their own synchronous phase")
    void ruleSTATE12_concurrentSnapshots() {
        List<Long> keys = range(0, 150);
        KeyedStateBackend<Long> b = keyedBackend();
        populate(b, keys, 1);
        Map<Long, Contents> first = dump(b, keys);
        long id1 = nextCheckpointId++;
        RunnableFuture<KeyedStateHandle> pending1 = b.snapshot(id1, SnapshotType.CHECKPOINT,
                storage.initializeLocation(id1));
        populate(b, keys.subList(0, 100), 2);
        Map<Long, Contents> second = dump(b, keys);
        long id2 = nextCheckpointId++;
        RunnableFuture<KeyedStateHandle> pending2 = b.snapshot(id2, SnapshotType.CHECKPOINT,
                storage.initializeLocation(id2));
        mutate(b, keys);
        KeyedStateHandle h2 = runAsyncPhase(pending2);
        KeyedStateHandle h1 = runAsyncPhase(pending1);
        KeyGroupRange all = KeyGroupRange.of(0, MAX_PARALLELISM - 1);
        assertThat(dump(keyedBackend(createBackend(), all, List.of(h1)), keys)).as("first snapshot").isEqualTo(first);
        assertThat(dump(keyedBackend(createBackend(), all, List.of(h2)), keys)).as("second snapshot")
                .isEqualTo(second);
    }

    @Test
    @DisplayName("STATE-13 MUST: restoring a state with a serializer that cannot read it is refused with IncompatibleStateException")
    void ruleSTATE13_incompatibleSerializerRefused() {
        KeyedStateBackend<Long> b = keyedBackend();
        populate(b, range(0, 10), 1);
        KeyedStateHandle handle = snapshot(b, SnapshotType.CHECKPOINT);
        KeyedStateBackend<Long> restored = keyedBackend(createBackend(), KeyGroupRange.of(0, MAX_PARALLELISM - 1),
                List.of(handle));
        assertIncompatible(() -> restored.getState(new ValueStateDescriptor<>(VALUE.name(), Serializers.LONG)),
                VALUE.name());
        assertIncompatible(() -> restored.getState(new ListStateDescriptor<>(LIST.name(), Serializers.STRING)),
                LIST.name());
        assertIncompatible(() -> restored.getState(new MapStateDescriptor<>(MAP.name(), Serializers.STRING,
                Serializers.STRING)), MAP.name());
        restored.setCurrentKey(3L);
        assertThat(restored.getState(VALUE).value()).as("the compatible descriptor still reads the state")
                .isEqualTo(expected(3L, 1).value());

        OperatorStateBackend op = operatorBackend(0, List.of());
        op.getListState(new ListStateDescriptor<>("split", Serializers.STRING)).add("a");
        OperatorStateHandle opHandle = snapshot(op, SnapshotType.CHECKPOINT);
        OperatorStateBackend opRestored = operatorBackend(0, List.of(opHandle));
        assertIncompatible(() -> opRestored.getListState(new ListStateDescriptor<>("split", Serializers.LONG)),
                "split");
    }

    @Test
    @DisplayName("STATE-14 MUST: restoring a state as another state type is refused with IncompatibleStateException")
    void ruleSTATE14_changedStateTypeRefused() {
        KeyedStateBackend<Long> b = keyedBackend();
        populate(b, range(0, 10), 1);
        KeyedStateHandle handle = snapshot(b, SnapshotType.CHECKPOINT);
        KeyedStateBackend<Long> restored = keyedBackend(createBackend(), KeyGroupRange.of(0, MAX_PARALLELISM - 1),
                List.of(handle));
        assertIncompatible(() -> restored.getState(new ReducingStateDescriptor<>(LIST.name(), Long::sum,
                Serializers.LONG)), LIST.name());
        assertIncompatible(() -> restored.getState(new ValueStateDescriptor<>(REDUCING.name(), Serializers.LONG)),
                REDUCING.name());
        KeyedStateBackend<Long> live = keyedBackend();
        live.getState(VALUE);
        assertIncompatible(() -> live.getState(new ListStateDescriptor<>(VALUE.name(), Serializers.STRING)),
                VALUE.name());

        OperatorStateBackend op = operatorBackend(0, List.of());
        op.getListState(new ListStateDescriptor<>("split", Serializers.STRING)).add("a");
        OperatorStateHandle opHandle = snapshot(op, SnapshotType.CHECKPOINT);
        OperatorStateBackend opRestored = operatorBackend(0, List.of(opHandle));
        assertIncompatible(() -> opRestored.getUnionListState(new ListStateDescriptor<>("split", Serializers.STRING)),
                "split");
    }

    @Test
    @DisplayName("STATE-15 MUST: a restore whose key serializer cannot read the stored keys is refused")
    void ruleSTATE15_incompatibleKeySerializerRefused() {
        KeyedStateBackend<Long> b = keyedBackend();
        populate(b, range(0, 10), 1);
        KeyedStateHandle handle = snapshot(b, SnapshotType.CHECKPOINT);
        Throwable thrown = catchThrowable(() -> keyedBackend(createBackend(), Serializers.STRING,
                KeyGroupRange.of(0, MAX_PARALLELISM - 1), List.of(handle)));
        assertThat(thrown).as("restoring Long keys with a String key serializer")
                .isInstanceOf(IncompatibleStateException.class);
    }

    @Test
    @DisplayName("STATE-16 MUST: restored state that is not requested is carried into the next snapshot")
    void ruleSTATE16_unrequestedStateCarriedForward() {
        List<Long> keys = range(0, 100);
        KeyedStateBackend<Long> b = keyedBackend();
        populate(b, keys, 1);
        Map<Long, Contents> expected = dump(b, keys);
        KeyGroupRange all = KeyGroupRange.of(0, MAX_PARALLELISM - 1);
        KeyedStateBackend<Long> untouched = keyedBackend(createBackend(), all,
                List.of(snapshot(b, SnapshotType.CHECKPOINT)));
        KeyedStateBackend<Long> again = keyedBackend(createBackend(), all,
                List.of(snapshot(untouched, SnapshotType.CHECKPOINT)));
        assertThat(again.keys(MAP.name())).containsExactlyInAnyOrderElementsOf(keys);
        assertThat(dump(again, keys)).isEqualTo(expected);

        OperatorStateBackend op = operatorBackend(0, List.of());
        op.getListState(new ListStateDescriptor<>("split", Serializers.STRING)).update(List.of("a", "b"));
        OperatorStateBackend opUntouched = operatorBackend(0, List.of(snapshot(op, SnapshotType.CHECKPOINT)));
        OperatorStateBackend opAgain = operatorBackend(0, List.of(snapshot(opUntouched, SnapshotType.CHECKPOINT)));
        assertThat(opAgain.stateNames()).containsExactly("split");
        assertThat(opAgain.getListState(new ListStateDescriptor<>("split", Serializers.STRING)).get())
                .containsExactly("a", "b");
    }

    // ---------------------------------------------------------------- operator state

    @Test
    @DisplayName("STATE-17 MUST: operator list state and broadcast state keep their values, refuse nulls, and clear")
    void ruleSTATE17_operatorStateSemantics() {
        OperatorStateBackend op = operatorBackend(0, List.of());
        ListState<String> split = op.getListState(new ListStateDescriptor<>("split", Serializers.STRING));
        assertThat(split.get()).isNotNull().isEmpty();
        split.add("a");
        split.addAll(List.of("b", "c"));
        assertThat(split.get()).containsExactly("a", "b", "c");
        assertThatThrownBy(() -> split.add(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> split.update(Arrays.asList("x", null))).isInstanceOf(NullPointerException.class);
        split.update(List.of("z"));
        assertThat(split.get()).containsExactly("z");
        split.update(List.of());
        assertThat(split.get()).isEmpty();
        BroadcastState<String, Long> broadcast = op.getBroadcastState(new MapStateDescriptor<>("broadcast",
                Serializers.STRING, Serializers.LONG));
        assertThat(broadcast.entries()).isEmpty();
        broadcast.put("a", 1L);
        broadcast.put("n", null);
        assertThat(broadcast.contains("n")).isTrue();
        assertThat(broadcast.get("n")).isNull();
        broadcast.remove("a");
        assertThat(toMap(broadcast.entries())).isEqualTo(mapOf("n", null));
        assertThatThrownBy(() -> broadcast.put(null, 1L)).isInstanceOf(NullPointerException.class);
        broadcast.clear();
        assertThat(broadcast.entries()).isEmpty();
        assertThat(op.stateNames()).containsExactlyInAnyOrder("split", "broadcast");
        assertIncompatible(() -> op.getUnionListState(new ListStateDescriptor<>("split", Serializers.STRING)), "split");
    }

    @Test
    @DisplayName("STATE-18 MUST: split list state restored from 2 to 3 subtasks hands every element to exactly one subtask")
    void ruleSTATE18_splitRedistribution() {
        ListStateDescriptor<String> descriptor = new ListStateDescriptor<>("split", Serializers.STRING);
        List<String> all = new ArrayList<>();
        List<OperatorStateHandle> old = new ArrayList<>();
        for (int subtask = 0; subtask < 2; subtask++) {
            OperatorStateBackend op = operatorBackend(subtask, List.of());
            for (int i = 0; i < (subtask == 0 ? 10 : 7); i++) {
                String element = "s" + subtask + "-" + i;
                op.getListState(descriptor).add(element);
                all.add(element);
            }
            old.add(snapshot(op, SnapshotType.CHECKPOINT));
        }
        List<List<OperatorStateHandle>> assignment = OperatorStateRepartitioner.repartition(old, 3);
        List<String> restored = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        for (int subtask = 0; subtask < 3; subtask++) {
            OperatorStateBackend op = operatorBackend(subtask, assignment.get(subtask));
            assertThat(op.stateNames()).as("subtask %s knows the state", subtask).contains("split");
            List<String> mine = new ArrayList<>();
            op.getListState(descriptor).get().forEach(mine::add);
            restored.addAll(mine);
            sizes.add(mine.size());
        }
        assertThat(restored).as("every element exactly once").containsExactlyInAnyOrderElementsOf(all);
        assertThat(Collections.max(sizes) - Collections.min(sizes)).as("balanced split %s", sizes)
                .isLessThanOrEqualTo(1);
    }

    @Test
    @DisplayName("STATE-19 MUST: union list state restored from 2 to 3 subtasks gives every subtask all elements")
    void ruleSTATE19_unionRedistribution() {
        ListStateDescriptor<Long> descriptor = new ListStateDescriptor<>("union", Serializers.LONG);
        List<Long> all = new ArrayList<>();
        List<OperatorStateHandle> old = new ArrayList<>();
        for (int subtask = 0; subtask < 2; subtask++) {
            OperatorStateBackend op = operatorBackend(subtask, List.of());
            for (long i = 0; i < 5 + subtask; i++) {
                op.getUnionListState(descriptor).add(subtask * 100 + i);
                all.add(subtask * 100 + i);
            }
            old.add(snapshot(op, SnapshotType.CHECKPOINT));
        }
        List<List<OperatorStateHandle>> assignment = OperatorStateRepartitioner.repartition(old, 3);
        for (int subtask = 0; subtask < 3; subtask++) {
            OperatorStateBackend op = operatorBackend(subtask, assignment.get(subtask));
            assertThat(op.getUnionListState(descriptor).get()).as("subtask %s", subtask)
                    .containsExactlyInAnyOrderElementsOf(all);
        }
    }

    @Test
    @DisplayName("STATE-20 MUST: broadcast state restored from 2 to 3 subtasks gives every subtask the same map")
    void ruleSTATE20_broadcastRedistribution() {
        MapStateDescriptor<String, Long> descriptor = new MapStateDescriptor<>("broadcast", Serializers.STRING,
                Serializers.LONG);
        Map<String, Long> map = mapOf("a", 1L, "b", 2L, "n", null);
        List<OperatorStateHandle> old = new ArrayList<>();
        for (int subtask = 0; subtask < 2; subtask++) {
            OperatorStateBackend op = operatorBackend(subtask, List.of());
            op.getBroadcastState(descriptor).putAll(map);
            old.add(snapshot(op, SnapshotType.CHECKPOINT));
        }
        List<List<OperatorStateHandle>> assignment = OperatorStateRepartitioner.repartition(old, 3);
        for (int subtask = 0; subtask < 3; subtask++) {
            OperatorStateBackend op = operatorBackend(subtask, assignment.get(subtask));
            assertThat(toMap(op.getBroadcastState(descriptor).entries())).as("subtask %s", subtask).isEqualTo(map);
        }
    }

    // ---------------------------------------------------------------- bad input

    @Test
    @DisplayName("STATE-21 MUST: a truncated keyed snapshot stream is refused at restore, naming the stream")
    void ruleSTATE21_truncatedStreamRefused() {
        KeyGroupsStateHandle handle = savepointOfAllKeyGroups();
        byte[] bytes = bytesOf(handle.delegate());
        int lastBlock = (int) handle.offsetOf(MAX_PARALLELISM - 1);
        assertRefused(withBytes(handle, StateStreamTampering.truncate(bytes, bytes.length - 3)),
                CorruptCheckpointException.class, "a stream cut inside its last block");
        assertRefused(withBytes(handle, StateStreamTampering.truncate(bytes, lastBlock)),
                CorruptCheckpointException.class, "a stream cut before its last block");
        assertRefused(withBytes(handle, StateStreamTampering.truncate(bytes, 7)), CorruptCheckpointException.class,
                "a stream cut inside its header");
    }

    @Test
    @DisplayName("STATE-22 MUST: a bit flip anywhere in a keyed snapshot stream is refused at restore, naming the stream")
    void ruleSTATE22_bitFlipRefused() {
        KeyGroupsStateHandle handle = savepointOfAllKeyGroups();
        byte[] bytes = bytesOf(handle.delegate());
        int lastBlock = (int) handle.offsetOf(MAX_PARALLELISM - 1);
        assertRefused(withBytes(handle, StateStreamTampering.flipBit(bytes, lastBlock + 4 + 7)),
                CorruptCheckpointException.class, "a flipped bit in the last key group's block");
        assertRefused(withBytes(handle, StateStreamTampering.flipBit(bytes, bytes.length - 1)),
                CorruptCheckpointException.class, "a flipped bit in the last checksum");
        assertRefused(withBytes(handle, StateStreamTampering.flipBit(bytes, 12)), CorruptCheckpointException.class,
                "a flipped bit in the header");
        int middle = (int) handle.offsetOf(MAX_PARALLELISM / 2);
        assertRefused(withBytes(handle, StateStreamTampering.flipBit(bytes, middle + 4 + 16)),
                CorruptCheckpointException.class, "a flipped bit inside a block's data");
    }

    @Test
    @DisplayName("STATE-23 MUST: a stream with a wrong magic number is refused at restore, naming the stream")
    void ruleSTATE23_wrongMagicRefused() {
        KeyGroupsStateHandle handle = savepointOfAllKeyGroups();
        byte[] bytes = bytesOf(handle.delegate());
        assertRefused(withBytes(handle, StateStreamTampering.withMagic(bytes, 0, 0x0BADF00D)),
                CorruptCheckpointException.class, "a header with a wrong magic number");
        int block = (int) handle.offsetOf(3);
        assertRefused(withBytes(handle, StateStreamTampering.withMagic(bytes, block, SnapshotStreams.KEYED_HEADER_MAGIC)),
                CorruptCheckpointException.class, "a block with the header's magic number");
    }

    @Test
    @DisplayName("STATE-24 MUST: a stream of a future format version is refused with UnsupportedVersionException")
    void ruleSTATE24_futureVersionRefused() {
        KeyGroupsStateHandle handle = savepointOfAllKeyGroups();
        byte[] bytes = bytesOf(handle.delegate());
        assertRefused(withBytes(handle, StateStreamTampering.withVersion(bytes, 0, SnapshotStreams.VERSION + 1)),
                UnsupportedVersionException.class, "a header of a future version");
        int block = (int) handle.offsetOf(MAX_PARALLELISM - 1);
        assertRefused(withBytes(handle, StateStreamTampering.withVersion(bytes, block, 0x7FFF)),
                UnsupportedVersionException.class, "a block of a future version");
    }

    @Test
    @DisplayName("STATE-25 MUST: a crafted huge length or count is refused quickly without allocating it")
    void ruleSTATE25_craftedLengthsFailFast() {
        KeyGroupsStateHandle handle = savepointOfAllKeyGroups();
        byte[] bytes = bytesOf(handle.delegate());
        int huge = Integer.MAX_VALUE - 16;
        long started = System.nanoTime();
        assertRefused(withBytes(handle, StateStreamTampering.withFrameLength(bytes, 0, huge)),
                CorruptCheckpointException.class, "a header claiming 2 GiB");
        assertRefused(withBytes(handle, StateStreamTampering.withFrameLength(bytes,
                (int) handle.offsetOf(MAX_PARALLELISM - 1), huge)), CorruptCheckpointException.class,
                "a block claiming 2 GiB");

        int keyGroup = KeyGroups.keyGroupOf(1L, MAX_PARALLELISM);
        byte[] header = StateStreamTampering.frame(SnapshotStreams.KEYED_HEADER_MAGIC,
                StateStreamTampering.keyedHeaderBody(Serializers.LONG.snapshot(), MAX_PARALLELISM, keyGroup, 0, 1,
                        VALUE.name(), StateType.VALUE.code(), VALUE.stateSerializer().snapshot()));
        byte[] hugeStateCount = StateStreamTampering.frame(SnapshotStreams.KEYED_HEADER_MAGIC,
                StateStreamTampering.keyedHeaderBody(Serializers.LONG.snapshot(), MAX_PARALLELISM, keyGroup, 0, huge,
                        VALUE.name(), StateType.VALUE.code(), VALUE.stateSerializer().snapshot()));
        byte[] hugeEntryCount = new FormatWriter().writeInt(1).writeInt(0).writeInt(huge).toByteArray();
        byte[] hugeKeyLength = new FormatWriter().writeInt(1).writeInt(0).writeInt(1).writeInt(huge).toByteArray();
        byte[] emptyData = new FormatWriter().writeInt(0).toByteArray();
        assertRefused(crafted(keyGroup, hugeStateCount, block(keyGroup, 0, emptyData.length, emptyData)),
                CorruptCheckpointException.class, "a header claiming 2^31 states");
        assertRefused(crafted(keyGroup, header, block(keyGroup, 0, hugeEntryCount.length, hugeEntryCount)),
                CorruptCheckpointException.class, "a block claiming 2^31 entries");
        assertRefused(crafted(keyGroup, header, block(keyGroup, 0, hugeKeyLength.length, hugeKeyLength)),
                CorruptCheckpointException.class, "a key claiming 2 GiB");
        assertRefused(crafted(keyGroup, header, block(keyGroup, 1, huge, new byte[16])),
                CorruptCheckpointException.class, "an LZ4 block claiming to inflate to 2 GiB");
        assertRefused(crafted(keyGroup, header, block(keyGroup, 99, emptyData.length, emptyData)),
                CorruptCheckpointException.class, "a block with an unknown codec");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("time to refuse all crafted streams")
                .isLessThan(Duration.ofSeconds(20));
    }

    @Test
    @DisplayName("STATE-26 MUST: a damaged operator state stream is refused at restore, naming the stream")
    void ruleSTATE26_damagedOperatorStreamRefused() {
        OperatorStateBackend op = operatorBackend(0, List.of());
        ListStateDescriptor<String> descriptor = new ListStateDescriptor<>("split", Serializers.STRING);
        op.getListState(descriptor).update(List.of("first", "second", "third"));
        OperatorStateHandle handle = snapshot(op, SnapshotType.SAVEPOINT);
        byte[] bytes = bytesOf(handle.delegate());
        long[] offsets = handle.states().get("split").offsets();
        int last = (int) offsets[offsets.length - 1];
        assertOperatorRefused(withBytes(handle, StateStreamTampering.flipBit(bytes, last + 4 + 11)),
                CorruptCheckpointException.class, "a flipped bit in the last element");
        assertOperatorRefused(withBytes(handle, StateStreamTampering.truncate(bytes, bytes.length - 2)),
                CorruptCheckpointException.class, "a stream cut inside its last element");
        assertOperatorRefused(withBytes(handle, StateStreamTampering.withMagic(bytes, 0, 0x0BADF00D)),
                CorruptCheckpointException.class, "a header with a wrong magic number");
        assertOperatorRefused(withBytes(handle, StateStreamTampering.withVersion(bytes, last, 0x7FFF)),
                UnsupportedVersionException.class, "an element of a future version");
        assertOperatorRefused(withBytes(handle, StateStreamTampering.withFrameLength(bytes, last,
                Integer.MAX_VALUE - 16)), CorruptCheckpointException.class, "an element claiming 2 GiB");
    }

    @Test
    @DisplayName("STATE-27 SHOULD: snapshots round-trip with every supported compression codec")
    void ruleSTATE27_compressionRoundTrip() {
        StateBackend probe = createBackend(Map.of("compression", "none"));
        Assumptions.assumeTrue(probe != null, "the backend declares no compression option");
        List<Long> keys = range(0, 500);
        KeyGroupRange all = KeyGroupRange.of(0, MAX_PARALLELISM - 1);
        for (String codec : compressionCodecs()) {
            StateBackend backend = createBackend(Map.of("compression", codec));
            KeyedStateBackend<Long> b = keyedBackend(backend, all, List.of());
            populate(b, keys, 3);
            Map<Long, Contents> expected = dump(b, keys);
            KeyedStateHandle handle = snapshot(b, SnapshotType.SAVEPOINT);
            assertThat(dump(keyedBackend(createBackend(Map.of("compression", codec)), all, List.of(handle)), keys))
                    .as("restored with %s", codec).isEqualTo(expected);
            assertThat(dump(keyedBackend(probe, all, List.of(handle)), keys))
                    .as("a %s snapshot restored by a backend configured without compression", codec)
                    .isEqualTo(expected);
        }
    }

    // ---------------------------------------------------------------- helpers for subclasses and rules

    /** The checkpoint storage of the current test. */
    protected CheckpointStorage storage() {
        return storage;
    }

    /** A keyed backend with {@code Long} keys over all key groups, closed after the test. */
    protected KeyedStateBackend<Long> keyedBackend() {
        return keyedBackend(createBackend(), KeyGroupRange.of(0, MAX_PARALLELISM - 1), List.of());
    }

    protected KeyedStateBackend<Long> keyedBackend(StateBackend backend, KeyGroupRange range,
            Collection<KeyedStateHandle> restore) {
        return keyedBackend(backend, Serializers.LONG, range, restore);
    }

    protected <K> KeyedStateBackend<K> keyedBackend(StateBackend backend, TypeSerializer<K> keySerializer,
            KeyGroupRange range, Collection<KeyedStateHandle> restore) {
        Path local;
        try {
            local = Files.createDirectories(tempDir.resolve("local-" + nextLocalDirectory++));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        KeyedStateBackend<K> b = backend.createKeyedBackend(new KeyedBackendParameters<>(OPERATOR_ID, keySerializer,
                MAX_PARALLELISM, range, local, storage), restore);
        resources.add(b);
        return b;
    }

    protected OperatorStateBackend operatorBackend(int subtask, Collection<OperatorStateHandle> restore) {
        OperatorStateBackend b = createBackend().createOperatorBackend(
                new OperatorBackendParameters(OPERATOR_ID, subtask, storage), restore);
        resources.add(b);
        return b;
    }

    /** Takes a snapshot and runs its asynchronous phase on another thread. */
    protected <H extends StateHandle> H snapshot(Snapshottable<H> snapshottable, SnapshotType type) {
        long id = nextCheckpointId++;
        return runAsyncPhase(snapshottable.snapshot(id, type, storage.initializeLocation(id)));
    }

    /** Runs the asynchronous phase of a snapshot on a thread of its own and returns its handle. */
    protected static <H> H runAsyncPhase(RunnableFuture<H> future) {
        Thread thread = new Thread(future, "state-tck-async-snapshot");
        thread.start();
        try {
            return future.get(120, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.TimeoutException e) {
            future.cancel(true);
            throw new AssertionError("the asynchronous phase of a snapshot did not finish in 120 s");
        }
    }

    /** Registers the five keyed states of the suite. */
    protected static void registerAll(KeyedStateBackend<Long> b) {
        b.getState(VALUE);
        b.getState(LIST);
        b.getState(MAP);
        b.getState(REDUCING);
        b.getState(AGGREGATING);
    }

    /** Writes every state type for {@code keys}; {@link #expected(long, int)} says what results. */
    protected static void populate(KeyedStateBackend<Long> b, List<Long> keys, int round) {
        ValueState<String> value = b.getState(VALUE);
        ListState<Long> list = b.getState(LIST);
        MapState<String, Long> map = b.getState(MAP);
        ReducingState<Long> reducing = b.getState(REDUCING);
        AggregatingState<Long, String> aggregating = b.getState(AGGREGATING);
        for (long k : keys) {
            b.setCurrentKey(k);
            value.update("v" + k + "-" + round);
            list.update(List.of(k, (long) round));
            map.clear();
            map.put("k", k);
            map.put("null", null);
            map.put("round", (long) round);
            reducing.clear();
            reducing.add(k);
            reducing.add((long) round);
            aggregating.clear();
            aggregating.add(k);
            aggregating.add((long) round);
        }
    }

    /** What {@link #populate} leaves for {@code key}. */
    protected static Contents expected(long key, int round) {
        return new Contents("v" + key + "-" + round, List.of(key, (long) round),
                mapOf("k", key, "null", null, "round", (long) round), key + round, (key + round) + "/2");
    }

    /**
     * Changes every state type after a snapshot's synchronous phase: updates, clears, list adds,
     * map puts and removes (also through an iterator), reductions, in-place accumulator changes and a new key.
     */
    protected static void mutate(KeyedStateBackend<Long> b, List<Long> keys) {
        ValueState<String> value = b.getState(VALUE);
        ListState<Long> list = b.getState(LIST);
        MapState<String, Long> map = b.getState(MAP);
        ReducingState<Long> reducing = b.getState(REDUCING);
        AggregatingState<Long, String> aggregating = b.getState(AGGREGATING);
        for (long k : keys) {
            b.setCurrentKey(k);
            switch ((int) (k % 4)) {
                case 0 -> {
                    value.update("changed");
                    list.add(-1L);
                    map.put("k", -1L);
                    map.remove("null");
                }
                case 1 -> {
                    value.clear();
                    list.clear();
                    map.put("new", 1L);
                }
                case 2 -> {
                    list.addAll(List.of(-2L, -3L));
                    for (Iterator<Map.Entry<String, Long>> it = map.iterator(); it.hasNext();) {
                        if (it.next().getKey().equals("k")) {
                            it.remove();
                        }
                    }
                }
                default -> {
                    map.clear();
                    list.update(List.of(-4L));
                }
            }
            reducing.add(1000L);
            aggregating.add(1000L);
        }
        b.setCurrentKey(200L);
        value.update("new key");
        list.add(200L);
    }

    /** The contents of every state of the suite for {@code keys}. */
    protected static Map<Long, Contents> dump(KeyedStateBackend<Long> b, List<Long> keys) {
        ValueState<String> value = b.getState(VALUE);
        ListState<Long> list = b.getState(LIST);
        MapState<String, Long> map = b.getState(MAP);
        ReducingState<Long> reducing = b.getState(REDUCING);
        AggregatingState<Long, String> aggregating = b.getState(AGGREGATING);
        Map<Long, Contents> out = new TreeMap<>();
        for (long k : keys) {
            b.setCurrentKey(k);
            List<Long> elements = new ArrayList<>();
            list.get().forEach(elements::add);
            out.put(k, new Contents(value.value(), elements, toMap(map.entries()), reducing.get(), aggregating.get()));
        }
        return out;
    }

    /** The state of one key across the five states of the suite. */
    protected record Contents(String value, List<Long> list, Map<String, Long> map, Long reducing,
            String aggregating) {
        static final Contents EMPTY = new Contents(null, List.of(), Map.of(), null, null);
    }

    /** Sum and count of the added values, kept in a mutable list so in-place accumulator updates are exercised. */
    protected static final class SumAndCount implements AggregateFunction<Long, List<Long>, String> {
        @Override
        public List<Long> createAccumulator() {
            return new ArrayList<>(List.of(0L, 0L));
        }

        @Override
        public List<Long> add(Long value, List<Long> accumulator) {
            accumulator.set(0, accumulator.get(0) + value);
            accumulator.set(1, accumulator.get(1) + 1);
            return accumulator;
        }

        @Override
        public String getResult(List<Long> accumulator) {
            return accumulator.get(0) + "/" + accumulator.get(1);
        }
    }

    // ---------------------------------------------------------------- private helpers

    private KeyGroupsStateHandle savepointOfAllKeyGroups() {
        KeyedStateBackend<Long> b = keyedBackend();
        populate(b, range(0, 400), 1);
        KeyedStateHandle handle = snapshot(b, SnapshotType.SAVEPOINT);
        assertThat(handle).as("a savepoint is written in the canonical keyed format")
                .isInstanceOf(KeyGroupsStateHandle.class);
        return (KeyGroupsStateHandle) handle;
    }

    private byte[] bytesOf(StreamStateHandle handle) {
        try (SeekableInputStream in = storage.open(handle)) {
            byte[] bytes = new byte[Math.toIntExact(handle.stateSize())];
            in.readFully(bytes, 0, bytes.length);
            return bytes;
        }
    }

    private StreamStateHandle store(byte[] bytes) {
        long id = nextCheckpointId++;
        try (CheckpointStateOutputStream out = storage.initializeLocation(id)
                .createOutputStream(CheckpointedStateScope.EXCLUSIVE)) {
            out.write(bytes, 0, bytes.length);
            return out.commit();
        }
    }

    private KeyGroupsStateHandle withBytes(KeyGroupsStateHandle handle, byte[] bytes) {
        return new KeyGroupsStateHandle(handle.keyGroupRange(), handle.offsets(), store(bytes));
    }

    private OperatorStateHandle withBytes(OperatorStateHandle handle, byte[] bytes) {
        return new OperatorStateHandle(handle.states(), store(bytes));
    }

    private static byte[] block(int keyGroup, int codec, int uncompressedLength, byte[] data) {
        return StateStreamTampering.frame(SnapshotStreams.KEYED_BLOCK_MAGIC,
                StateStreamTampering.blockBody(keyGroup, codec, uncompressedLength, data));
    }

    private KeyGroupsStateHandle crafted(int keyGroup, byte[] header, byte[] block) {
        return new KeyGroupsStateHandle(KeyGroupRange.of(keyGroup, keyGroup), new long[] {header.length},
                store(StateStreamTampering.concat(header, block)));
    }

    private void assertRefused(KeyGroupsStateHandle handle, Class<? extends Throwable> type, String what) {
        StateBackend backend = createBackend();
        Throwable thrown = catchThrowable(() -> keyedBackend(backend, KeyGroupRange.of(0, MAX_PARALLELISM - 1),
                List.of(handle)));
        assertThat(thrown).as("restoring %s", what).isInstanceOf(type);
        assertThat(thrown.getMessage()).as("the error about %s names the stream", what).contains(nameOf(handle
                .delegate()));
    }

    private void assertOperatorRefused(OperatorStateHandle handle, Class<? extends Throwable> type, String what) {
        Throwable thrown = catchThrowable(() -> operatorBackend(0, List.of(handle)));
        assertThat(thrown).as("restoring %s", what).isInstanceOf(type);
        assertThat(thrown.getMessage()).as("the error about %s names the stream", what).contains(nameOf(handle
                .delegate()));
    }

    private static String nameOf(StreamStateHandle handle) {
        return handle instanceof FileStateHandle file ? file.location() : OPERATOR_ID;
    }

    private static void assertIncompatible(Runnable call, String stateName) {
        Throwable thrown = catchThrowable(call::run);
        assertThat(thrown).as("requesting state '%s' incompatibly", stateName)
                .isInstanceOf(IncompatibleStateException.class);
        assertThat(thrown.getMessage()).as("the error names the state").contains(stateName);
    }

    private static String nameOf(StateType type) {
        return switch (type) {
            case VALUE -> VALUE.name();
            case LIST -> LIST.name();
            case MAP -> MAP.name();
            case REDUCING -> REDUCING.name();
            case AGGREGATING -> AGGREGATING.name();
        };
    }

    private static Map<Long, Contents> restrict(Map<Long, Contents> all, List<Long> keys) {
        Map<Long, Contents> out = new TreeMap<>();
        for (long k : keys) {
            out.put(k, all.get(k));
        }
        return out;
    }

    protected static List<Long> range(long from, long to) {
        List<Long> keys = new ArrayList<>();
        for (long k = from; k < to; k++) {
            keys.add(k);
        }
        return keys;
    }

    private static long keyInSubtask(int parallelism, int subtask, long from) {
        for (long k = from;; k++) {
            if (KeyGroups.subtaskForKey(k, MAX_PARALLELISM, parallelism) == subtask) {
                return k;
            }
        }
    }

    private static List<Long> keysInSubtask(int parallelism, int subtask, int count) {
        List<Long> keys = new ArrayList<>();
        for (long k = 0; keys.size() < count; k++) {
            if (KeyGroups.subtaskForKey(k, MAX_PARALLELISM, parallelism) == subtask) {
                keys.add(k);
            }
        }
        return keys;
    }

    protected static <K, V> Map<K, V> toMap(Iterable<Map.Entry<K, V>> entries) {
        Map<K, V> map = new LinkedHashMap<>();
        for (Map.Entry<K, V> e : entries) {
            map.put(e.getKey(), e.getValue());
        }
        return new HashMap<>(map);
    }

    /** A map that allows null values, from alternating keys and values. */
    @SuppressWarnings("unchecked")
    protected static <K, V> Map<K, V> mapOf(Object... keysAndValues) {
        Map<K, V> map = new HashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((K) keysAndValues[i], (V) keysAndValues[i + 1]);
        }
        return map;
    }

    protected static byte[] pattern(int size, int seed) {
        byte[] bytes = new byte[size];
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        long x = seed * 0x9E3779B97F4A7C15L;
        while (buffer.remaining() >= 8) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            buffer.putLong(x);
        }
        return bytes;
    }
}
