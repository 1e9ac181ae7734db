package dev.cairn.benchmarks.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileMergingSectionTest {
    private static final ReportWriter.RunInfo INFO = new ReportWriter.RunInfo("2026-12-04 03:00 UTC",
            "2 cores", "benchmarks/run.sh --quick --only storage", "benchmarks/results");

    @TempDir
    Path dir;

    private ResultSet results() throws Exception {
        return ResultSet.of(JmhResults.readDirectory(Fixtures.copyTo(dir.resolve("results"),
                List.of("storage.json", "filemerging.json"))));
    }

    @Test
    void mergingIsComparedWithMergingOffPerStorage() throws Exception {
        Path report = dir.resolve("out/REPORT.md");
        new ReportWriter(results(), INFO).write(report);
        String md = Files.readString(report);
        assertThat(md).contains("## File merging");
        assertThat(md).contains("| Benchmark | merging · off | merging [ms/op] | off [ms/op] | merging/off |"
                + " Speedup off/merging | Error ± (merging · off) | blobCreates [# per shot] (merging · off) |");
        assertThat(md).contains("| FileMergingCheckpointBenchmark.checkpoint storage=s3 | cairn-merging-within ·"
                + " cairn-merging-off | 350.0 | 700.0 | 0.50× | 2.00× | ±30.00 · ±50.00 | 3.00 · 60.00 |");
        assertThat(md).contains("| FileMergingCheckpointBenchmark.checkpoint storage=file | cairn-merging-across ·"
                + " cairn-merging-off | 200.0 | 400.0 | 0.50× | 2.00× | ±10.00 · ±20.00 | 2.00 · 61.00 |");
        assertThat(md).contains("the speedup column is off's time divided by merging's");
        assertThat(md).contains("| Benchmark | Cairn · Flink · baseline |");
    }

    @Test
    void theS3GoalComparesMergingWithinWithMergingOff() throws Exception {
        Goals.Outcome goal = Goals.evaluate(results()).stream()
                .filter(o -> o.goal().startsWith("File merging")).findFirst().orElseThrow();
        assertThat(goal.measured()).contains(2.0);
        assertThat(goal.status()).isEqualTo("met");
        assertThat(goal.detail()).isEqualTo("FileMergingCheckpointBenchmark.checkpoint storage=s3");
    }
}
