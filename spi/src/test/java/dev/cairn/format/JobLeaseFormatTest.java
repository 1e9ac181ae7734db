package dev.cairn.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.checkpoint.JobLease;
import dev.cairn.config.ConfigValues;
import dev.cairn.error.ConfigurationException;
import dev.cairn.error.CorruptCheckpointException;
import dev.cairn.error.UnsupportedVersionException;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class JobLeaseFormatTest {
    private static final String FILE = "file:///c/job/_lease-h-1";
    private final JobLease lease = new JobLease("2b1c0d6e-5f4a-4c3b-9e8d-7a6b5c4d3e2f", "cairn job j on host pid 7",
            Instant.ofEpochMilli(1_700_000_000_123L), Duration.ofSeconds(60));

    @Test
    void roundTrips() {
        assertThat(JobLeaseFormat.read(FILE, JobLeaseFormat.write(lease))).isEqualTo(lease);
    }

    @Test
    void refusesDamagedTruncatedAndFutureVersionLeasesNamingTheFile() {
        byte[] bytes = JobLeaseFormat.write(lease);
        byte[] flipped = bytes.clone();
        flipped[bytes.length - 3] ^= 1;
        assertThatThrownBy(() -> JobLeaseFormat.read(FILE, flipped)).isInstanceOf(CorruptCheckpointException.class)
                .hasMessageContaining(FILE);
        byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length - 4);
        assertThatThrownBy(() -> JobLeaseFormat.read(FILE, truncated)).isInstanceOf(CorruptCheckpointException.class);
        byte[] future = Envelope.seal(JobLeaseFormat.MAGIC, JobLeaseFormat.VERSION + 1, new byte[0]);
        assertThatThrownBy(() -> JobLeaseFormat.read(FILE, future)).isInstanceOf(UnsupportedVersionException.class);
        byte[] zeroTtl = JobLeaseFormat.write(new JobLease("h", "d", Instant.EPOCH, Duration.ZERO));
        assertThatThrownBy(() -> JobLeaseFormat.read(FILE, zeroTtl)).hasMessageContaining("ttl is 0");
    }

    @Test
    void aLeaseIsLiveUntilItsTtlHasPassed() {
        Instant renewed = lease.renewedAt();
        assertThat(lease.liveAt(renewed)).isTrue();
        assertThat(lease.liveAt(renewed.plusSeconds(60).minusMillis(1))).isTrue();
        assertThat(lease.liveAt(renewed.plusSeconds(60))).isFalse();
        assertThat(lease.expiresAt()).isEqualTo(renewed.plusSeconds(60));
        assertThat(JobLease.describe("cairn job j")).startsWith("cairn job j on ")
                .endsWith(" pid " + ProcessHandle.current().pid());
        assertThatThrownBy(() -> new JobLease("h", "d", Instant.EPOCH, Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void durationsParseWithUnitsAndErrorsNameTheKey() {
        assertThat(ConfigValues.duration("k", "750")).isEqualTo(Duration.ofMillis(750));
        assertThat(ConfigValues.duration("k", "750ms")).isEqualTo(Duration.ofMillis(750));
        assertThat(ConfigValues.duration("k", " 60 s")).isEqualTo(Duration.ofSeconds(60));
        assertThat(ConfigValues.duration("k", "3MIN")).isEqualTo(Duration.ofMinutes(3));
        assertThat(ConfigValues.duration("k", "2h")).isEqualTo(Duration.ofHours(2));
        assertThat(ConfigValues.duration("k", "7d")).isEqualTo(Duration.ofDays(7));
        for (String bad : new String[] {"", "-1s", "1.5s", "1 day", "ten", "9999999999999999s"}) {
            assertThatThrownBy(() -> ConfigValues.duration("the.key", bad)).as(bad)
                    .isInstanceOf(ConfigurationException.class).hasMessageContaining("the.key");
        }
    }
}
