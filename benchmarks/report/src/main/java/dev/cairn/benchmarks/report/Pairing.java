package dev.cairn.benchmarks.report;

/**
 * Which systems of a suite are compared in one table line: a Cairn system, the Flink system it is measured
 * against, and the raw ceiling or physical baseline ({@code null} if the suite has none).
 */
public record Pairing(String cairn, String flink, String ceiling) {
}
