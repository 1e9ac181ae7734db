package dev.cairn.benchmarks.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JmhResultsTest {
    @TempDir
    Path dir;

    @Test
    void readsSuiteBenchmarkParamsAndMetrics() throws Exception {
        List<JmhResult> results = JmhResults.readDirectory(Fixtures.copyTo(dir, Fixtures.FILES));

        assertThat(results).hasSize(17);
        JmhResult rescale = results.stream()
                .filter(r -> r.benchmark().equals("RescaleBenchmark.rescale") && r.system().equals("flink-rocksdb"))
                .findFirst().orElseThrow();
        assertThat(rescale.suite()).isEqualTo("restore");
        assertThat(rescale.params()).containsExactly(Map.entry("direction", "in"));
        assertThat(rescale.mode()).isEqualTo("ss");
        assertThat(rescale.timeMode()).isTrue();
        assertThat(rescale.primary().score()).isEqualTo(10000.0);
        assertThat(rescale.primary().error()).isEqualTo(400.0);
        assertThat(rescale.primary().unit()).isEqualTo("ms/op");
        assertThat(rescale.jvmArgs()).contains("-Dcairn.bench.profile=quick");

        JmhResult large = results.stream().filter(r -> r.benchmark().startsWith("LargeState")).findFirst().orElseThrow();
        assertThat(large.secondary()).containsOnlyKeys("syncPhaseMillis", "bytesPersisted", "bytesFlushed");
        assertThat(large.secondary().get("syncPhaseMillis").perIteration()).isEqualTo(5.0);
    }

    @Test
    void nanErrorOfASingleIterationIsNaN() throws Exception {
        Path file = dir.resolve("one.json");
        Files.writeString(file, """
                [{"jmhVersion":"1.37","benchmark":"dev.cairn.benchmarks.storage.StorageThroughputBenchmark.read",
                  "mode":"ss","forks":1,"params":{"system":"cairn-file"},
                  "primaryMetric":{"score":2.5,"scoreError":"NaN","scoreUnit":"ms/op","rawData":[[2.5]]},
                  "secondaryMetrics":{}}]
                """);
        JmhResult r = JmhResults.readFile(file).get(0);
        assertThat(r.primary().error()).isNaN();
        assertThat(r.params()).isEmpty();
        assertThat(r.system()).isEqualTo("cairn-file");
    }

    @Test
    void anEmptyFileHasNoResultsAndAnObjectIsRefused() throws Exception {
        Path empty = Files.createFile(dir.resolve("empty.json"));
        assertThat(JmhResults.readFile(empty)).isEmpty();
        Path object = Files.writeString(dir.resolve("object.json"), "{}");
        assertThatThrownBy(() -> JmhResults.readFile(object)).hasMessageContaining("not a JMH JSON result file");
    }
}
