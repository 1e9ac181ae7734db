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

/** Runs every storage benchmark once in-process with the smoke profile: proves each system works end to end. */
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
        for (RunResult r : results) {
            String counter = r.getParams().getBenchmark().endsWith(".write") ? "bytesWritten" : "bytesRead";
            assertThat(r.getSecondaryResults().get(counter).getScore())
                    .as("%s %s", r.getParams().getBenchmark(), r.getParams().getParam(Systems.PARAM))
                    .isEqualTo((double) Profile.SMOKE.storageFileBytes);
        }
    }
}
