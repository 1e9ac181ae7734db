package dev.cairn.runtime.dataflow;

import java.time.Duration;
import java.util.Objects;

/**
 * How often and how soon a failed job is restarted from its latest completed checkpoint.
 *
 * @param maxRestarts restarts allowed over the job's life; the next failure fails the job
 * @param delay       pause between stopping the failed attempt and starting the next
 */
public record RestartStrategy(int maxRestarts, Duration delay) {
    public RestartStrategy {
        Objects.requireNonNull(delay, "delay");
        if (maxRestarts < 0) {
            throw new IllegalArgumentException("maxRestarts must not be negative: " + maxRestarts);
        }
        if (delay.isNegative()) {
            throw new IllegalArgumentException("restart delay must not be negative: " + delay);
        }
    }

    /** Restarts up to {@code attempts} times, waiting {@code delay} before each. */
    public static RestartStrategy fixedDelay(int attempts, Duration delay) {
        return new RestartStrategy(attempts, delay);
    }

    /** Never restarts: the first failure fails the job. */
    public static RestartStrategy none() {
        return new RestartStrategy(0, Duration.ZERO);
    }
}
