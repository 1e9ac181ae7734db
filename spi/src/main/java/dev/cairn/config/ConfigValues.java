package dev.cairn.config;

import dev.cairn.error.ConfigurationException;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parsing of the values of configuration maps ({@code Map<String, String>}); errors name the key. */
public final class ConfigValues {
    private static final Pattern SIZE = Pattern.compile("\\s*(\\d{1,19})\\s*(b|kb|k|mb|m|gb|g)?\\s*");
    private static final Pattern DURATION = Pattern.compile("\\s*(\\d{1,15})\\s*(ms|s|min|h|d)?\\s*");

    private ConfigValues() {
    }

    /** A byte size such as {@code 4096}, {@code 20kb} or {@code 64 MB}. */
    public static long size(String key, String value) {
        Matcher m = SIZE.matcher(value.toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new ConfigurationException(key + ": '" + value + "' is not a byte size (e.g. 4096, 20kb, 64mb)");
        }
        String unit = m.group(2) == null ? "b" : m.group(2);
        int shift = switch (unit.charAt(0)) {
            case 'k' -> 10;
            case 'm' -> 20;
            case 'g' -> 30;
            default -> 0;
        };
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new ConfigurationException(key + ": '" + value + "' is too large", e);
        }
        if (n > (Long.MAX_VALUE >> shift)) {
            throw new ConfigurationException(key + ": '" + value + "' is too large");
        }
        return n << shift;
    }

    /**
     * A duration such as {@code 500ms}, {@code 60s}, {@code 2min}, {@code 1h} or {@code 7d}; a plain number is
     * milliseconds.
     */
    public static Duration duration(String key, String value) {
        Matcher m = DURATION.matcher(value.toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new ConfigurationException(key + ": '" + value
                    + "' is not a duration (e.g. 500ms, 60s, 2min, 1h, 7d)");
        }
        long n = Long.parseLong(m.group(1));
        try {
            return switch (m.group(2) == null ? "ms" : m.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "min" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                default -> Duration.ofMillis(n);
            };
        } catch (ArithmeticException e) {
            throw new ConfigurationException(key + ": '" + value + "' is too long", e);
        }
    }

    /** A byte size that fits an {@code int}. */
    public static int intSize(String key, String value) {
        long v = size(key, value);
        if (v > Integer.MAX_VALUE) {
            throw new ConfigurationException(key + ": " + v + " bytes is too large");
        }
        return (int) v;
    }

    /** {@code true} or {@code false}, in any case. */
    public static boolean bool(String key, String value) {
        String t = value.trim().toLowerCase(Locale.ROOT);
        if (!t.equals("true") && !t.equals("false")) {
            throw new ConfigurationException(key + ": '" + value + "' is not true or false");
        }
        return Boolean.parseBoolean(t);
    }

    /** A decimal integer. */
    public static int integer(String key, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new ConfigurationException(key + ": '" + value + "' is not an integer", e);
        }
    }

    /** A finite decimal number. */
    public static double decimal(String key, String value) {
        try {
            double d = Double.parseDouble(value.trim());
            if (!Double.isFinite(d)) {
                throw new ConfigurationException(key + ": '" + value + "' is not a finite number");
            }
            return d;
        } catch (NumberFormatException e) {
            throw new ConfigurationException(key + ": '" + value + "' is not a number", e);
        }
    }
}
