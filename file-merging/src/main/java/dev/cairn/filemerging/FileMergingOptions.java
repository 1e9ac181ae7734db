package dev.cairn.filemerging;

import dev.cairn.blob.BlobStore;
import dev.cairn.blob.SupportsAppend;
import dev.cairn.config.ConfigValues;
import dev.cairn.error.ConfigurationException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Whether and how checkpoint files are merged into few physical files. Immutable; built with
 * {@link #builder()} and validated as a whole, or read from a configuration map with
 * {@link #fromConfig(Map)}. Off by default.
 *
 * @param enabled                  whether checkpoint streams become segments of merged physical files
 * @param acrossCheckpointBoundary whether a physical file keeps taking later checkpoints' segments
 *                                 (needs a store that {@link SupportsAppend}s; see {@link #forStore})
 * @param maxFileSize              a physical file takes no more segments once it is this large (32 MiB)
 * @param poolBlocking             whether a writer waits for a physical file when its pool has
 *                                 {@code maxOpenFilesPerPool} open, instead of opening another
 * @param maxOpenFilesPerPool      the bound of a blocking pool: physical files one pool has open at once (1)
 * @param maxSubtasksPerFile       how many subtasks share one pool of physical files, for their shared and exclusive state (16)
 * @param maxSpaceAmplification    the bound on bytes stored / bytes referenced of every physical file
 *                                 after every checkpoint (2.0; at least 1)
 * @param writeBufferSize          bytes a stream buffers before it takes a physical file (64 KiB), so
 *                                 small streams hold a physical file only while they commit
 */
public record FileMergingOptions(boolean enabled, boolean acrossCheckpointBoundary, long maxFileSize,
        boolean poolBlocking, int maxOpenFilesPerPool, int maxSubtasksPerFile, double maxSpaceAmplification,
        int writeBufferSize) {

    public static final String PREFIX = "checkpoint.file-merging.";
    public static final String ENABLED = PREFIX + "enabled";
    public static final String ACROSS_CHECKPOINT_BOUNDARY = PREFIX + "across-checkpoint-boundary";
    public static final String MAX_FILE_SIZE = PREFIX + "max-file-size";
    public static final String POOL_BLOCKING = PREFIX + "pool-blocking";
    public static final String MAX_OPEN_FILES_PER_POOL = PREFIX + "max-open-files-per-pool";
    public static final String MAX_SUBTASKS_PER_FILE = PREFIX + "max-subtasks-per-file";
    public static final String MAX_SPACE_AMPLIFICATION = PREFIX + "max-space-amplification";
    public static final String WRITE_BUFFER_SIZE = PREFIX + "write-buffer-size";

    public static final long DEFAULT_MAX_FILE_SIZE = 32L << 20;
    public static final int DEFAULT_MAX_SUBTASKS_PER_FILE = 16;
    public static final double DEFAULT_MAX_SPACE_AMPLIFICATION = 2.0;
    public static final int DEFAULT_WRITE_BUFFER_SIZE = 64 << 10;
    public static final int MAX_WRITE_BUFFER_SIZE = 64 << 20;

    /** Use {@link #builder()}; validates like {@link Builder#build()}. */
    public FileMergingOptions {
        List<String> problems = new ArrayList<>();
        if (maxFileSize <= 0) {
            problems.add(MAX_FILE_SIZE + " must be positive, was " + maxFileSize);
        }
        if (maxOpenFilesPerPool < 1) {
            problems.add(MAX_OPEN_FILES_PER_POOL + " must be at least 1, was " + maxOpenFilesPerPool);
        }
        if (maxSubtasksPerFile < 1) {
            problems.add(MAX_SUBTASKS_PER_FILE + " must be at least 1, was " + maxSubtasksPerFile);
        }
        if (!(maxSpaceAmplification >= 1.0) || Double.isInfinite(maxSpaceAmplification)) {
            problems.add(MAX_SPACE_AMPLIFICATION + " must be a finite number of at least 1.0 (bytes stored per byte"
                    + " referenced), was " + maxSpaceAmplification);
        }
        if (writeBufferSize < 1 || writeBufferSize > MAX_WRITE_BUFFER_SIZE) {
            problems.add(WRITE_BUFFER_SIZE + " must be in [1, " + MAX_WRITE_BUFFER_SIZE + "], was " + writeBufferSize);
        } else if (maxFileSize > 0 && writeBufferSize > maxFileSize) {
            problems.add(WRITE_BUFFER_SIZE + " (" + writeBufferSize + ") must not exceed " + MAX_FILE_SIZE + " ("
                    + maxFileSize + ")");
        }
        if (!problems.isEmpty()) {
            throw new ConfigurationException("invalid file merging options: " + String.join("; ", problems));
        }
    }

    /** Merging off. */
    public static FileMergingOptions disabled() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * These options as they apply to {@code store}: merging across checkpoint boundaries needs a
     * store that can durably extend a committed file; on any other store (S3, GCS) it falls back to
     * merging within each checkpoint, and {@link #fallbackReason(BlobStore)} says why.
     */
    public FileMergingOptions forStore(BlobStore store) {
        if (fallbackReason(store).isEmpty()) {
            return this;
        }
        return new FileMergingOptions(enabled, false, maxFileSize, poolBlocking, maxOpenFilesPerPool,
                maxSubtasksPerFile, maxSpaceAmplification, writeBufferSize);
    }

    /** Why {@link #forStore(BlobStore)} falls back to merging within checkpoints on {@code store}, if it does. */
    public Optional<String> fallbackReason(BlobStore store) {
        if (!enabled || !acrossCheckpointBoundary || store instanceof SupportsAppend) {
            return Optional.empty();
        }
        return Optional.of(ACROSS_CHECKPOINT_BOUNDARY + "=true falls back to merging within each checkpoint: the blob"
                + " store " + store.getClass().getSimpleName() + " cannot extend a committed file (it does not"
                + " implement " + SupportsAppend.class.getSimpleName() + ")");
    }

    /**
     * Options from a configuration map (the {@code checkpoint.file-merging.*} keys); absent keys keep
     * their defaults, other keys are ignored.
     */
    public static FileMergingOptions fromConfig(Map<String, String> config) {
        Builder b = builder();
        String v;
        if ((v = config.get(ENABLED)) != null) {
            b.enabled(ConfigValues.bool(ENABLED, v));
        }
        if ((v = config.get(ACROSS_CHECKPOINT_BOUNDARY)) != null) {
            b.acrossCheckpointBoundary(ConfigValues.bool(ACROSS_CHECKPOINT_BOUNDARY, v));
        }
        if ((v = config.get(MAX_FILE_SIZE)) != null) {
            b.maxFileSize(ConfigValues.size(MAX_FILE_SIZE, v));
        }
        if ((v = config.get(POOL_BLOCKING)) != null) {
            b.poolBlocking(ConfigValues.bool(POOL_BLOCKING, v));
        }
        if ((v = config.get(MAX_OPEN_FILES_PER_POOL)) != null) {
            b.maxOpenFilesPerPool(ConfigValues.integer(MAX_OPEN_FILES_PER_POOL, v));
        }
        if ((v = config.get(MAX_SUBTASKS_PER_FILE)) != null) {
            b.maxSubtasksPerFile(ConfigValues.integer(MAX_SUBTASKS_PER_FILE, v));
        }
        if ((v = config.get(MAX_SPACE_AMPLIFICATION)) != null) {
            b.maxSpaceAmplification(ConfigValues.decimal(MAX_SPACE_AMPLIFICATION, v));
        }
        if ((v = config.get(WRITE_BUFFER_SIZE)) != null) {
            b.writeBufferSize(ConfigValues.intSize(WRITE_BUFFER_SIZE, v));
        }
        return b.build();
    }

    @Override
    public String toString() {
        if (!enabled) {
            return "file merging off";
        }
        return "file merging " + (acrossCheckpointBoundary ? "across checkpoints" : "within checkpoints")
                + ", " + (poolBlocking ? "blocking pool of " + maxOpenFilesPerPool : "non-blocking pool")
                + ", max file " + maxFileSize + " B, " + maxSubtasksPerFile + " subtasks per pool"
                + ", max space amplification " + maxSpaceAmplification;
    }

    /**
     * Builds {@link FileMergingOptions}. {@link #build()} refuses invalid values and options that only
     * mean something with another one, naming both: any merging option without {@link #enabled},
     * {@link #maxOpenFilesPerPool} without {@link #poolBlocking}.
     */
    public static final class Builder {
        private boolean enabled;
        private Boolean acrossCheckpointBoundary;
        private Long maxFileSize;
        private Boolean poolBlocking;
        private Integer maxOpenFilesPerPool;
        private Integer maxSubtasksPerFile;
        private Double maxSpaceAmplification;
        private Integer writeBufferSize;

        private Builder() {
        }

        public Builder enabled(boolean enabled) {
            this.enabled = enabled;
            return this;
        }

        public Builder acrossCheckpointBoundary(boolean across) {
            this.acrossCheckpointBoundary = across;
            return this;
        }

        public Builder maxFileSize(long bytes) {
            this.maxFileSize = bytes;
            return this;
        }

        public Builder poolBlocking(boolean blocking) {
            this.poolBlocking = blocking;
            return this;
        }

        public Builder maxOpenFilesPerPool(int files) {
            this.maxOpenFilesPerPool = files;
            return this;
        }

        public Builder maxSubtasksPerFile(int subtasks) {
            this.maxSubtasksPerFile = subtasks;
            return this;
        }

        public Builder maxSpaceAmplification(double amplification) {
            this.maxSpaceAmplification = amplification;
            return this;
        }

        public Builder writeBufferSize(int bytes) {
            this.writeBufferSize = bytes;
            return this;
        }

        /** @throws ConfigurationException naming every invalid option or combination */
        public FileMergingOptions build() {
            List<String> problems = new ArrayList<>();
            if (!enabled) {
                requireEnabled(problems, ACROSS_CHECKPOINT_BOUNDARY, Boolean.TRUE.equals(acrossCheckpointBoundary));
                requireEnabled(problems, MAX_FILE_SIZE, maxFileSize != null);
                requireEnabled(problems, POOL_BLOCKING, Boolean.TRUE.equals(poolBlocking));
                requireEnabled(problems, MAX_OPEN_FILES_PER_POOL, maxOpenFilesPerPool != null);
                requireEnabled(problems, MAX_SUBTASKS_PER_FILE, maxSubtasksPerFile != null);
                requireEnabled(problems, MAX_SPACE_AMPLIFICATION, maxSpaceAmplification != null);
                requireEnabled(problems, WRITE_BUFFER_SIZE, writeBufferSize != null);
            }
            boolean blocking = Boolean.TRUE.equals(poolBlocking);
            if (maxOpenFilesPerPool != null && !blocking) {
                problems.add(MAX_OPEN_FILES_PER_POOL + " bounds a blocking pool only, but " + POOL_BLOCKING
                        + " is false (a non-blocking pool opens another file instead of waiting)");
            }
            if (!problems.isEmpty()) {
                throw new ConfigurationException("invalid file merging options: " + String.join("; ", problems));
            }
            return new FileMergingOptions(enabled, Boolean.TRUE.equals(acrossCheckpointBoundary),
                    maxFileSize == null ? DEFAULT_MAX_FILE_SIZE : maxFileSize, blocking,
                    maxOpenFilesPerPool == null ? 1 : maxOpenFilesPerPool,
                    maxSubtasksPerFile == null ? DEFAULT_MAX_SUBTASKS_PER_FILE : maxSubtasksPerFile,
                    maxSpaceAmplification == null ? DEFAULT_MAX_SPACE_AMPLIFICATION : maxSpaceAmplification,
                    writeBufferSize == null ? DEFAULT_WRITE_BUFFER_SIZE : writeBufferSize);
        }

        private static void requireEnabled(List<String> problems, String option, boolean set) {
            if (set) {
                problems.add(option + " is set but " + ENABLED + " is false; enable merging or drop the option");
            }
        }
    }
}
