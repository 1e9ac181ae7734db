package dev.cairn.benchmarks.state;

import dev.cairn.benchmarks.common.Profile;
import dev.cairn.benchmarks.common.StateWorkload;
import dev.cairn.benchmarks.common.Systems;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.runtime.state.KeyedStateBackend;
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
 * The {@code flink-rocksdb} side of the {@code benchmarks/cairn} module's {@code ListStateBenchmark} (same
 * workload, same per-operation calls and per-iteration reset of appended lists, documented there) on Flink's
 * {@code EmbeddedRocksDBStateBackend} with its defaults ({@link FlinkRocksDb}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 2, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 2)
public class ListStateBenchmark {
    private static final int SINGLETONS = 1 << 16;

    @Param({Systems.FLINK_ROCKSDB})
    public String system;

    private FlinkRocksDb db;
    private KeyedStateBackend<Long> backend;
    private ListState<Long> state;
    private Long[] keyArray;
    private Long[] valueArray;
    private List<Long>[] singletonLists;
    private List<Long> addAllList;
    private StateWorkload.Cursor keys;
    private StateWorkload.Cursor values;
    private StateWorkload.Cursor singletons;
    private int markPosition;
    private long markLaps;

    @Setup(Level.Trial)
    @SuppressWarnings("unchecked")
    public void setUp() throws Exception {
        if (!Systems.FLINK_ROCKSDB.equals(system)) {
            throw new IllegalArgumentException("unknown system " + system);
        }
        StateWorkload w = StateWorkload.of(Profile.current());
        keyArray = w.preloadedKeys;
        valueArray = w.values;
        addAllList = w.addAllList;
        singletonLists = new List[Math.min(SINGLETONS, w.values.length)];
        for (int i = 0; i < singletonLists.length; i++) {
            singletonLists[i] = List.of(w.values[i]);
        }
        db = FlinkRocksDb.open(LongSerializer.INSTANCE);
        backend = db.keyed();
        state = db.state(new ListStateDescriptor<>("listState", LongSerializer.INSTANCE));
        for (int i = 0; i < keyArray.length; i++) {
            reset(i);
        }
        keys = new StateWorkload.Cursor(keyArray.length);
        values = new StateWorkload.Cursor(valueArray.length);
        singletons = new StateWorkload.Cursor(singletonLists.length);
    }

    private void reset(int key) throws Exception {
        backend.setCurrentKey(keyArray[key]);
        state.update(singletonLists[key % singletonLists.length]);
    }

    @Setup(Level.Iteration)
    public void resetAppendedLists(BenchmarkParams params) throws Exception {
        String method = params.getBenchmark();
        if (method.endsWith(".listAdd") || method.endsWith(".listAddAll")) {
            int count = keyArray.length;
            int end = keys.position();
            boolean all = keys.laps() - markLaps > 1 || (keys.laps() > markLaps && end >= markPosition);
            if (all) {
                for (int i = 0; i < count; i++) {
                    reset(i);
                }
            } else {
                for (int i = markPosition; i != end; i = i + 1 == count ? 0 : i + 1) {
                    reset(i);
                }
            }
        }
        markPosition = keys.position();
        markLaps = keys.laps();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (db != null) {
            db.close();
        }
    }

    @Benchmark
    public void listAdd() throws Exception {
        backend.setCurrentKey(keyArray[keys.next()]);
        state.add(valueArray[values.next()]);
    }

    @Benchmark
    public void listGet(Blackhole bh) throws Exception {
        backend.setCurrentKey(keyArray[keys.next()]);
        for (Long v : state.get()) {
            bh.consume(v);
        }
    }

    @Benchmark
    public void listUpdate() throws Exception {
        backend.setCurrentKey(keyArray[keys.next()]);
        state.update(singletonLists[singletons.next()]);
    }

    @Benchmark
    public void listAddAll() throws Exception {
        backend.setCurrentKey(keyArray[keys.next()]);
        state.addAll(addAllList);
    }
}
