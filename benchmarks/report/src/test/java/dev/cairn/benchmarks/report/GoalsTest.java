package dev.cairn.benchmarks.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GoalsTest {
    @TempDir
    Path dir;

    private Map<String, Goals.Outcome> evaluate(List<String> files) throws Exception {
        ResultSet results = ResultSet.of(JmhResults.readDirectory(Fixtures.copyTo(dir, files)));
        return Goals.evaluate(results).stream().collect(Collectors.toMap(Goals.Outcome::goal, Function.identity()));
    }

    @Test
    void ratiosAndStatusComeFromTheResults() throws Exception {
        Map<String, Goals.Outcome> goals = evaluate(Fixtures.FILES);
        assertThat(goals).hasSize(9);

        Goals.Outcome get = goals.get("`memory` ≥ 1.5× Flink heap on ValueStateBenchmark.valueGet");
        assertThat(get.measured()).contains(1.5);
        assertThat(get.status()).isEqualTo("met");

        Goals.Outcome update = goals.get("`memory` ≥ 1.5× Flink heap on ValueStateBenchmark.valueUpdate");
        assertThat(update.measured()).contains(1.0);
        assertThat(update.status()).isEqualTo("not met");

        Goals.Outcome others = goals.get("`memory` ≥ 1.0× Flink heap on every other state benchmark");
        assertThat(others.measured()).contains(0.9);
        assertThat(others.detail()).isEqualTo("MapStateBenchmark.mapGet");
        assertThat(others.status()).isEqualTo("not met");

        assertThat(goals.get("`rocksdb` ≥ 1.0× Flink RocksDB on every state benchmark").measured()).contains(1.4);
        assertThat(goals.get("`rocksdb` ≥ 85% of raw rocksdbjni").measured()).contains(700.0 / 800.0);
        assertThat(goals.get("`rocksdb` ≥ 85% of raw rocksdbjni").status()).isEqualTo("met");

        Goals.Outcome rescale = goals.get("Rescale-in (2 → 1) of the RocksDB state ≥ 4× faster than Flink");
        assertThat(rescale.measured()).contains(5.0);
        assertThat(rescale.status()).isEqualTo("met");

        Goals.Outcome sync = goals.get("Incremental snapshot synchronous phase < 10 ms (large state)");
        assertThat(sync.measured()).contains(5.0);
        assertThat(Goals.formatMeasured(sync)).isEqualTo("5.00 ms");

        Goals.Outcome file = goals.get("`file://` write ≥ 80% of the plain FileChannel copy");
        assertThat(file.measured()).contains(0.8);
        assertThat(file.status()).isEqualTo("met");
    }

    @Test
    void goalsWithoutTheirRowsAreNotMeasured() throws Exception {
        Map<String, Goals.Outcome> goals = evaluate(List.of("storage.json"));
        assertThat(goals.values()).filteredOn(o -> !o.goal().startsWith("`file://`"))
                .allSatisfy(o -> {
                    assertThat(o.measured()).isEmpty();
                    assertThat(o.status()).isEqualTo("not measured");
                    assertThat(Goals.formatMeasured(o)).isEqualTo("not measured");
                });
    }

    @Test
    void aMissingFlinkSideLeavesTheRocksDbGoalUnmeasured() throws Exception {
        Map<String, Goals.Outcome> goals = evaluate(List.of("cairn.json"));
        assertThat(goals.get("`rocksdb` ≥ 1.0× Flink RocksDB on every state benchmark").status())
                .isEqualTo("not measured");
        assertThat(goals.get("`rocksdb` ≥ 85% of raw rocksdbjni").status()).isEqualTo("met");
        assertThat(goals.get("Rescale-in (2 → 1) of the RocksDB state ≥ 4× faster than Flink").status())
                .isEqualTo("not measured");
    }
}
