package dev.cairn.runtime.storage;

import dev.cairn.config.ConfigValues;
import dev.cairn.error.ConfigurationException;
import dev.cairn.filemerging.FileMergingOptions;
import dev.cairn.format.MetadataFormat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Tuning of a {@link FileCheckpointStorage}, built with {@link #builder()} and validated as a
 * whole when built, or read from a configuration map with {@link #fromConfig(Map)}.
 *
 * @param inlineThreshold      streams with fewer bytes are stored inside the metadata (default 20 KiB)
 * @param writeBufferSize      bytes buffered before a spilled stream writes to its blob (default 4 KiB)
 * @param maxMetadataSize      a {@code _metadata} file larger than this is refused (default 64 MiB)
 * @param verifyFilesOnResolve whether {@link FileCheckpointStorage#resolve(String)} checks that every
 *                             state file exists with its recorded size (default true)
 * @param fileMerging          whether and how state files are merged into few physical files (default off;
 *                             keys {@code checkpoint.file-merging.*}, see {@link FileMergingOptions})
 * @param leaseTtl             how long the lease of a job holding its directory stays live unless renewed; the
 *                             holder renews it every third of it (default 60 s)
 */
public record FileCheckpointStorageOptions(int inlineThreshold, int writeBufferSize, long maxMetadataSize,
        boolean verifyFilesOnResolve, FileMergingOptions fileMerging, Duration leaseTtl) {

    /** Configuration key of {@link #inlineThreshold()}; a byte size such as {@code 20kb}. */
    public static final String INLINE_THRESHOLD = "checkpoint.storage.inline-threshold";
    /** Configuration key of {@link #writeBufferSize()}. */
    public static final String WRITE_BUFFER_SIZE = "checkpoint.storage.write-buffer-size";
    /** Configuration key of {@link #maxMetadataSize()}. */
    public static final String MAX_METADATA_SIZE = "checkpoint.storage.max-metadata-size";
    /** Configuration key of {@link #verifyFilesOnResolve()}: {@code true} or {@code false}. */
    public static final String VERIFY_FILES_ON_RESOLVE = "checkpoint.storage.verify-files-on-resolve";
    /** Configuration key of {@link #leaseTtl()}: a duration such as {@code 60s}, {@code 500ms} or {@code 2min}. */
    public static final String LEASE_TTL = "checkpoint.lease.ttl";

    public static final int DEFAULT_INLINE_THRESHOLD = 20 * 1024;
    public static final int DEFAULT_WRITE_BUFFER_SIZE = 4 * 1024;
    /** The largest inline threshold: bigger state belongs in files, not in the metadata. */
    public static final int MAX_INLINE_THRESHOLD = 1024 * 1024;
    public static final int MAX_WRITE_BUFFER_SIZE = 64 * 1024 * 1024;
    /** The largest metadata size cap: a metadata file is read into one byte array. */
    public static final long MAX_MAX_METADATA_SIZE = Integer.MAX_VALUE - 64;
    public static final Duration DEFAULT_LEASE_TTL = Duration.ofSeconds(60);
    /** The longest lease ttl: a killed job's lease keeps operator tools out for this long. */
    public static final Duration MAX_LEASE_TTL = Duration.ofDays(1);

    /** Use {@link #builder()}; the canonical constructor validates like {@link Builder#build()}. */
    public FileCheckpointStorageOptions {
        Objects.requireNonNull(fileMerging, "fileMerging");
        Objects.requireNonNull(leaseTtl, "leaseTtl");
        List<String> problems = new ArrayList<>();
        check(problems, INLINE_THRESHOLD, inlineThreshold, MAX_INLINE_THRESHOLD);
        check(problems, WRITE_BUFFER_SIZE, writeBufferSize, MAX_WRITE_BUFFER_SIZE);
        check(problems, MAX_METADATA_SIZE, maxMetadataSize, MAX_MAX_METADATA_SIZE);
        if (leaseTtl.compareTo(Duration.ofMillis(1)) < 0) {
            problems.add(LEASE_TTL + " must be at least 1 ms, was " + leaseTtl);
        } else if (leaseTtl.compareTo(MAX_LEASE_TTL) > 0) {
            problems.add(LEASE_TTL + " must be at most " + MAX_LEASE_TTL + ", was " + leaseTtl);
        }
        if (!problems.isEmpty()) {
            throw new ConfigurationException("invalid checkpoint storage options: " + String.join("; ", problems));
        }
    }

    /** Options with the default lease ttl. */
    public FileCheckpointStorageOptions(int inlineThreshold, int writeBufferSize, long maxMetadataSize,
            boolean verifyFilesOnResolve, FileMergingOptions fileMerging) {
        this(inlineThreshold, writeBufferSize, maxMetadataSize, verifyFilesOnResolve, fileMerging, DEFAULT_LEASE_TTL);
    }

    /** The defaults. */
    public static FileCheckpointStorageOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        return new Builder().inlineThreshold(inlineThreshold).writeBufferSize(writeBufferSize)
                .maxMetadataSize(maxMetadataSize).verifyFilesOnResolve(verifyFilesOnResolve).fileMerging(fileMerging)
                .leaseTtl(leaseTtl);
    }

    /**
     * Options from a configuration map (keys {@link #INLINE_THRESHOLD}, {@link #WRITE_BUFFER_SIZE},
     * {@link #MAX_METADATA_SIZE}, {@link #VERIFY_FILES_ON_RESOLVE}, {@link #LEASE_TTL}, and the {@code checkpoint.file-merging.*} keys of
     * {@link FileMergingOptions#fromConfig}); absent keys keep their defaults,
     * other keys are ignored. Sizes are bytes with an optional unit {@code b, kb, mb, gb}.
     */
    public static FileCheckpointStorageOptions fromConfig(Map<String, String> config) {
        Builder b = builder();
        String v;
        if ((v = config.get(INLINE_THRESHOLD)) != null) {
            b.inlineThreshold(ConfigValues.intSize(INLINE_THRESHOLD, v));
        }
        if ((v = config.get(WRITE_BUFFER_SIZE)) != null) {
            b.writeBufferSize(ConfigValues.intSize(WRITE_BUFFER_SIZE, v));
        }
        if ((v = config.get(MAX_METADATA_SIZE)) != null) {
            b.maxMetadataSize(ConfigValues.size(MAX_METADATA_SIZE, v));
        }
        if ((v = config.get(VERIFY_FILES_ON_RESOLVE)) != null) {
            b.verifyFilesOnResolve(ConfigValues.bool(VERIFY_FILES_ON_RESOLVE, v));
        }
        if ((v = config.get(LEASE_TTL)) != null) {
            b.leaseTtl(ConfigValues.duration(LEASE_TTL, v));
        }
        b.fileMerging(FileMergingOptions.fromConfig(config));
        return b.build();
    }

    /** A byte size such as {@code 4096}, {@code 20kb} or {@code 64 MB}. */
    static long parseSize(String key, String value) {
        return ConfigValues.size(key, value);
    }

    private static void check(List<String> problems, String key, long value, long max) {
        if (value <= 0) {
            problems.add(key + " must be positive, was " + value);
        } else if (value > max) {
            problems.add(key + " must be at most " + max + ", was " + value);
        }
    }

    /** Builds {@link FileCheckpointStorageOptions}; {@link #build()} validates every value. */
    public static final class Builder {
        private int inlineThreshold = DEFAULT_INLINE_THRESHOLD;
        private int writeBufferSize = DEFAULT_WRITE_BUFFER_SIZE;
        private long maxMetadataSize = MetadataFormat.DEFAULT_MAX_SIZE;
        private boolean verifyFilesOnResolve = true;
        private FileMergingOptions fileMerging = FileMergingOptions.disabled();
        private Duration leaseTtl = DEFAULT_LEASE_TTL;

        private Builder() {
        }

        public Builder inlineThreshold(int bytes) {
            this.inlineThreshold = bytes;
            return this;
        }

        public Builder writeBufferSize(int bytes) {
            this.writeBufferSize = bytes;
            return this;
        }

        public Builder maxMetadataSize(long bytes) {
            this.maxMetadataSize = bytes;
            return this;
        }

        public Builder verifyFilesOnResolve(boolean verify) {
            this.verifyFilesOnResolve = verify;
            return this;
        }

        public Builder fileMerging(FileMergingOptions fileMerging) {
            this.fileMerging = fileMerging;
            return this;
        }

        public Builder leaseTtl(Duration ttl) {
            this.leaseTtl = ttl;
            return this;
        }

        /** @throws ConfigurationException naming every invalid option */
        public FileCheckpointStorageOptions build() {
            return new FileCheckpointStorageOptions(inlineThreshold, writeBufferSize, maxMetadataSize,
                    verifyFilesOnResolve, fileMerging, leaseTtl);
        }
    }
}
