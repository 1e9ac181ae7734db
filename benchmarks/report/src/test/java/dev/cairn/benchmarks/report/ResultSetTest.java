package dev.cairn.benchmarks.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ResultSetTest {
    private static JmhResult result(String system, Map<String, String> params, double score) {
        return new JmhResult("snapshot", "IncrementalSnapshotBenchmark.incrementalSnapshot", new TreeMap<>(params),
                system, "ss", new JmhResult.Metric(score, Double.NaN, "ms/op", score), Map.of(), "", "", List.of());
    }

    @Test
    void resultsDifferingOnlyInSystemShareARowAndNumericParamsSortByNumber() {
        ResultSet set = ResultSet.of(List.of(
                result("cairn-rocksdb", Map.of("changedPercent", "10"), 5),
                result("flink-rocksdb", Map.of("changedPercent", "10"), 9),
                result("cairn-rocksdb", Map.of("changedPercent", "1"), 2),
                result("cairn-rocksdb", Map.of("changedPercent", "2"), 3)));

        List<Row> rows = set.rows("snapshot");
        assertThat(rows).extracting(Row::label).containsExactly(
                "IncrementalSnapshotBenchmark.incrementalSnapshot changedPercent=1",
                "IncrementalSnapshotBenchmark.incrementalSnapshot changedPercent=2",
                "IncrementalSnapshotBenchmark.incrementalSnapshot changedPercent=10");
        assertThat(rows.get(2).bySystem()).containsOnlyKeys("cairn-rocksdb", "flink-rocksdb");
        Comparison c = Comparison.of(rows.get(2), new Pairing("cairn-rocksdb", "flink-rocksdb", null));
        assertThat(c.speedupOverFlink()).isEqualTo(9.0 / 5.0);
        assertThat(c.speedVsCeiling()).isNaN();
        assertThat(set.rows("state")).isEmpty();
    }
}
