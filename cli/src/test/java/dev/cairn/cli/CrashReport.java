package dev.cairn.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tally of the crash test, per backend and kill point ({@code sigkill-random} or a {@code --halt-at}
 * point): kills that landed, resumed runs after them, cycles they led into completing, lost and duplicated
 * output lines of those completions, and invariant violations, with the text of every violation. Rendered
 * as a markdown table for the console and {@code target/crash-report.md}.
 */
final class CrashReport {
    static final String SIGKILL = "sigkill-random";
    /** Row of what no kill precedes: a cycle that completed without a kill, a check before any kill. */
    static final String NONE = "(no kill)";

    /** The counters of one backend and kill point. */
    static final class Row {
        long kills;
        long resumed;
        long cycles;
        long lost;
        long duplicated;
        long violations;
    }

    private final long seed;
    private final Map<String, Map<String, Row>> rows = new LinkedHashMap<>();
    private final Map<String, Long> wallMillis = new LinkedHashMap<>();
    private final Map<String, Long> runs = new LinkedHashMap<>();
    private final Map<String, String> storages = new LinkedHashMap<>();
    private final List<String> violations = new ArrayList<>();

    CrashReport(long seed, List<String> backends, List<String> points) {
        this.seed = seed;
        for (String backend : backends) {
            Map<String, Row> perPoint = new LinkedHashMap<>();
            perPoint.put(SIGKILL, new Row());
            for (String p : points) {
                perPoint.put(p, new Row());
            }
            perPoint.put(NONE, new Row());
            rows.put(backend, perPoint);
        }
    }

    Row row(String backend, String point) {
        return rows.get(backend).computeIfAbsent(point, p -> new Row());
    }

    void violation(String backend, String point, String text) {
        row(backend, point).violations++;
        violations.add("[" + backend + ", after " + point + "] " + text);
    }

    List<String> violations() {
        return violations;
    }

    void finished(String backend, long millis, long runCount, String storage) {
        wallMillis.put(backend, millis);
        runs.put(backend, runCount);
        storages.put(backend, storage);
    }

    long kills(String backend) {
        return rows.get(backend).values().stream().mapToLong(r -> r.kills).sum();
    }

    String markdown() {
        StringBuilder s = new StringBuilder();
        s.append("# Crash-consistency test\n\n");
        s.append("Seed `").append(seed).append("` (replay with `-Dcairn.crash.seed=").append(seed).append("`).\n\n");
        for (var e : wallMillis.entrySet()) {
            s.append("- ").append(e.getKey()).append(": ").append(kills(e.getKey())).append(" kills landed, ")
                    .append(runs.get(e.getKey())).append(" runs, ").append(String.format("%.1f", e.getValue() / 1000.0))
                    .append(" s; storage ").append(storages.get(e.getKey())).append('\n');
        }
        s.append('\n');
        s.append("Resumed runs, completed cycles, lost and duplicated outputs are counted against the kill that ")
                .append("preceded them.\n\n");
        s.append("| backend | kill point | kills landed | resumed runs | cycles completed | lost outputs ")
                .append("| duplicated outputs | invariant violations |\n");
        s.append("|---|---|---:|---:|---:|---:|---:|---:|\n");
        for (var b : rows.entrySet()) {
            Row total = new Row();
            for (var p : b.getValue().entrySet()) {
                Row r = p.getValue();
                line(s, b.getKey(), p.getKey(), r);
                total.kills += r.kills;
                total.resumed += r.resumed;
                total.cycles += r.cycles;
                total.lost += r.lost;
                total.duplicated += r.duplicated;
                total.violations += r.violations;
            }
            line(s, b.getKey(), "**total**", total);
        }
        s.append('\n');
        if (violations.isEmpty()) {
            s.append("No invariant violations.\n");
        } else {
            s.append("## Violations\n\n");
            for (String v : violations) {
                s.append("- ").append(v.replace("\n", "\n  ")).append('\n');
            }
        }
        return s.toString();
    }

    void write(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, markdown());
    }

    private static void line(StringBuilder s, String backend, String point, Row r) {
        s.append("| ").append(backend).append(" | ").append(point).append(" | ").append(r.kills).append(" | ")
                .append(r.resumed).append(" | ").append(r.cycles).append(" | ").append(r.lost).append(" | ")
                .append(r.duplicated).append(" | ").append(r.violations).append(" |\n");
    }
}
