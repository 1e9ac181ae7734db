package dev.cairn.benchmarks.report;

import java.util.Locale;

/** Number formatting for the tables: missing values are an en dash, never a made-up figure. */
final class Format {
    static final String MISSING = "–";

    private Format() {
    }

    /** A score or metric with about four significant digits. */
    static String number(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return MISSING;
        }
        double a = Math.abs(v);
        if (a >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (a >= 100) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        if (a >= 1) {
            return String.format(Locale.ROOT, "%.2f", v);
        }
        if (a == 0) {
            return "0";
        }
        return String.format(Locale.ROOT, "%.3g", v);
    }

    static String ratio(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return MISSING;
        }
        if (v != 0 && Math.abs(v) < 0.01) {
            return String.format(Locale.ROOT, "%.2g×", v);
        }
        return String.format(Locale.ROOT, "%.2f×", v);
    }

    static String error(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return MISSING;
        }
        return "±" + number(v);
    }

    /** A secondary metric in a readable unit: bytes as MiB, milliseconds as ms. */
    static String metric(String name, double v) {
        if (Double.isNaN(v)) {
            return MISSING;
        }
        if (isBytes(name)) {
            return number(v / (1024.0 * 1024.0));
        }
        return number(v);
    }

    static String metricUnit(String name) {
        if (isBytes(name)) {
            return "MiB";
        }
        if (name.endsWith("Millis")) {
            return "ms";
        }
        return "#";
    }

    private static boolean isBytes(String name) {
        return name.toLowerCase(Locale.ROOT).startsWith("bytes");
    }
}
