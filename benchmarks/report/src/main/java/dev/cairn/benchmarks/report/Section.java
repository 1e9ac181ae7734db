package dev.cairn.benchmarks.report;

import java.util.List;

/**
 * What the report says about one suite (one benchmark package): its title, a paragraph on what is measured and
 * how, and which systems pair up. Adding a suite to the report is one benchmark package plus one subclass,
 * listed in {@link Sections#ALL}.
 */
public abstract class Section {
    /** The last segment of the benchmark package, e.g. {@code storage}. */
    public abstract String suite();

    public abstract String title();

    /** One Markdown paragraph: what is measured, how, and what the columns compare. */
    public abstract String description();

    /** The comparisons of each row; a row shows one line per pairing with a Cairn or Flink result. */
    public abstract List<Pairing> pairings();

    /** What the first system of a pairing is called in the tables and charts. */
    public String cairnName() {
        return "Cairn";
    }

    /** What the second system of a pairing, the one the first is compared with, is called. */
    public String flinkName() {
        return "Flink";
    }

    /** What the third system of a pairing is called in the table: a ceiling (raw library) or a baseline. */
    public String ceilingName() {
        return "ceiling";
    }
}
