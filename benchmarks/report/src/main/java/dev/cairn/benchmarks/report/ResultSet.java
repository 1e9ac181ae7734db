package dev.cairn.benchmarks.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/** All results of a run grouped into {@link Row}s: same suite, benchmark and parameters, one entry per system. */
public final class ResultSet {
    private final List<JmhResult> results;
    private final Map<String, List<Row>> rowsBySuite = new TreeMap<>();

    private ResultSet(List<JmhResult> results) {
        this.results = List.copyOf(results);
        Map<List<Object>, Row> rows = new LinkedHashMap<>();
        for (JmhResult r : results) {
            List<Object> key = List.of(r.suite(), r.benchmark(), r.params());
            Row row = rows.computeIfAbsent(key, k -> new Row(r.suite(), r.benchmark(), r.params(), new TreeMap<>()));
            row.bySystem().put(r.system(), r);
        }
        Comparator<Row> order = Comparator.comparing(Row::benchmark).thenComparing(Row::params, ResultSet::compareParams);
        for (Row row : rows.values()) {
            rowsBySuite.computeIfAbsent(row.suite(), s -> new ArrayList<>()).add(row);
        }
        rowsBySuite.values().forEach(list -> list.sort(order));
    }

    /** Parameters in name order, numeric values by number ({@code 1} before {@code 10}). */
    static int compareParams(SortedMap<String, String> a, SortedMap<String, String> b) {
        Iterator<Map.Entry<String, String>> x = a.entrySet().iterator();
        Iterator<Map.Entry<String, String>> y = b.entrySet().iterator();
        while (x.hasNext() && y.hasNext()) {
            Map.Entry<String, String> p = x.next();
            Map.Entry<String, String> q = y.next();
            int byName = p.getKey().compareTo(q.getKey());
            if (byName != 0) {
                return byName;
            }
            int byValue = compareValues(p.getValue(), q.getValue());
            if (byValue != 0) {
                return byValue;
            }
        }
        return Boolean.compare(x.hasNext(), y.hasNext());
    }

    private static int compareValues(String a, String b) {
        try {
            return Double.compare(Double.parseDouble(a), Double.parseDouble(b));
        } catch (NumberFormatException e) {
            return a.compareTo(b);
        }
    }

    public static ResultSet of(List<JmhResult> results) {
        return new ResultSet(results);
    }

    public List<JmhResult> results() {
        return results;
    }

    /** The suites present, in name order. */
    public TreeSet<String> suites() {
        return new TreeSet<>(rowsBySuite.keySet());
    }

    /** The rows of a suite, ordered by benchmark and parameters; empty if the suite did not run. */
    public List<Row> rows(String suite) {
        return rowsBySuite.getOrDefault(suite, List.of());
    }

    /** The row of {@code suite}'s {@code Class.method} with exactly these other parameters. */
    public Optional<Row> row(String suite, String benchmark, SortedMap<String, String> params) {
        return rows(suite).stream()
                .filter(r -> r.benchmark().equals(benchmark) && Objects.equals(r.params(), params))
                .findFirst();
    }
}
