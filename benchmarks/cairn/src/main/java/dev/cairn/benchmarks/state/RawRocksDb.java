package dev.cairn.benchmarks.state;

import dev.cairn.backend.rocksdb.RocksDbOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.rocksdb.AbstractImmutableNativeReference;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompactionStyle;
import org.rocksdb.DBOptions;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.LRUCache;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.StringAppendOperator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteBufferManager;
import org.rocksdb.WriteOptions;

/**
 * The {@code raw-rocksdbjni} ceiling: one rocksdbjni database, opened with the options Cairn's {@code rocksdb}
 * backend uses in this suite, so that the gap to {@code cairn-rocksdb} is Cairn's own overhead. "The same options"
 * means: the sizes of {@link Backends#ROCKSDB_OPTIONS}, and the native settings Cairn's backend derives from them —
 * one LRU block cache of {@code nativeMemoryBudget()} bytes that a write-buffer manager charges the memtables
 * ({@code writeBufferBudget()}) to, block-based tables with 16 KiB blocks whose index and filter blocks live in
 * the cache (pinned for L0), {@code writeBufferSize} memtables × {@code maxWriteBufferNumber}, level compaction,
 * the string-append merge operator, two background jobs, and writes without the write-ahead log. The data lives
 * in a column family of its own, as each Cairn state does. Every native object is owned here and closed in
 * reverse order of creation.
 */
final class RawRocksDb implements AutoCloseable {
    private static final long BATCH_BYTES = 4L << 20;

    private final Deque<AutoCloseable> owned = new ArrayDeque<>();
    private final RocksDB db;
    private final ColumnFamilyHandle family;
    private final WriteOptions writeOptions;
    private final ReadOptions readOptions;

    RawRocksDb(Path directory) {
        RocksDB.loadLibrary();
        RocksDbOptions options = RocksDbOptions.parse(Backends.ROCKSDB_OPTIONS);
        boolean ok = false;
        try {
            Cache cache = own(new LRUCache(options.nativeMemoryBudget()));
            WriteBufferManager buffers = own(new WriteBufferManager(options.writeBufferBudget(), cache));
            StringAppendOperator append = own(new StringAppendOperator(""));
            BlockBasedTableConfig table = new BlockBasedTableConfig().setBlockCache(cache)
                    .setCacheIndexAndFilterBlocks(true).setPinL0FilterAndIndexBlocksInCache(true)
                    .setBlockSize(16 << 10);
            ColumnFamilyOptions columns = own(new ColumnFamilyOptions().setTableFormatConfig(table)
                    .setWriteBufferSize(options.writeBufferSize())
                    .setMaxWriteBufferNumber(options.maxWriteBufferNumber())
                    .setCompactionStyle(CompactionStyle.LEVEL)
                    .setMergeOperator(append));
            DBOptions dbOptions = own(new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true)
                    .setWriteBufferManager(buffers).setMaxBackgroundJobs(2).setInfoLogLevel(InfoLogLevel.HEADER_LEVEL)
                    .setKeepLogFileNum(1).setStatsDumpPeriodSec(0).setAvoidFlushDuringShutdown(true)
                    .setMaxManifestFileSize(8L << 20));
            writeOptions = own(new WriteOptions().setDisableWAL(true));
            readOptions = own(new ReadOptions());
            List<ColumnFamilyDescriptor> descriptors = List.of(
                    new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, columns),
                    new ColumnFamilyDescriptor("state".getBytes(StandardCharsets.UTF_8), columns));
            List<ColumnFamilyHandle> handles = new ArrayList<>();
            db = RocksDB.open(dbOptions, directory.toString(), descriptors, handles);
            owned.push(db);
            for (ColumnFamilyHandle h : handles) {
                owned.push(h);
            }
            family = handles.get(1);
            ok = true;
        } catch (RocksDBException e) {
            throw new IllegalStateException("opening RocksDB at " + directory + " failed: " + e.getMessage(), e);
        } finally {
            if (!ok) {
                close();
            }
        }
    }

    private <T extends AbstractImmutableNativeReference> T own(T ref) {
        owned.push(ref);
        return ref;
    }

    byte[] get(byte[] key) {
        try {
            return db.get(family, readOptions, key);
        } catch (RocksDBException e) {
            throw new IllegalStateException("RocksDB get failed: " + e.getMessage(), e);
        }
    }

    void put(byte[] key, byte[] value) {
        try {
            db.put(family, writeOptions, key, value);
        } catch (RocksDBException e) {
            throw new IllegalStateException("RocksDB put failed: " + e.getMessage(), e);
        }
    }

    /** Writes many entries through write batches of a few MiB (the bulk-load path). */
    final class Loader implements AutoCloseable {
        private final WriteBatch batch = new WriteBatch();

        void put(byte[] key, byte[] value) {
            try {
                batch.put(family, key, value);
                if (batch.getDataSize() >= BATCH_BYTES) {
                    flush();
                }
            } catch (RocksDBException e) {
                throw new IllegalStateException("RocksDB batch put failed: " + e.getMessage(), e);
            }
        }

        private void flush() throws RocksDBException {
            db.write(writeOptions, batch);
            batch.clear();
        }

        @Override
        public void close() {
            try (batch) {
                if (batch.count() > 0) {
                    flush();
                }
            } catch (RocksDBException e) {
                throw new IllegalStateException("RocksDB batch write failed: " + e.getMessage(), e);
            }
        }
    }

    @Override
    public void close() {
        RuntimeException failure = null;
        while (!owned.isEmpty()) {
            try {
                owned.pop().close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new IllegalStateException("closing RocksDB resources failed", e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
