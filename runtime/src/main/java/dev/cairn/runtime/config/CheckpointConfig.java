package dev.cairn.runtime.config;

import dev.cairn.backend.SnapshotType;
import dev.cairn.error.ConfigurationException;
import dev.cairn.runtime.coordinator.AlignmentType;
import dev.cairn.runtime.coordinator.CheckpointOptions;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Every checkpointing option of a job, immutable and validated as a whole when built, so that a
 * coordinator never runs with a combination that cannot work. Build it with {@link #builder()};
 * setters and accessors share their names.
 */
public final class CheckpointConfig {
    /** The shortest interval and timeout accepted, as in Apache Flink. */
    public static final Duration MINIMAL_CHECKPOINT_TIME = Duration.ofMillis(10);
    public static final Duration DEFAULT_CHECKPOINT_TIMEOUT = Duration.ofMinutes(10);
    public static final String DEFAULT_CHECKPOINT_STORAGE = "memory";
    public static final String DEFAULT_STATE_BACKEND = "memory";

    private final Duration interval;
    private final CheckpointingMode mode;
    private final Duration minPauseBetweenCheckpoints;
    private final Duration checkpointTimeout;
    private final int tolerableCheckpointFailureNumber;
    private final int maxConcurrentCheckpoints;
    private final ExternalizedCheckpointRetention externalizedCheckpointRetention;
    private final int numRetainedCheckpoints;
    private final boolean unalignedCheckpoints;
    private final Duration alignedCheckpointTimeout;
    private final boolean checkpointsAfterTasksFinish;
    private final boolean forceCheckpointingOnIterativeJobs;
    private final String checkpointStorage;
    private final String stateBackend;

    private CheckpointConfig(Builder b) {
        this.interval = b.interval;
        this.mode = b.mode;
        this.minPauseBetweenCheckpoints = b.minPauseBetweenCheckpoints;
        this.checkpointTimeout = b.checkpointTimeout;
        this.tolerableCheckpointFailureNumber = b.tolerableCheckpointFailureNumber;
        this.maxConcurrentCheckpoints = b.maxConcurrentCheckpoints;
        this.externalizedCheckpointRetention = b.externalizedCheckpointRetention;
        this.numRetainedCheckpoints = b.numRetainedCheckpoints;
        this.unalignedCheckpoints = b.unalignedCheckpoints;
        this.alignedCheckpointTimeout = b.alignedCheckpointTimeout;
        this.checkpointsAfterTasksFinish = b.checkpointsAfterTasksFinish;
        this.forceCheckpointingOnIterativeJobs = b.forceCheckpointingOnIterativeJobs;
        this.checkpointStorage = b.checkpointStorage.trim();
        this.stateBackend = b.stateBackend.trim();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these options, to derive a changed configuration. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.interval = interval;
        b.mode = mode;
        b.minPauseBetweenCheckpoints = minPauseBetweenCheckpoints;
        b.checkpointTimeout = checkpointTimeout;
        b.tolerableCheckpointFailureNumber = tolerableCheckpointFailureNumber;
        b.maxConcurrentCheckpoints = maxConcurrentCheckpoints;
        b.externalizedCheckpointRetention = externalizedCheckpointRetention;
        b.numRetainedCheckpoints = numRetainedCheckpoints;
        b.unalignedCheckpoints = unalignedCheckpoints;
        b.alignedCheckpointTimeout = alignedCheckpointTimeout;
        b.checkpointsAfterTasksFinish = checkpointsAfterTasksFinish;
        b.forceCheckpointingOnIterativeJobs = forceCheckpointingOnIterativeJobs;
        b.checkpointStorage = checkpointStorage;
        b.stateBackend = stateBackend;
        return b;
    }

    /** The periodic checkpoint interval; empty when checkpointing is off. */
    public Optional<Duration> interval() {
        return Optional.ofNullable(interval);
    }

    /** Whether an interval is set, so that checkpoints are triggered periodically. */
    public boolean isCheckpointingEnabled() {
        return interval != null;
    }

    public CheckpointingMode mode() {
        return mode;
    }

    /** The least time between the completion of one checkpoint and the start of the next periodic one. */
    public Duration minPauseBetweenCheckpoints() {
        return minPauseBetweenCheckpoints;
    }

    /** How long a checkpoint may stay pending before it is aborted as expired. */
    public Duration checkpointTimeout() {
        return checkpointTimeout;
    }

    /** How many consecutive counted checkpoint failures are tolerated before the job fails over. */
    public int tolerableCheckpointFailureNumber() {
        return tolerableCheckpointFailureNumber;
    }

    public int maxConcurrentCheckpoints() {
        return maxConcurrentCheckpoints;
    }

    public ExternalizedCheckpointRetention externalizedCheckpointRetention() {
        return externalizedCheckpointRetention;
    }

    /** How many completed checkpoints are kept; older ones are discarded. */
    public int numRetainedCheckpoints() {
        return numRetainedCheckpoints;
    }

    public boolean unalignedCheckpoints() {
        return unalignedCheckpoints;
    }

    /**
     * With unaligned checkpoints: 0 starts every checkpoint unaligned; a positive value starts it
     * aligned and switches it to unaligned once that long has passed since its trigger.
     */
    public Duration alignedCheckpointTimeout() {
        return alignedCheckpointTimeout;
    }

    /** Whether checkpoints continue for the rest of the graph once some tasks finished. */
    public boolean checkpointsAfterTasksFinish() {
        return checkpointsAfterTasksFinish;
    }

    /** Whether a job graph with a feedback edge may run with checkpointing on (in-flight loop records are lost). */
    public boolean forceCheckpointingOnIterativeJobs() {
        return forceCheckpointingOnIterativeJobs;
    }

    /** {@code memory} or the base URI of a file-based checkpoint storage. */
    public String checkpointStorage() {
        return checkpointStorage;
    }

    /** The name of the state backend, e.g. {@code memory} or {@code rocksdb}. */
    public String stateBackend() {
        return stateBackend;
    }

    /**
     * The options a barrier of a snapshot of {@code type} carries: savepoints are always aligned
     * without timeout; otherwise AT_LEAST_ONCE in at-least-once mode, ALIGNED without unaligned
     * checkpoints, UNALIGNED with unaligned checkpoints and a zero aligned timeout, and ALIGNED with
     * that timeout when it is positive.
     */
    public CheckpointOptions optionsFor(SnapshotType type) {
        Objects.requireNonNull(type, "type");
        if (type == SnapshotType.SAVEPOINT) {
            return new CheckpointOptions(type, AlignmentType.ALIGNED, 0);
        }
        if (mode == CheckpointingMode.AT_LEAST_ONCE) {
            return new CheckpointOptions(type, AlignmentType.AT_LEAST_ONCE, 0);
        }
        if (!unalignedCheckpoints) {
            return new CheckpointOptions(type, AlignmentType.ALIGNED, 0);
        }
        long timeout = alignedCheckpointTimeout.toMillis();
        return timeout == 0 ? new CheckpointOptions(type, AlignmentType.UNALIGNED, 0)
                : new CheckpointOptions(type, AlignmentType.ALIGNED, timeout);
    }

    /**
     * Refuses a job graph with a feedback edge (an iteration) when checkpointing is on, unless
     * {@link #forceCheckpointingOnIterativeJobs()} is set: records in flight on a loop edge are not
     * part of any checkpoint, so exactly-once cannot be guaranteed for them.
     *
     * @throws ConfigurationException if the graph is iterative, checkpointing is on and not forced
     */
    public static void checkIterativeJob(boolean hasFeedbackEdge, CheckpointConfig config) {
        Objects.requireNonNull(config, "config");
        if (hasFeedbackEdge && config.isCheckpointingEnabled() && !config.forceCheckpointingOnIterativeJobs()) {
            throw new ConfigurationException("the job graph has a feedback edge (an iteration) and checkpointing is on"
                    + " (interval=" + config.interval + "): records in flight on the loop edge are not checkpointed, so"
                    + " exactly-once cannot be guaranteed; set forceCheckpointingOnIterativeJobs=true to run it anyway"
                    + " (loop records may be lost on recovery) or turn checkpointing off");
        }
    }

    @Override
    public String toString() {
        return "CheckpointConfig[interval=" + interval + ", mode=" + mode + ", minPauseBetweenCheckpoints="
                + minPauseBetweenCheckpoints + ", checkpointTimeout=" + checkpointTimeout
                + ", tolerableCheckpointFailureNumber=" + tolerableCheckpointFailureNumber
                + ", maxConcurrentCheckpoints=" + maxConcurrentCheckpoints + ", externalizedCheckpointRetention="
                + externalizedCheckpointRetention + ", numRetainedCheckpoints=" + numRetainedCheckpoints
                + ", unalignedCheckpoints=" + unalignedCheckpoints + ", alignedCheckpointTimeout="
                + alignedCheckpointTimeout + ", checkpointsAfterTasksFinish=" + checkpointsAfterTasksFinish
                + ", forceCheckpointingOnIterativeJobs=" + forceCheckpointingOnIterativeJobs + ", checkpointStorage="
                + checkpointStorage + ", stateBackend=" + stateBackend + "]";
    }

    /** Collects options; {@link #build()} validates them together and names every offending option. */
    public static final class Builder {
        private Duration interval;
        private CheckpointingMode mode = CheckpointingMode.EXACTLY_ONCE;
        private Duration minPauseBetweenCheckpoints = Duration.ZERO;
        private Duration checkpointTimeout = DEFAULT_CHECKPOINT_TIMEOUT;
        private int tolerableCheckpointFailureNumber;
        private int maxConcurrentCheckpoints = 1;
        private ExternalizedCheckpointRetention externalizedCheckpointRetention =
                ExternalizedCheckpointRetention.NO_EXTERNALIZED_CHECKPOINTS;
        private int numRetainedCheckpoints = 1;
        private boolean unalignedCheckpoints;
        private Duration alignedCheckpointTimeout = Duration.ZERO;
        private boolean checkpointsAfterTasksFinish = true;
        private boolean forceCheckpointingOnIterativeJobs;
        private String checkpointStorage = DEFAULT_CHECKPOINT_STORAGE;
        private String stateBackend = DEFAULT_STATE_BACKEND;

        private Builder() {
        }

        /** Turns periodic checkpointing on; {@code null} turns it off. */
        public Builder interval(Duration interval) {
            this.interval = interval;
            return this;
        }

        public Builder mode(CheckpointingMode mode) {
            this.mode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        public Builder minPauseBetweenCheckpoints(Duration minPause) {
            this.minPauseBetweenCheckpoints = Objects.requireNonNull(minPause, "minPauseBetweenCheckpoints");
            return this;
        }

        public Builder checkpointTimeout(Duration timeout) {
            this.checkpointTimeout = Objects.requireNonNull(timeout, "checkpointTimeout");
            return this;
        }

        public Builder tolerableCheckpointFailureNumber(int number) {
            this.tolerableCheckpointFailureNumber = number;
            return this;
        }

        public Builder maxConcurrentCheckpoints(int max) {
            this.maxConcurrentCheckpoints = max;
            return this;
        }

        public Builder externalizedCheckpointRetention(ExternalizedCheckpointRetention retention) {
            this.externalizedCheckpointRetention = Objects.requireNonNull(retention, "externalizedCheckpointRetention");
            return this;
        }

        public Builder numRetainedCheckpoints(int number) {
            this.numRetainedCheckpoints = number;
            return this;
        }

        public Builder unalignedCheckpoints(boolean enabled) {
            this.unalignedCheckpoints = enabled;
            return this;
        }

        public Builder alignedCheckpointTimeout(Duration timeout) {
            this.alignedCheckpointTimeout = Objects.requireNonNull(timeout, "alignedCheckpointTimeout");
            return this;
        }

        public Builder checkpointsAfterTasksFinish(boolean enabled) {
            this.checkpointsAfterTasksFinish = enabled;
            return this;
        }

        public Builder forceCheckpointingOnIterativeJobs(boolean force) {
            this.forceCheckpointingOnIterativeJobs = force;
            return this;
        }

        /** {@code memory} or a URI with a scheme, such as {@code file:///data/checkpoints}. */
        public Builder checkpointStorage(String storage) {
            this.checkpointStorage = Objects.requireNonNull(storage, "checkpointStorage");
            return this;
        }

        public Builder stateBackend(String backend) {
            this.stateBackend = Objects.requireNonNull(backend, "stateBackend");
            return this;
        }

        /**
         * Validates the options together.
         *
         * @throws ConfigurationException naming each rejected option (both options of a rejected
         *                                combination) and the reason
         */
        public CheckpointConfig build() {
            List<String> problems = new ArrayList<>();
            if (interval != null && interval.compareTo(MINIMAL_CHECKPOINT_TIME) < 0) {
                problems.add("interval=" + interval.toMillis() + " ms is below the minimum of "
                        + MINIMAL_CHECKPOINT_TIME.toMillis() + " ms");
            }
            if (checkpointTimeout.compareTo(MINIMAL_CHECKPOINT_TIME) < 0) {
                problems.add("checkpointTimeout=" + checkpointTimeout.toMillis() + " ms is below the minimum of "
                        + MINIMAL_CHECKPOINT_TIME.toMillis() + " ms");
            }
            if (minPauseBetweenCheckpoints.isNegative()) {
                problems.add("minPauseBetweenCheckpoints=" + minPauseBetweenCheckpoints.toMillis()
                        + " ms is negative");
            }
            if (alignedCheckpointTimeout.isNegative()) {
                problems.add("alignedCheckpointTimeout=" + alignedCheckpointTimeout.toMillis() + " ms is negative");
            }
            if (tolerableCheckpointFailureNumber < 0) {
                problems.add("tolerableCheckpointFailureNumber=" + tolerableCheckpointFailureNumber
                        + " is negative");
            }
            if (maxConcurrentCheckpoints < 1) {
                problems.add("maxConcurrentCheckpoints=" + maxConcurrentCheckpoints + " must be at least 1");
            }
            if (numRetainedCheckpoints < 1) {
                problems.add("numRetainedCheckpoints=" + numRetainedCheckpoints + " must be at least 1");
            }
            if (maxConcurrentCheckpoints > 1 && !minPauseBetweenCheckpoints.isZero()
                    && !minPauseBetweenCheckpoints.isNegative()) {
                problems.add("maxConcurrentCheckpoints=" + maxConcurrentCheckpoints
                        + " cannot be combined with minPauseBetweenCheckpoints=" + minPauseBetweenCheckpoints.toMillis()
                        + " ms: a minimum pause implies one checkpoint at a time");
            }
            if (unalignedCheckpoints && mode == CheckpointingMode.AT_LEAST_ONCE) {
                problems.add("unalignedCheckpoints=true cannot be combined with mode=AT_LEAST_ONCE: unaligned"
                        + " checkpoints exist only for EXACTLY_ONCE");
            }
            if (unalignedCheckpoints && maxConcurrentCheckpoints > 1) {
                problems.add("unalignedCheckpoints=true cannot be combined with maxConcurrentCheckpoints="
                        + maxConcurrentCheckpoints + ": unaligned checkpoints run one at a time");
            }
            storageProblem(checkpointStorage).ifPresent(problems::add);
            if (stateBackend.isBlank()) {
                problems.add("stateBackend is blank: name a backend such as 'memory' or 'rocksdb'");
            }
            if (!problems.isEmpty()) {
                throw new ConfigurationException("invalid checkpoint configuration: " + String.join("; ", problems));
            }
            return new CheckpointConfig(this);
        }

        private static Optional<String> storageProblem(String storage) {
            String s = storage.trim();
            if (s.toLowerCase(Locale.ROOT).equals(DEFAULT_CHECKPOINT_STORAGE)) {
                return Optional.empty();
            }
            String reason;
            try {
                URI uri = new URI(s);
                if (uri.getScheme() != null && uri.getScheme().length() > 1) {
                    return Optional.empty();
                }
                reason = "it has no scheme";
            } catch (URISyntaxException e) {
                reason = e.getMessage();
            }
            return Optional.of("checkpointStorage='" + storage + "' is neither 'memory' nor a URI with a scheme such as"
                    + " file:///data/checkpoints (" + reason + ")");
        }
    }
}
