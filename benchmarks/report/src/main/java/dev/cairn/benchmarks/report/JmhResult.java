package dev.cairn.benchmarks.report;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * One JMH result (one benchmark method with one set of parameters) as the report needs it.
 *
 * @param suite       the last segment of the benchmark's package ({@code state}, {@code storage}, ...)
 * @param benchmark   {@code SimpleClassName.method}
 * @param params      every parameter except {@code system}, sorted by name
 * @param system      the value of the {@code system} parameter ({@code ""} if the benchmark has none)
 * @param mode        JMH's short mode name: {@code thrpt}, {@code avgt}, {@code sample} or {@code ss}
 * @param primary     the score, its error and unit
 * @param secondary   the secondary metrics (aux counters) by name
 * @param settings    forks, warmup and measurement settings the result was taken with
 * @param jvm         {@code vmName jdkVersion} of the forked JVM
 * @param jvmArgs     the forked JVM's arguments
 */
public record JmhResult(String suite, String benchmark, SortedMap<String, String> params, String system, String mode,
                        Metric primary, Map<String, Metric> secondary, String settings, String jvm,
                        List<String> jvmArgs) {

    /**
     * A score with its JMH error (half-width of the 99.9% confidence interval; NaN with fewer than two
     * iterations) and the mean of its per-iteration values.
     */
    public record Metric(double score, double error, String unit, double perIteration) {
    }

    /** True for modes that report time per operation, where lower is better. */
    public boolean timeMode() {
        return isTimeMode(mode);
    }

    static boolean isTimeMode(String mode) {
        return !"thrpt".equals(mode);
    }
}
