package dev.cairn.checkpoint;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A holder's claim on a job directory: a live job renews it every third of {@code ttl}, so a lease that was
 * not renewed within {@code ttl} belongs to a process that is gone. Operator tools (e.g. {@code cairn gc})
 * refuse to work on a directory while a lease of it is live.
 *
 * @param holder      the holder's identity, unique per hold
 * @param description who holds it, e.g. {@code cairn job <jobId> on <host> pid <pid>}
 * @param renewedAt   when the holder last wrote it ({@link Instant#EPOCH} for a lease that cannot be read)
 * @param ttl         how long it stays live after {@code renewedAt}
 */
public record JobLease(String holder, String description, Instant renewedAt, Duration ttl) {
    public JobLease {
        Objects.requireNonNull(holder, "holder");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(renewedAt, "renewedAt");
        Objects.requireNonNull(ttl, "ttl");
        if (ttl.isNegative()) {
            throw new IllegalArgumentException("negative lease ttl " + ttl);
        }
    }

    /** {@code <subject> on <host> pid <pid>} for this process: the usual {@link #description()}. */
    public static String describe(String subject) {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException | SecurityException e) {
            String env = System.getenv("HOSTNAME");
            host = env != null && !env.isBlank() ? env : "unknown-host";
        }
        return subject + " on " + host + " pid " + ProcessHandle.current().pid();
    }

    /** When the lease goes stale unless renewed. */
    public Instant expiresAt() {
        return renewedAt.plus(ttl);
    }

    /** Whether the lease is still live at {@code now}: {@code renewedAt + ttl} is after {@code now}. */
    public boolean liveAt(Instant now) {
        return expiresAt().isAfter(now);
    }
}
