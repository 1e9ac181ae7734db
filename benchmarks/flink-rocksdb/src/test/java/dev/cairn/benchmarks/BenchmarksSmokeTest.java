package dev.cairn.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.benchmarks.common.Profile;
import dev.cairn.benchmarks.common.Systems;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs every benchmark of this module once, in-process, on the smoke profile's tiny state, and checks that each
 * benchmark method produced a score for each value of its {@code system} parameter. It proves the suites run
 * (setup, measured calls, teardown); it measures nothing.
 */
class BenchmarksSmokeTest {
    private static final String INCLUDE = "dev\\.cairn\\.benchmarks\\..*";

    private String previousProfile;

    @BeforeEach
    void smokeProfile() {
        previousProfile = System.setProperty(Profile.PROPERTY, "smoke");
    }

    @AfterEach
    void restoreProfile() {
        if (previousProfile == null) {
            System.clearProperty(Profile.PROPERTY);
        } else {
            System.setProperty(Profile.PROPERTY, previousProfile);
        }
    }

    @Test
    void everyBenchmarkProducesAResultForEverySystem() throws Exception {
        Set<String> expected = new TreeSet<>();
        for (BenchmarkListEntry entry : BenchmarkList.defaultList().find(
                OutputFormatFactory.createFormatInstance(System.out, VerboseMode.SILENT), List.of(INCLUDE),
                List.of())) {
            Param systems = Class.forName(entry.getUserClassQName()).getField(Systems.PARAM).getAnnotation(Param.class);
            assertThat(systems).as("@Param system of %s", entry.getUsername()).isNotNull();
            for (String system : systems.value()) {
                expected.add(entry.getUsername() + " [" + system + "]");
            }
        }
        assertThat(expected).as("benchmarks found in META-INF/BenchmarkList").isNotEmpty();

        Options options = new OptionsBuilder()
                .include(INCLUDE)
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .warmupTime(TimeValue.milliseconds(100))
                .measurementTime(TimeValue.milliseconds(100))
                .shouldFailOnError(true)
                .verbosity(VerboseMode.SILENT)
                .build();
        Collection<RunResult> results = new Runner(options).run();

        Set<String> produced = new TreeSet<>();
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark() + " [" + r.getParams().getParam(Systems.PARAM) + "]";
            double score = r.getPrimaryResult().getScore();
            assertThat(score).as("score of %s", name).isPositive().isFinite();
            produced.add(name);
        }
        assertThat(produced).isEqualTo(expected);
    }
}
