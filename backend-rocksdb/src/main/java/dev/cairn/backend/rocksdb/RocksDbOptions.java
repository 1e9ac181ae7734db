package dev.cairn.backend.rocksdb;

import dev.cairn.error.ConfigurationException;
import dev.cairn.format.snapshot.SnapshotCompression;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The configuration of the {@code rocksdb} backend. The native memory a keyed backend may use is
 * bounded by {@code block-cache-size + write-buffer-size × max-write-buffer-number}: memtables of
 * all column families are charged to one block cache of that capacity, and index and filter
 * blocks live in it too.
 *
 * @param blockCacheSize        bytes of the block cache for data blocks
 * @param writeBufferSize       bytes of one memtable
 * @param maxWriteBufferNumber  memtables per column family (and the memtable budget multiplier)
 * @param compactionStyle       level or universal compaction
 * @param localDirectories      where working directories go; empty means the directory the runtime gives
 * @param uploadThreads         threads that upload and download snapshot files
 * @param incremental           whether checkpoints upload only new SST files (savepoints never do)
 * @param compression           codec of canonical full snapshots (savepoints, full checkpoints)
 */
public record RocksDbOptions(long blockCacheSize, long writeBufferSize, int maxWriteBufferNumber,
        CompactionStyle compactionStyle, List<Path> localDirectories, int uploadThreads, boolean incremental,
        SnapshotCompression compression) {

    public static final String BLOCK_CACHE_SIZE = "block-cache-size";
    public static final String WRITE_BUFFER_SIZE = "write-buffer-size";
    public static final String MAX_WRITE_BUFFER_NUMBER = "max-write-buffer-number";
    public static final String COMPACTION_STYLE = "compaction-style";
    public static final String LOCAL_DIRECTORIES = "local-directories";
    public static final String UPLOAD_THREADS = "upload-threads";
    public static final String INCREMENTAL = "incremental";
    public static final String COMPRESSION = "compression";

    /** Every option name the backend accepts. */
    public static final Set<String> KEYS = Set.of(BLOCK_CACHE_SIZE, WRITE_BUFFER_SIZE, MAX_WRITE_BUFFER_NUMBER,
            COMPACTION_STYLE, LOCAL_DIRECTORIES, UPLOAD_THREADS, INCREMENTAL, COMPRESSION);

    public static final long DEFAULT_BLOCK_CACHE_SIZE = 16L << 20;
    public static final long DEFAULT_WRITE_BUFFER_SIZE = 8L << 20;
    public static final int DEFAULT_MAX_WRITE_BUFFER_NUMBER = 2;
    public static final int DEFAULT_UPLOAD_THREADS = 2;

    private static final long MIN_SIZE = 64L << 10;
    private static final long MAX_SIZE = 64L << 30;

    /** How RocksDB compacts. FIFO is not offered: it deletes old data, which would lose state. */
    public enum CompactionStyle {
        LEVEL, UNIVERSAL
    }

    public RocksDbOptions {
        Objects.requireNonNull(compactionStyle, "compactionStyle");
        Objects.requireNonNull(compression, "compression");
        localDirectories = List.copyOf(localDirectories);
        checkSize(BLOCK_CACHE_SIZE, blockCacheSize);
        checkSize(WRITE_BUFFER_SIZE, writeBufferSize);
        if (maxWriteBufferNumber < 1 || maxWriteBufferNumber > 64) {
            throw invalid(MAX_WRITE_BUFFER_NUMBER, String.valueOf(maxWriteBufferNumber), "must be in [1, 64]");
        }
        if (uploadThreads < 1 || uploadThreads > 256) {
            throw invalid(UPLOAD_THREADS, String.valueOf(uploadThreads), "must be in [1, 256]");
        }
    }

    /** The defaults: 16 MiB block cache, 2 × 8 MiB memtables, level compaction, 2 upload threads, incremental. */
    public static RocksDbOptions defaults() {
        return new RocksDbOptions(DEFAULT_BLOCK_CACHE_SIZE, DEFAULT_WRITE_BUFFER_SIZE, DEFAULT_MAX_WRITE_BUFFER_NUMBER,
                CompactionStyle.LEVEL, List.of(), DEFAULT_UPLOAD_THREADS, true, SnapshotCompression.NONE);
    }

    /**
     * Parses {@code config}; sizes take a number of bytes or a number with {@code kb}, {@code mb} or
     * {@code gb} (binary units), local directories a comma-separated list of absolute paths.
     *
     * @throws ConfigurationException naming the key, for unknown keys and invalid values
     */
    public static RocksDbOptions parse(Map<String, String> config) {
        TreeSet<String> unknown = new TreeSet<>(config.keySet());
        unknown.removeAll(KEYS);
        if (!unknown.isEmpty()) {
            throw new ConfigurationException("state backend 'rocksdb': unknown option" + (unknown.size() > 1 ? "s " : " ")
                    + unknown + " (known: " + new TreeSet<>(KEYS) + ")");
        }
        RocksDbOptions d = defaults();
        long blockCache = config.containsKey(BLOCK_CACHE_SIZE)
                ? parseSize(BLOCK_CACHE_SIZE, config.get(BLOCK_CACHE_SIZE)) : d.blockCacheSize();
        long writeBuffer = config.containsKey(WRITE_BUFFER_SIZE)
                ? parseSize(WRITE_BUFFER_SIZE, config.get(WRITE_BUFFER_SIZE)) : d.writeBufferSize();
        int bufferNumber = config.containsKey(MAX_WRITE_BUFFER_NUMBER)
                ? parseInt(MAX_WRITE_BUFFER_NUMBER, config.get(MAX_WRITE_BUFFER_NUMBER)) : d.maxWriteBufferNumber();
        int threads = config.containsKey(UPLOAD_THREADS)
                ? parseInt(UPLOAD_THREADS, config.get(UPLOAD_THREADS)) : d.uploadThreads();
        CompactionStyle style = d.compactionStyle();
        if (config.containsKey(COMPACTION_STYLE)) {
            String v = config.get(COMPACTION_STYLE).trim();
            try {
                style = CompactionStyle.valueOf(v.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw invalid(COMPACTION_STYLE, v, "expected 'level' or 'universal'"
                        + (v.equalsIgnoreCase("fifo") ? " (FIFO compaction deletes old data and would lose state)" : ""));
            }
        }
        boolean incremental = d.incremental();
        if (config.containsKey(INCREMENTAL)) {
            String v = config.get(INCREMENTAL).trim();
            if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
                throw invalid(INCREMENTAL, v, "expected 'true' or 'false'");
            }
            incremental = Boolean.parseBoolean(v);
        }
        SnapshotCompression compression = d.compression();
        if (config.containsKey(COMPRESSION)) {
            try {
                compression = SnapshotCompression.parse(config.get(COMPRESSION));
            } catch (IllegalArgumentException e) {
                throw invalid(COMPRESSION, config.get(COMPRESSION), e.getMessage());
            }
        }
        List<Path> directories = config.containsKey(LOCAL_DIRECTORIES)
                ? parseDirectories(config.get(LOCAL_DIRECTORIES)) : List.of();
        return new RocksDbOptions(blockCache, writeBuffer, bufferNumber, style, directories, threads, incremental,
                compression);
    }

    /** The memtable budget of one keyed backend, shared by its column families. */
    public long writeBufferBudget() {
        return writeBufferSize * maxWriteBufferNumber;
    }

    /** The bound on the native memory of one keyed backend's caches and memtables. */
    public long nativeMemoryBudget() {
        return blockCacheSize + writeBufferBudget();
    }

    static long parseSize(String key, String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        long unit = 1;
        String[][] units = {{"kib", "10"}, {"mib", "20"}, {"gib", "30"}, {"kb", "10"}, {"mb", "20"}, {"gb", "30"},
            {"k", "10"}, {"m", "20"}, {"g", "30"}, {"b", "0"}};
        for (String[] u : units) {
            if (v.endsWith(u[0])) {
                unit = 1L << Integer.parseInt(u[1]);
                v = v.substring(0, v.length() - u[0].length()).trim();
                break;
            }
        }
        long number;
        try {
            number = Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw invalid(key, value, "expected a size such as 67108864, 64mb or 1gb");
        }
        if (number < 0 || number > MAX_SIZE / unit) {
            throw invalid(key, value, "must be in [" + MIN_SIZE + ", " + MAX_SIZE + "] bytes");
        }
        long size = number * unit;
        checkSize(key, size);
        return size;
    }

    private static void checkSize(String key, long size) {
        if (size < MIN_SIZE || size > MAX_SIZE) {
            throw invalid(key, String.valueOf(size), "must be in [" + MIN_SIZE + ", " + MAX_SIZE + "] bytes");
        }
    }

    private static int parseInt(String key, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw invalid(key, value, "expected an integer");
        }
    }

    private static List<Path> parseDirectories(String value) {
        List<Path> dirs = new ArrayList<>();
        for (String part : value.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                throw invalid(LOCAL_DIRECTORIES, value, "contains an empty entry");
            }
            Path path;
            try {
                path = Paths.get(p);
            } catch (RuntimeException e) {
                throw invalid(LOCAL_DIRECTORIES, value, "'" + p + "' is not a path: " + e.getMessage());
            }
            if (!path.isAbsolute()) {
                throw invalid(LOCAL_DIRECTORIES, value, "'" + p + "' is not an absolute path");
            }
            dirs.add(path.normalize());
        }
        return dirs;
    }

    private static ConfigurationException invalid(String key, String value, String reason) {
        return new ConfigurationException("state backend 'rocksdb': option '" + key + "' = '" + value + "': " + reason);
    }
}
