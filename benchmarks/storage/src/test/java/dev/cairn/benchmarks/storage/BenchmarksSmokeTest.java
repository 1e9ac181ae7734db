package dev.cairn.benchmarks.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.benchmarks.common.Profile;
import dev.cairn.benchmarks.common.Systems;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs every benchmark of this module (storage throughput, file merging) once in-process with the smoke profile:
 * proves each system works end to end.
 */
class BenchmarksSmokeTest {
    @Test
    void everyBenchmarkProducesAResult() throws Exception {
        System.setProperty(Profile.PROPERTY, "smoke");
        Collection<RunResult> results = new Runner(new OptionsBuilder()
                .include("dev\\.cairn\\.benchmarks\\..*")
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .warmupTime(TimeValue.milliseconds(100))
                .measurementTime(TimeValue.milliseconds(100))
                .shouldFailOnError(true)
                .build()).run();

        Set<String> produced = results.stream()
                .map(r -> r.getParams().getBenchmark().replaceFirst(".*\\.", "") + "/"
                        + r.getParams().getParam(Systems.PARAM))
                .collect(Collectors.toSet());
        List<String> systems = List.of(Systems.CAIRN_FILE, Systems.CAIRN_HDFS, Systems.CAIRN_S3, Systems.FLINK_FS,
                Systems.RAW_FILECHANNEL);
        for (String method : List.of("write", "read")) {
            for (String system : systems) {
                assertThat(produced).contains(method + "/" + system);
            }
        }
        for (String method : List.of("checkpoint", "restore")) {
            for (String system : List.of(Systems.CAIRN_MERGING_OFF, Systems.CAIRN_MERGING_WITHIN,
                    Systems.CAIRN_MERGING_ACROSS)) {
                assertThat(produced).contains(method + "/" + system);
            }
        }
        for (RunResult r : results) {
            String benchmark = r.getParams().getBenchmark();
            if (benchmark.contains(".filemerging.")) {
                checkFileMerging(r);
                continue;
            }
            String counter = benchmark.endsWith(".write") ? "bytesWritten" : "bytesRead";
            assertThat(r.getSecondaryResults().get(counter).getScore())
                    .as("%s %s", r.getParams().getBenchmark(), r.getParams().getParam(Systems.PARAM))
                    .isEqualTo((double) Profile.SMOKE.storageFileBytes);
        }
    }

    /** The secondary figures of a file merging shot: what merging changes must show in them. */
    private static void checkFileMerging(RunResult r) {
        String system = r.getParams().getParam(Systems.PARAM);
        String storage = r.getParams().getParam("storage");
        String what = r.getParams().getBenchmark() + " " + system + " " + storage;
        if (r.getParams().getBenchmark().endsWith(".restore")) {
            assertThat(r.getSecondaryResults().get("keysVerified").getScore()).as(what).isPositive();
            assertThat(r.getSecondaryResults().get("blobOpens").getScore()).as(what).isPositive();
        } else {
            assertThat(r.getSecondaryResults().get("blobCreates").getScore()).as(what).isPositive();
            double merged = r.getSecondaryResults().get("mergedFiles").getScore();
            if (system.equals(Systems.CAIRN_MERGING_OFF)) {
                assertThat(merged).as(what).isZero();
            } else {
                assertThat(merged).as(what).isPositive();
                assertThat(r.getSecondaryResults().get("worstFileAmplification").getScore()).as(what)
                        .isBetween(1.0, 2.0);
            }
        }
        assertThat(r.getSecondaryResults().get("requests").getScore()).as(what)
                .matches(n -> storage.equals("s3") ? n > 0 : n == 0, storage.equals("s3") ? "> 0" : "0");
    }
}
