package dev.cairn.benchmarks.report;

import java.util.Optional;

/**
 * One table line: a row's results for the three systems of a {@link Pairing}; any of them may be missing.
 * Ratios are {@code NaN} when a side is missing.
 */
public record Comparison(Row row, Pairing pairing, JmhResult cairn, JmhResult flink, JmhResult ceiling) {

    static Comparison of(Row row, Pairing pairing) {
        return new Comparison(row, pairing, row.result(pairing.cairn()).orElse(null),
                row.result(pairing.flink()).orElse(null), row.result(pairing.ceiling()).orElse(null));
    }

    /** Whether there is anything of Cairn or Flink to show. */
    boolean present() {
        return cairn != null || flink != null;
    }

    /** A result that is present, for the mode and unit of the line. */
    JmhResult any() {
        return cairn != null ? cairn : flink != null ? flink : ceiling;
    }

    /** Whether lower scores are better; false when nothing ran (every ratio is then NaN anyway). */
    boolean timeMode() {
        JmhResult any = any();
        return any != null && any.timeMode();
    }

    /** Cairn's score divided by Flink's (throughput: higher is better; time: lower is better). */
    public double cairnOverFlink() {
        return ratio(cairn, flink);
    }

    /** How many times faster Cairn is than Flink, whatever the mode (time: Flink/Cairn; throughput: Cairn/Flink). */
    public double speedupOverFlink() {
        return timeMode() ? ratio(flink, cairn) : ratio(cairn, flink);
    }

    /** Cairn's speed as a fraction of the ceiling's (time: ceiling/Cairn; throughput: Cairn/ceiling). */
    public double speedVsCeiling() {
        return timeMode() ? ratio(ceiling, cairn) : ratio(cairn, ceiling);
    }

    static double score(JmhResult r) {
        return r == null ? Double.NaN : r.primary().score();
    }

    static double error(JmhResult r) {
        return r == null ? Double.NaN : r.primary().error();
    }

    /** The mean per-iteration value of a secondary metric, if that result has it. */
    static Optional<Double> secondary(JmhResult r, String name) {
        if (r == null || !r.secondary().containsKey(name)) {
            return Optional.empty();
        }
        return Optional.of(r.secondary().get(name).perIteration());
    }

    /**
     * MiB per second for a time-mode result that counts its bytes ({@code bytesWritten} or {@code bytesRead} per
     * single shot); NaN otherwise.
     */
    static double mibPerSecond(JmhResult r) {
        if (r == null || !r.timeMode()) {
            return Double.NaN;
        }
        Optional<Double> bytes = secondary(r, "bytesWritten").or(() -> secondary(r, "bytesRead"));
        double seconds = r.primary().score() * secondsPerUnit(r.primary().unit());
        if (bytes.isEmpty() || !(seconds > 0)) {
            return Double.NaN;
        }
        return bytes.get() / (1024.0 * 1024.0) / seconds;
    }

    static double secondsPerUnit(String unit) {
        String time = unit.contains("/") ? unit.substring(0, unit.indexOf('/')) : unit;
        switch (time) {
            case "s":
                return 1;
            case "ms":
                return 1e-3;
            case "us":
                return 1e-6;
            case "ns":
                return 1e-9;
            case "min":
                return 60;
            default:
                return Double.NaN;
        }
    }

    private static double ratio(JmhResult a, JmhResult b) {
        double x = score(a);
        double y = score(b);
        return x / y;
    }
}
