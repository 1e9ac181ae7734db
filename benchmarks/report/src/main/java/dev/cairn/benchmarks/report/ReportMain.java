package dev.cairn.benchmarks.report;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * {@code ReportMain <results-dir> <report.md> [--command "<how the run was started>"]}: reads every JMH JSON file
 * in the results directory and writes the Markdown report plus its PNG charts ({@code charts/} next to the report).
 */
public final class ReportMain {
    private ReportMain() {
    }

    public static void main(String[] args) throws IOException {
        System.setProperty("java.awt.headless", "true");
        if (args.length != 2 && !(args.length == 4 && "--command".equals(args[2]))) {
            System.err.println("usage: ReportMain <results-dir> <report.md> [--command \"<command>\"]");
            System.exit(2);
        }
        Path resultsDir = Path.of(args[0]);
        Path report = Path.of(args[1]);
        if (!Files.isDirectory(resultsDir)) {
            System.err.println("ReportMain: " + resultsDir + " is not a directory of JMH JSON results");
            System.exit(2);
        }
        String command = args.length == 4 ? args[3] : "ReportMain " + String.join(" ", args);
        List<JmhResult> results = JmhResults.readDirectory(resultsDir);
        ReportWriter.RunInfo info = new ReportWriter.RunInfo(
                ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")),
                machine(), command, resultsDir.toString());
        List<Path> charts = new ReportWriter(ResultSet.of(results), info).write(report);
        System.out.printf("%s: %d results, %d charts%n", report, results.size(), charts.size());
    }

    /** Cores, CPU model, memory and OS of the machine the report is generated on (the one that ran the suites). */
    static String machine() {
        int cores = Runtime.getRuntime().availableProcessors();
        String cpu = cpuModel();
        String memory = "unknown memory";
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            memory = String.format(Locale.ROOT, "%.1f GiB memory", os.getTotalMemorySize() / (1024.0 * 1024 * 1024));
        }
        return cores + " cores" + (cpu.isEmpty() ? "" : " (" + cpu + ")") + ", " + memory + ", "
                + System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch") + ", report JVM Java " + System.getProperty("java.version");
    }

    private static String cpuModel() {
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (!Files.isReadable(cpuinfo)) {
            return "";
        }
        try {
            return Files.readAllLines(cpuinfo).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("");
        } catch (IOException e) {
            return "";
        }
    }
}
