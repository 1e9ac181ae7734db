package dev.cairn.benchmarks.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Reads the JSON files JMH writes with {@code -rf json} (JMH 1.37's shape). */
public final class JmhResults {
    static final String SYSTEM_PARAM = "system";
    private static final ObjectMapper JSON = new ObjectMapper();

    private JmhResults() {
    }

    /** Every result of every {@code *.json} file directly in {@code directory}, files in name order. */
    public static List<JmhResult> readDirectory(Path directory) {
        List<Path> files;
        try (Stream<Path> entries = Files.list(directory)) {
            files = entries.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("listing " + directory + " failed", e);
        }
        List<JmhResult> results = new ArrayList<>();
        for (Path file : files) {
            results.addAll(readFile(file));
        }
        return results;
    }

    /** The results of one JMH JSON file; an empty file (a run that produced nothing) has none. */
    public static List<JmhResult> readFile(Path file) {
        JsonNode root;
        try {
            if (Files.size(file) == 0) {
                return List.of();
            }
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file + " failed", e);
        }
        if (!root.isArray()) {
            throw new IllegalArgumentException(file + " is not a JMH JSON result file (expected an array)");
        }
        List<JmhResult> results = new ArrayList<>();
        for (JsonNode node : root) {
            results.add(parse(node, file));
        }
        return results;
    }

    private static JmhResult parse(JsonNode node, Path file) {
        String fullName = required(node, "benchmark", file).asText();
        int method = fullName.lastIndexOf('.');
        int type = fullName.lastIndexOf('.', method - 1);
        if (method < 0 || type < 0) {
            throw new IllegalArgumentException(file + ": '" + fullName + "' is not package.Class.method");
        }
        String pkg = fullName.substring(0, type);
        String suite = pkg.substring(pkg.lastIndexOf('.') + 1);
        String benchmark = fullName.substring(type + 1);

        SortedMap<String, String> params = new TreeMap<>();
        String system = "";
        JsonNode paramsNode = node.path("params");
        for (Iterator<Map.Entry<String, JsonNode>> it = paramsNode.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (SYSTEM_PARAM.equals(e.getKey())) {
                system = e.getValue().asText();
            } else {
                params.put(e.getKey(), e.getValue().asText());
            }
        }
        JmhResult.Metric primary = metric(required(node, "primaryMetric", file));
        Map<String, JmhResult.Metric> secondary = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.path("secondaryMetrics").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            secondary.put(e.getKey(), metric(e.getValue()));
        }
        String settings = String.format("%d fork(s), %d×%s warmup, %d×%s measurement",
                node.path("forks").asInt(), node.path("warmupIterations").asInt(), node.path("warmupTime").asText(),
                node.path("measurementIterations").asInt(), node.path("measurementTime").asText());
        String jvm = (node.path("vmName").asText() + " " + node.path("jdkVersion").asText()).trim();
        List<String> jvmArgs = new ArrayList<>();
        node.path("jvmArgs").forEach(a -> jvmArgs.add(a.asText()));
        return new JmhResult(suite, benchmark, params, system, node.path("mode").asText(), primary,
                secondary, settings, jvm, jvmArgs);
    }

    private static JmhResult.Metric metric(JsonNode node) {
        double sum = 0;
        int count = 0;
        for (JsonNode fork : node.path("rawData")) {
            for (JsonNode value : fork) {
                sum += number(value);
                count++;
            }
        }
        double score = number(node.path("score"));
        return new JmhResult.Metric(score, number(node.path("scoreError")), node.path("scoreUnit").asText(),
                count == 0 ? score : sum / count);
    }

    /** JMH writes NaN and infinities as strings. */
    private static double number(JsonNode node) {
        if (node.isNumber()) {
            return node.asDouble();
        }
        if (node.isTextual()) {
            try {
                return Double.parseDouble(node.asText());
            } catch (NumberFormatException e) {
                return Double.NaN;
            }
        }
        return Double.NaN;
    }

    private static JsonNode required(JsonNode node, String field, Path file) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new IllegalArgumentException(file + ": a result has no '" + field + "'");
        }
        return value;
    }
}
