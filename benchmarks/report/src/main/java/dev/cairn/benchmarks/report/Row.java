package dev.cairn.benchmarks.report;

import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.stream.Collectors;

/**
 * One line of comparison: a benchmark method with its parameters other than {@code system}, and its result for
 * each system that ran it (possibly in different JMH modules, hence different JSON files).
 */
public record Row(String suite, String benchmark, SortedMap<String, String> params, Map<String, JmhResult> bySystem) {

    public Optional<JmhResult> result(String system) {
        return Optional.ofNullable(system == null ? null : bySystem.get(system));
    }

    /** {@code Class.method} followed by the other parameters, e.g. {@code RescaleBenchmark.rescale direction=in}. */
    public String label() {
        if (params.isEmpty()) {
            return benchmark;
        }
        return benchmark + " " + params.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(", "));
    }

    /** The method name, without the class. */
    public String method() {
        return benchmark.substring(benchmark.lastIndexOf('.') + 1);
    }
}
