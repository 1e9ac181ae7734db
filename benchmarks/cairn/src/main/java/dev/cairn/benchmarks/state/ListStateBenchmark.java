package dev.cairn.benchmarks.state;

import dev.cairn.backend.KeyedStateBackend;
import dev.cairn.benchmarks.common.Profile;
import dev.cairn.benchmarks.common.StateWorkload;
import dev.cairn.benchmarks.common.Systems;
import dev.cairn.serialization.Serializers;
import dev.cairn.state.ListState;
import dev.cairn.state.ListStateDescriptor;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.Blackhole;

/**
 * ListState add, get, update and add-all of 100 elements, in the shape of apache/flink-benchmarks'
 * {@code ListStateBenchmark}: {@link Profile#preloadedKeys} long keys holding a one-element list before each
 * iteration, and per operation {@code setCurrentKey(key)} followed by one state call.
 *
 * <p>Matched (flink-benchmarks name in brackets): {@code listAdd} appends one value to a pre-loaded key's list
 * ({@code listAppend}); {@code listGet} gets the list and iterates it ({@code listGetAndIterate}, which, unlike
 * {@code listGet}, makes the heap backends touch the elements as RocksDB must); {@code listUpdate} replaces a
 * pre-loaded key's list by a one-element list ({@code listUpdate}); {@code listAddAll} appends the same
 * 100-element list ({@code listAddAll}). Different: flink-benchmarks adds one element to every key before each
 * iteration and clears every key after it (then compacts RocksDB or calls {@code System.gc()} and sleeps a
 * second); here the keys are loaded once per trial, and only the appending benchmarks reset, before each
 * iteration, the lists the previous iteration appended to back to one element — enough to keep lists from
 * growing without bound, and no measured operation ever sees an empty list. Keys and values come from arrays
 * generated up front (no per-invocation {@code @Setup}); the one-element lists of {@code listUpdate} are built
 * up front too (flink-benchmarks allocates a {@code singletonList} per invocation).
 *
 * <p>Systems: {@code cairn-memory}, {@code flink-heap}, {@code cairn-rocksdb}; Flink's RocksDB backend runs in
 * the {@code flink-rocksdb} module under the same names.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 2, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 2)
public class ListStateBenchmark {
    static final String STATE = "listState";
    private static final int SINGLETONS = 1 << 16;

    @Param({Systems.CAIRN_MEMORY, Systems.FLINK_HEAP, Systems.CAIRN_ROCKSDB})
    public String system;

    private Driver driver;
    private StateWorkload.Cursor keys;
    private StateWorkload.Cursor values;
    private StateWorkload.Cursor singletons;
    private Long[] valueArray;
    private List<Long>[] singletonLists;
    private List<Long> addAllList;
    private int keyCount;
    private int markPosition;
    private long markLaps;
    private Path directory;

    @Setup(Level.Trial)
    @SuppressWarnings("unchecked")
    public void setUp() {
        StateWorkload w = StateWorkload.of(Profile.current());
        keyCount = w.preloadedKeys.length;
        valueArray = w.values;
        addAllList = w.addAllList;
        singletonLists = new List[Math.min(SINGLETONS, w.values.length)];
        for (int i = 0; i < singletonLists.length; i++) {
            singletonLists[i] = List.of(w.values[i]);
        }
        directory = Backends.temporaryDirectory("cairn-bench-list-");
        driver = switch (system) {
            case Systems.CAIRN_MEMORY -> new CairnDriver(Backends.cairn("memory", Serializers.LONG, directory),
                    w.preloadedKeys);
            case Systems.CAIRN_ROCKSDB -> new CairnDriver(Backends.cairn("rocksdb", Serializers.LONG, directory),
                    w.preloadedKeys);
            case Systems.FLINK_HEAP -> new FlinkDriver(Backends.flinkHeap(LongSerializer.INSTANCE), w.preloadedKeys);
            default -> throw new IllegalArgumentException("unknown system " + system);
        };
        for (int i = 0; i < keyCount; i++) {
            driver.update(i, singletonLists[i % singletonLists.length]);
        }
        keys = new StateWorkload.Cursor(keyCount);
        values = new StateWorkload.Cursor(valueArray.length);
        singletons = new StateWorkload.Cursor(singletonLists.length);
    }

    /** Before each iteration of an appending benchmark: the lists appended to since the last reset hold one element again. */
    @Setup(Level.Iteration)
    public void resetAppendedLists(BenchmarkParams params) {
        String method = params.getBenchmark();
        if (method.endsWith(".listAdd") || method.endsWith(".listAddAll")) {
            int end = keys.position();
            boolean all = keys.laps() - markLaps > 1 || (keys.laps() > markLaps && end >= markPosition);
            if (all) {
                for (int i = 0; i < keyCount; i++) {
                    driver.update(i, singletonLists[i % singletonLists.length]);
                }
            } else {
                for (int i = markPosition; i != end; i = i + 1 == keyCount ? 0 : i + 1) {
                    driver.update(i, singletonLists[i % singletonLists.length]);
                }
            }
        }
        markPosition = keys.position();
        markLaps = keys.laps();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        try {
            if (driver != null) {
                driver.close();
            }
        } finally {
            Backends.deleteRecursively(directory);
        }
    }

    /** Appends one value to a pre-loaded key's list (flink-benchmarks: listAppend). */
    @Benchmark
    public void listAdd() {
        driver.add(keys.next(), valueArray[values.next()]);
    }

    /** Gets a pre-loaded key's list and iterates it (flink-benchmarks: listGetAndIterate). */
    @Benchmark
    public void listGet(Blackhole bh) {
        driver.getAndIterate(keys.next(), bh);
    }

    /** Replaces a pre-loaded key's list by a one-element list. */
    @Benchmark
    public void listUpdate() {
        driver.update(keys.next(), singletonLists[singletons.next()]);
    }

    /** Appends 100 values to a pre-loaded key's list. */
    @Benchmark
    public void listAddAll() {
        driver.addAll(keys.next(), addAllList);
    }

    /** One system's list state over the pre-loaded keys. */
    abstract static class Driver implements AutoCloseable {
        abstract void add(int key, Long value);

        abstract void getAndIterate(int key, Blackhole bh);

        abstract void update(int key, List<Long> values);

        abstract void addAll(int key, List<Long> values);
    }

    static final class CairnDriver extends Driver {
        private final KeyedStateBackend<Long> backend;
        private final ListState<Long> state;
        private final Long[] keys;

        CairnDriver(KeyedStateBackend<Long> backend, Long[] keys) {
            this.backend = backend;
            this.state = backend.getState(new ListStateDescriptor<>(STATE, Serializers.LONG));
            this.keys = keys;
        }

        @Override
        void add(int key, Long value) {
            backend.setCurrentKey(keys[key]);
            state.add(value);
        }

        @Override
        void getAndIterate(int key, Blackhole bh) {
            backend.setCurrentKey(keys[key]);
            for (Long v : state.get()) {
                bh.consume(v);
            }
        }

        @Override
        void update(int key, List<Long> values) {
            backend.setCurrentKey(keys[key]);
            state.update(values);
        }

        @Override
        void addAll(int key, List<Long> values) {
            backend.setCurrentKey(keys[key]);
            state.addAll(values);
        }

        @Override
        public void close() {
            backend.close();
        }
    }

    static final class FlinkDriver extends Driver {
        private final org.apache.flink.runtime.state.KeyedStateBackend<Long> backend;
        private final org.apache.flink.api.common.state.ListState<Long> state;
        private final Long[] keys;

        FlinkDriver(org.apache.flink.runtime.state.KeyedStateBackend<Long> backend, Long[] keys) {
            this.backend = backend;
            try {
                this.state = backend.getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                        new org.apache.flink.api.common.state.ListStateDescriptor<>(STATE, LongSerializer.INSTANCE));
            } catch (Exception e) {
                throw new IllegalStateException("creating Flink list state failed: " + e, e);
            }
            this.keys = keys;
        }

        @Override
        void add(int key, Long value) {
            backend.setCurrentKey(keys[key]);
            try {
                state.add(value);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        void getAndIterate(int key, Blackhole bh) {
            backend.setCurrentKey(keys[key]);
            try {
                for (Long v : state.get()) {
                    bh.consume(v);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        void update(int key, List<Long> values) {
            backend.setCurrentKey(keys[key]);
            try {
                state.update(values);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        void addAll(int key, List<Long> values) {
            backend.setCurrentKey(keys[key]);
            try {
                state.addAll(values);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void close() {
            backend.dispose();
        }
    }
}
