package dev.cairn.benchmarks.report;

import java.util.List;

/** The state access suite ({@code dev.cairn.benchmarks.state}). */
public final class StateSection extends Section {
    @Override
    public String suite() {
        return "state";
    }

    @Override
    public String title() {
        return "State access";
    }

    @Override
    public String description() {
        return "Single-key state operations in the shapes of apache/flink-benchmarks (ValueState get/update/add, "
                + "ListState add/get/update/add-all of 100, MapState put/get/contains/iterate over maps of 10 "
                + "entries), on keyed backends built directly, no cluster: pre-loaded long keys plus new ones, "
                + "8-byte values, keys pre-generated into arrays and walked by a cursor, one `setCurrentKey` and one "
                + "state call per operation. Throughput in operations per millisecond. Cairn `memory` is compared "
                + "with Flink's `HashMapStateBackend` (ceiling: a plain `HashMap<Long, Long>`), Cairn `rocksdb` with "
                + "Flink's `EmbeddedRocksDBStateBackend`, which runs in its own JVM because its RocksDB build shares "
                + "the `org.rocksdb` package with rocksdbjni (ceiling: raw rocksdbjni get/put of the same bytes).";
    }

    @Override
    public List<Pairing> pairings() {
        return List.of(new Pairing("cairn-memory", "flink-heap", "raw-hashmap"),
                new Pairing("cairn-rocksdb", "flink-rocksdb", "raw-rocksdbjni"));
    }
}
