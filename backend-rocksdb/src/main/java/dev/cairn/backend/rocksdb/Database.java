package dev.cairn.backend.rocksdb;

import dev.cairn.error.StorageException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.ExportImportFilesMetaData;
import org.rocksdb.FlushOptions;
import org.rocksdb.ImportColumnFamilyOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

/**
 * One open RocksDB database and its column families by name. Handles of dropped column families
 * are kept open until {@link #close()}, so an asynchronous full snapshot that still reads one
 * stays valid. Not thread-safe except for reads through handles obtained earlier.
 */
final class Database implements AutoCloseable {
    static final String DEFAULT = "default";

    final Path path;
    final RocksDB db;
    private final NativeResources resources;
    private final Map<String, ColumnFamilyHandle> families = new HashMap<>();
    private final List<ColumnFamilyHandle> handles = new ArrayList<>();
    private boolean closed;

    private Database(Path path, RocksDB db, NativeResources resources) {
        this.path = path;
        this.db = db;
        this.resources = resources;
    }

    /**
     * Flushes the memtables of every column family and waits for the flush, but not for compactions: RocksDB's own
     * checkpoint flush waits until a write stall clears, which put whole compactions into the synchronous phase.
     */
    void flushAllowingStall() throws RocksDBException {
        try (FlushOptions flush = new FlushOptions().setWaitForFlush(true).setAllowWriteStall(true)) {
            db.flush(flush, new ArrayList<>(families.values()));
        }
    }

    /** Opens (or creates) the database at {@code path} with every column family it has. */
    static Database open(Path path, NativeResources resources) {
        return open(path, resources, resources.columnOptions);
    }

    /** As {@link #open(Path, NativeResources)}, its existing column families opened with {@code columnOptions}. */
    static Database open(Path path, NativeResources resources, ColumnFamilyOptions columnOptions) {
        Set<String> names = new LinkedHashSet<>();
        names.add(DEFAULT);
        try {
            if (path.resolve("CURRENT").toFile().exists()) {
                try (org.rocksdb.Options listing = new org.rocksdb.Options()) {
                    for (byte[] name : RocksDB.listColumnFamilies(listing, path.toString())) {
                        names.add(new String(name, StandardCharsets.UTF_8));
                    }
                }
            }
            List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
            for (String name : names) {
                descriptors.add(new ColumnFamilyDescriptor(NativeResources.name(name), columnOptions));
            }
            List<ColumnFamilyHandle> opened = new ArrayList<>();
            RocksDB db = RocksDB.open(resources.dbOptions, path.toString(), descriptors, opened);
            Database database = new Database(path, db, resources);
            int i = 0;
            for (String name : names) {
                database.families.put(name, opened.get(i));
                database.handles.add(opened.get(i));
                i++;
            }
            return database;
        } catch (RocksDBException e) {
            throw failure("opening RocksDB at " + path, e);
        }
    }

    /** The column family {@code name}, or {@code null}. */
    ColumnFamilyHandle family(String name) {
        return families.get(name);
    }

    /** Names of all column families but the default one. */
    Set<String> familyNames() {
        Set<String> names = new LinkedHashSet<>(families.keySet());
        names.remove(DEFAULT);
        return names;
    }

    ColumnFamilyHandle create(String name) {
        if (families.containsKey(name)) {
            throw new IllegalStateException("column family '" + name + "' exists in " + path);
        }
        try {
            ColumnFamilyHandle h = db.createColumnFamily(new ColumnFamilyDescriptor(NativeResources.name(name),
                    resources.columnOptions));
            families.put(name, h);
            handles.add(h);
            return h;
        } catch (RocksDBException e) {
            throw failure("creating column family '" + name + "' in " + path, e);
        }
    }

    /**
     * Creates column family {@code name} from the SST files of {@code exports} (key ranges must not
     * overlap); the files are hard-linked into the database and unlinked from the export directories.
     */
    ColumnFamilyHandle importFamily(String name, List<ExportImportFilesMetaData> exports) {
        if (families.containsKey(name)) {
            throw new IllegalStateException("column family '" + name + "' exists in " + path);
        }
        try (ImportColumnFamilyOptions options = new ImportColumnFamilyOptions().setMoveFiles(true)) {
            ColumnFamilyHandle h = db.createColumnFamilyWithImport(new ColumnFamilyDescriptor(
                    NativeResources.name(name), resources.columnOptions), options, exports);
            families.put(name, h);
            handles.add(h);
            return h;
        } catch (RocksDBException e) {
            throw failure("importing column family '" + name + "' into " + path, e);
        }
    }

    /** Drops {@code name}; its handle stays readable until the database is closed. */
    void drop(String name) {
        ColumnFamilyHandle h = families.remove(name);
        if (h == null) {
            return;
        }
        try {
            db.dropColumnFamily(h);
        } catch (RocksDBException e) {
            throw failure("dropping column family '" + name + "' in " + path, e);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (ColumnFamilyHandle h : handles) {
            h.close();
        }
        db.close();
    }

    static StorageException failure(String what, RocksDBException e) {
        return new StorageException(what + " failed: " + e.getMessage()
                + (e.getStatus() == null ? "" : " (" + e.getStatus().getCodeString() + ")"), e);
    }
}
