package dev.cairn.benchmarks.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportWriterTest {
    private static final ReportWriter.RunInfo INFO = new ReportWriter.RunInfo("2026-11-26 01:00 UTC",
            "2 cores, 23.0 GiB memory", "benchmarks/run.sh --quick", "benchmarks/results");

    @TempDir
    Path dir;

    private String write(List<String> fixtures, List<Path> chartsOut) throws Exception {
        ResultSet results = ResultSet.of(JmhResults.readDirectory(Fixtures.copyTo(dir.resolve("results"), fixtures)));
        Path report = dir.resolve("out/REPORT.md");
        chartsOut.addAll(new ReportWriter(results, INFO).write(report));
        return Files.readString(report);
    }

    @Test
    void throughputTableShowsScoresRatiosCeilingAndErrors() throws Exception {
        String md = write(Fixtures.FILES, new ArrayList<>());
        assertThat(md).contains("| ValueStateBenchmark.valueGet | cairn-memory · flink-heap · raw-hashmap | 3,000 | "
                + "2,000 | 1.50× | 10,000 | 0.30× | ±12.50 · ±8.00 · ±100.0 |");
        assertThat(md).contains("| ValueStateBenchmark.valueGet | cairn-rocksdb · flink-rocksdb · raw-rocksdbjni | "
                + "700.0 | 500.0 | 1.40× | 800.0 | 0.88× | ±5.00 · ±6.00 · ±4.00 |");
        assertThat(md).contains("Throughput in ops/ms: **higher is better**.");
        assertThat(md).contains("| Benchmark | Cairn · Flink · ceiling | Cairn [ops/ms] | Flink [ops/ms] | Cairn/Flink |"
                + " Ceiling [ops/ms] | Cairn/ceiling | Error ± (Cairn · Flink · ceiling) |\n");
    }

    @Test
    void timeTablesShowSpeedupMibPerSecondAndSecondaryMetrics() throws Exception {
        String md = write(Fixtures.FILES, new ArrayList<>());
        assertThat(md).contains("**lower is better**");
        assertThat(md).contains("| StorageThroughputBenchmark.write | cairn-file · flink-fs · raw-filechannel | 800.0 | "
                + "1,000 | 0.80× | 1.25× | 640.0 | 0.80× | ±20.00 · ±30.00 · ±10.00 | 320.0 · 256.0 · 400.0 |");
        assertThat(md).contains("| RescaleBenchmark.rescale direction=in | cairn-rocksdb · flink-rocksdb | 2,000 | "
                + "10,000 | 0.20× | 5.00× | ±150.0 · ±400.0 |");
        assertThat(md).contains("| LargeStateSnapshotBenchmark.incrementalSyncPhaseLarge | cairn-rocksdb · flink-rocksdb"
                + " | 600.0 | – | – | – | ±90.00 · – | 5.00 · – | 10.00 · – | 20.00 · – |");
        assertThat(md).contains("syncPhaseMillis [ms per shot] (Cairn · Flink)",
                "bytesPersisted [MiB per shot]", "bytesFlushed [MiB per shot]");
    }

    @Test
    void missingSidesAreDashesAndMissingSuitesAreSaid() throws Exception {
        String md = write(List.of("storage.json"), new ArrayList<>());
        assertThat(md).contains("| StorageThroughputBenchmark.read | cairn-file · flink-fs · raw-filechannel | 100.0 | "
                + "– | – | – | – | – | ±2.00 · – · – | 2,560 · – · – |");
        assertThat(md).doesNotContain("cairn-hdfs · flink-fs");
        assertThat(md).contains("_Not measured in this run: no results of `dev.cairn.benchmarks.state`._");
        assertThat(md).contains("| `memory` ≥ 1.5× Flink heap on ValueStateBenchmark.valueGet | ≥ 1.50× Flink heap | "
                + "not measured | not measured |");
    }

    @Test
    void headerNamesProfileSettingsAndCommand() throws Exception {
        String md = write(Fixtures.FILES, new ArrayList<>());
        assertThat(md).contains("| Profile | quick |", "| Command | `benchmarks/run.sh --quick` |",
                "| Machine | 2 cores, 23.0 GiB memory |", "| Benchmark JVM | OpenJDK 64-Bit Server VM 17.0.15 |",
                "1 fork(s), 1×1 s warmup, 3×1 s measurement (17 results)");
        assertThat(md).contains("| `file://` write ≥ 80% of the plain FileChannel copy | ≥ 0.80× FileChannel | 0.80× | met |");
    }

    @Test
    void writesOnePngPerSectionWithResultsAndLinksIt() throws Exception {
        List<Path> charts = new ArrayList<>();
        String md = write(Fixtures.FILES, charts);
        Path chartsDir = dir.resolve("out/charts");
        assertThat(charts).containsExactlyInAnyOrder(chartsDir.resolve("state.png"), chartsDir.resolve("snapshot.png"),
                chartsDir.resolve("restore.png"), chartsDir.resolve("storage.png"));
        for (Path chart : charts) {
            BufferedImage image = ImageIO.read(chart.toFile());
            assertThat(image).as(chart.toString()).isNotNull();
            assertThat(image.getWidth()).isGreaterThanOrEqualTo(800);
            assertThat(md).contains("](charts/" + chart.getFileName() + ")");
        }
    }
}
