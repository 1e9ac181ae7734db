package dev.cairn.runtime.dataflow;

import dev.cairn.checkpoint.CompletedCheckpoint;
import dev.cairn.runtime.config.JobTermination;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How a job run ended.
 *
 * @param termination      finished, cancelled or failed (decides externalized retention)
 * @param restarts         how many times the job was restarted from a checkpoint
 * @param failures         every task failure or fail-over demand, in order
 * @param latestCheckpoint the newest completed checkpoint when the job ended
 * @param duration         wall-clock time from start to end
 */
public record JobResult(JobTermination termination, int restarts, List<Throwable> failures,
        Optional<CompletedCheckpoint> latestCheckpoint, Duration duration) {
    public JobResult {
        Objects.requireNonNull(termination, "termination");
        failures = List.copyOf(failures);
        Objects.requireNonNull(latestCheckpoint, "latestCheckpoint");
        Objects.requireNonNull(duration, "duration");
    }

    /** The failure that ended a failed job, if it failed. */
    public Optional<Throwable> failureCause() {
        return termination == JobTermination.FAILED && !failures.isEmpty()
                ? Optional.of(failures.get(failures.size() - 1)) : Optional.empty();
    }
}
