package dev.cairn.backend.rocksdb;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.rocksdb.AbstractImmutableNativeReference;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompactionStyle;
import org.rocksdb.DBOptions;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.StringAppendOperator;
import org.rocksdb.WriteBufferManager;
import org.rocksdb.WriteOptions;

/**
 * The native option objects one keyed backend shares among its databases (the working database
 * and temporary ones opened during a restore): a block cache that the memtables are charged to,
 * so the native memory stays within {@link RocksDbOptions#nativeMemoryBudget()}, and the options
 * every column family uses. Every native object is registered here and closed exactly once, in
 * reverse order of creation.
 */
final class NativeResources implements AutoCloseable {
    private final Deque<AbstractImmutableNativeReference> owned = new ArrayDeque<>();
    private final List<AbstractImmutableNativeReference> all = new ArrayList<>();
    final DBOptions dbOptions;
    final ColumnFamilyOptions columnOptions;
    final WriteOptions writeOptions;
    final ReadOptions readOptions;
    final Options sstReaderOptions;
    private boolean closed;

    NativeResources(RocksDbOptions options) {
        boolean ok = false;
        try {
            Cache cache = own(new LRUCache(options.nativeMemoryBudget()));
            WriteBufferManager buffers = own(new WriteBufferManager(options.writeBufferBudget(), cache));
            StringAppendOperator append = own(new StringAppendOperator(""));
            BlockBasedTableConfig table = new BlockBasedTableConfig().setBlockCache(cache)
                    .setCacheIndexAndFilterBlocks(true).setPinL0FilterAndIndexBlocksInCache(true)
                    .setBlockSize(16 << 10);
            columnOptions = own(new ColumnFamilyOptions().setTableFormatConfig(table)
                    .setWriteBufferSize(options.writeBufferSize())
                    .setMaxWriteBufferNumber(options.maxWriteBufferNumber())
                    .setCompactionStyle(options.compactionStyle() == RocksDbOptions.CompactionStyle.UNIVERSAL
                            ? CompactionStyle.UNIVERSAL : CompactionStyle.LEVEL)
                    .setMergeOperator(append));
            dbOptions = own(new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true)
                    .setWriteBufferManager(buffers).setMaxBackgroundJobs(2).setInfoLogLevel(InfoLogLevel.HEADER_LEVEL)
                    .setKeepLogFileNum(1).setStatsDumpPeriodSec(0).setAvoidFlushDuringShutdown(true)
                    .setMaxManifestFileSize(8L << 20));
            writeOptions = own(new WriteOptions().setDisableWAL(true));
            readOptions = own(new ReadOptions());
            sstReaderOptions = own(new Options());
            ok = true;
        } finally {
            if (!ok) {
                close();
            }
        }
    }

    /** Registers {@code ref} to be closed with these resources. */
    synchronized <T extends AbstractImmutableNativeReference> T own(T ref) {
        owned.push(ref);
        all.add(ref);
        return ref;
    }

    /** Every native object created so far, closed or not (for tests). */
    synchronized List<AbstractImmutableNativeReference> created() {
        return List.copyOf(all);
    }

    static byte[] name(String columnFamily) {
        return columnFamily.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        while (!owned.isEmpty()) {
            owned.pop().close();
        }
    }
}
