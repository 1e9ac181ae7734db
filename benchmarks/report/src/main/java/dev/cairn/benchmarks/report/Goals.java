package dev.cairn.benchmarks.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The goals of issue 6 (and of file merging), each evaluated from the results by benchmark and system names. A goal whose rows did
 * not run is "not measured", never estimated.
 */
public final class Goals {
    private static final Set<String> VALUE_GET_UPDATE = Set.of("ValueStateBenchmark.valueGet",
            "ValueStateBenchmark.valueUpdate");

    /** The outcome of one goal. {@code measured} is empty when the rows it needs are missing. */
    public record Outcome(String goal, String target, Optional<Double> measured, String detail, boolean met) {
        public String status() {
            return measured.isEmpty() ? "not measured" : met ? "met" : "not met";
        }
    }

    private Goals() {
    }

    public static List<Outcome> evaluate(ResultSet results) {
        List<Outcome> outcomes = new ArrayList<>();
        Pairing memory = new Pairing("cairn-memory", "flink-heap", "raw-hashmap");
        Pairing rocksdb = new Pairing("cairn-rocksdb", "flink-rocksdb", "raw-rocksdbjni");
        for (String benchmark : List.of("ValueStateBenchmark.valueGet", "ValueStateBenchmark.valueUpdate")) {
            outcomes.add(atLeast("`memory` ≥ 1.5× Flink heap on " + benchmark, 1.5,
                    comparisons(results, "state", memory, r -> r.benchmark().equals(benchmark)),
                    Comparison::speedupOverFlink, "× Flink heap"));
        }
        outcomes.add(atLeast("`memory` ≥ 1.0× Flink heap on every other state benchmark", 1.0,
                comparisons(results, "state", memory, r -> !VALUE_GET_UPDATE.contains(r.benchmark())),
                Comparison::speedupOverFlink, "× Flink heap"));
        outcomes.add(atLeast("`rocksdb` ≥ 1.0× Flink RocksDB on every state benchmark", 1.0,
                comparisons(results, "state", rocksdb, r -> true), Comparison::speedupOverFlink, "× Flink RocksDB"));
        outcomes.add(atLeast("`rocksdb` ≥ 85% of raw rocksdbjni", 0.85,
                comparisons(results, "state", rocksdb, r -> r.result(rocksdb.ceiling()).isPresent()),
                Comparison::speedVsCeiling, "× raw rocksdbjni"));
        outcomes.add(atLeast("Rescale-in (2 → 1) of the RocksDB state ≥ 4× faster than Flink", 4.0,
                comparisons(results, "restore", rocksdb,
                        r -> r.benchmark().equals("RescaleBenchmark.rescale") && "in".equals(r.params().get("direction"))),
                Comparison::speedupOverFlink, "× faster than Flink"));
        outcomes.add(syncPhase(results));
        outcomes.add(atLeast("`file://` write ≥ 80% of the plain FileChannel copy", 0.8,
                comparisons(results, "storage", new Pairing("cairn-file", "flink-fs", "raw-filechannel"),
                        r -> r.benchmark().equals("StorageThroughputBenchmark.write")
                                && r.result("raw-filechannel").isPresent()),
                Comparison::speedVsCeiling, "× FileChannel"));
        outcomes.add(atLeast("File merging: checkpoint time on S3Proxy ≥ 1.0× merging off", 1.0,
                comparisons(results, "filemerging", new Pairing("cairn-merging-within", "cairn-merging-off", null),
                        r -> r.benchmark().equals("FileMergingCheckpointBenchmark.checkpoint")
                                && "s3".equals(r.params().get("storage"))),
                Comparison::speedupOverFlink, "× merging off"));
        return outcomes;
    }

    private static List<Comparison> comparisons(ResultSet results, String suite, Pairing pairing,
                                                Predicate<Row> rows) {
        return results.rows(suite).stream().filter(rows).map(r -> Comparison.of(r, pairing)).toList();
    }

    /** The worst ratio over the rows where both sides ran must reach {@code threshold}. */
    private static Outcome atLeast(String goal, double threshold, List<Comparison> comparisons,
                                   Function<Comparison, Double> ratio, String unit) {
        String target = "≥ " + String.format(Locale.ROOT, "%.2f", threshold) + unit;
        List<Comparison> measured = comparisons.stream().filter(c -> !Double.isNaN(ratio.apply(c))).toList();
        if (measured.isEmpty()) {
            return new Outcome(goal, target, Optional.empty(), "the rows did not run", false);
        }
        Comparison worst = measured.stream().min(Comparator.comparing(ratio)).orElseThrow();
        double value = ratio.apply(worst);
        String detail = measured.size() == 1 ? worst.row().label()
                : "worst of " + measured.size() + " rows: " + worst.row().label();
        long missing = comparisons.stream().filter(Comparison::present).count() - measured.size();
        if (missing > 0) {
            detail += "; " + missing + " row(s) lack a side";
        }
        return new Outcome(goal, target, Optional.of(value), detail, value >= threshold);
    }

    private static Outcome syncPhase(ResultSet results) {
        String goal = "Incremental snapshot synchronous phase < 10 ms (large state)";
        Optional<Row> row = results.row("snapshot", "LargeStateSnapshotBenchmark.incrementalSyncPhaseLarge",
                new TreeMap<>());
        Optional<Double> millis = row.flatMap(r -> r.result("cairn-rocksdb"))
                .flatMap(r -> Comparison.secondary(r, "syncPhaseMillis"));
        if (millis.isEmpty()) {
            return new Outcome(goal, "< 10 ms", Optional.empty(), "the row did not run", false);
        }
        return new Outcome(goal, "< 10 ms", millis, "cairn-rocksdb, " + row.get().label()
                + ", mean syncPhaseMillis per shot", millis.get() < 10.0);
    }

    /** The measured value as shown in the goal table. */
    static String formatMeasured(Outcome outcome) {
        return outcome.measured().map(v -> outcome.target().startsWith("<")
                ? Format.number(v) + " ms" : Format.ratio(v)).orElse("not measured");
    }
}
