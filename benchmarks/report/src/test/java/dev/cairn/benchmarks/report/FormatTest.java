package dev.cairn.benchmarks.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FormatTest {
    @Test
    void numbersRatiosAndMetricsAreReadableAndMissingIsADash() {
        assertThat(Format.number(12345.6)).isEqualTo("12,346");
        assertThat(Format.number(123.45)).isEqualTo("123.5");
        assertThat(Format.number(1.2345)).isEqualTo("1.23");
        assertThat(Format.number(0.012345)).isEqualTo("0.0123");
        assertThat(Format.number(Double.NaN)).isEqualTo("–");
        assertThat(Format.ratio(1.5)).isEqualTo("1.50×");
        assertThat(Format.ratio(0.0012)).isEqualTo("0.0012×");
        assertThat(Format.ratio(Double.POSITIVE_INFINITY)).isEqualTo("–");
        assertThat(Format.error(Double.NaN)).isEqualTo("–");
        assertThat(Format.metric("bytesPersisted", 3 * 1024 * 1024)).isEqualTo("3.00");
        assertThat(Format.metricUnit("bytesPersisted")).isEqualTo("MiB");
        assertThat(Format.metricUnit("syncPhaseMillis")).isEqualTo("ms");
    }
}
