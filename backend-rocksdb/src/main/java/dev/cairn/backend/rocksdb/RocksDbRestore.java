package dev.cairn.backend.rocksdb;

import dev.cairn.checkpoint.IncrementalKeyedStateHandle;
import dev.cairn.checkpoint.KeyGroupsStateHandle;
import dev.cairn.checkpoint.KeyedStateHandle;
import dev.cairn.checkpoint.StateHandleReader;
import dev.cairn.checkpoint.StreamStateHandle;
import dev.cairn.error.CorruptCheckpointException;
import dev.cairn.error.IncompatibleStateException;
import dev.cairn.error.StorageException;
import dev.cairn.format.snapshot.KeyGroupBlock;
import dev.cairn.format.snapshot.KeyedSnapshotHeader;
import dev.cairn.format.snapshot.KeyedSnapshotReader;
import dev.cairn.format.snapshot.KeyedStateMetaInfo;
import dev.cairn.format.snapshot.SnapshotStreams;
import dev.cairn.keygroup.KeyGroupRange;
import dev.cairn.keygroup.KeyGroups;
import dev.cairn.serialization.SerializerSnapshot;
import dev.cairn.serialization.TypeSerializer;
import dev.cairn.state.StateType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.rocksdb.Checkpoint;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.EnvOptions;
import org.rocksdb.ExportImportFilesMetaData;
import org.rocksdb.IngestExternalFileOptions;
import org.rocksdb.LevelMetaData;
import org.rocksdb.LiveFileMetaData;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.SstFileMetaData;
import org.rocksdb.SstFileWriter;

/**
 * Restores a {@link RocksDbKeyedStateBackend} from any mix of incremental and full keyed handles,
 * possibly written at another parallelism. Every SST file is verified with RocksDB's block checksums
 * when it is downloaded, before any database opens it.
 * <ul>
 * <li>One overlapping incremental handle (same parallelism, or scale-out): its files are downloaded
 * into the working directory and opened as the working database; key groups outside the new range
 * are removed with {@code deleteFilesInRanges} (whole files) and {@code deleteRange} (the rest), never
 * key by key, and its uploaded files stay reusable by the next checkpoint.</li>
 * <li>Several (scale-in): as Flink's "ingest DB" restore mode, each handle is opened in a temporary
 * database; when every SST file of its states lies inside the handle's own key-group range, the
 * column families are exported (hard links) and the states of all such handles are imported into
 * the working database with one {@code createColumnFamilyWithImport} per state (hard links again, no
 * byte is rewritten), then clipped to the new range as above. A handle whose files hold keys outside
 * its range (it was itself restored with clipping) cannot be imported without overlapping another;
 * its overlapping key groups are streamed, sorted, through {@code SstFileWriter} and ingested. If no
 * handle can be imported, the best-overlapping one becomes the working database and the others are
 * streamed. A state whose layout differs between handles (canonical in one, native in another) takes
 * the canonical rewrite and copy of the older code.</li>
 * </ul>
 * Full handles are read block by block, only the key groups of the range. Setting the system property
 * {@value #IMPORT_PROPERTY} to {@code false} merges several incremental handles by copying their
 * entries through write batches instead (the slower path from before, kept for comparison).
 */
final class RocksDbRestore<K> {
    /** System property; {@code false} merges incremental handles by copying entries instead of importing files. */
    static final String IMPORT_PROPERTY = "cairn.rocksdb.restore.import";

    private static final System.Logger LOG = System.getLogger(RocksDbRestore.class.getName());
    private static final long INGEST_FILE_BYTES = 256L << 20;
    private static final long READAHEAD_BYTES = 2L << 20;
    private static final byte[] AFTER_ALL_KEY_GROUPS = {(byte) 0xFF, (byte) 0xFF};

    private final RocksDbKeyedStateBackend<K> backend;
    private final StateHandleReader reader;
    private final KeyGroupRange range;
    private final boolean importFiles;
    private final BitSet seen = new BitSet();
    private int temporaryDatabases;
    private int ingestFiles;
    private int opened;
    private int imported;
    private int streamed;
    private int copied;
    private boolean clipped;
    private long downloadMillis;

    RocksDbRestore(RocksDbKeyedStateBackend<K> backend, StateHandleReader reader) {
        this.backend = backend;
        this.reader = reader;
        this.range = backend.keyGroupRange();
        this.importFiles = !"false".equalsIgnoreCase(System.getProperty(IMPORT_PROPERTY, "true").trim());
    }

    void restore(Collection<KeyedStateHandle> handles) {
        long started = System.nanoTime();
        List<IncrementalKeyedStateHandle> incremental = new ArrayList<>();
        List<KeyGroupsStateHandle> full = new ArrayList<>();
        for (KeyedStateHandle handle : handles) {
            if (handle == null) {
                continue;
            }
            if (!(handle instanceof IncrementalKeyedStateHandle) && !(handle instanceof KeyGroupsStateHandle)) {
                throw new IllegalArgumentException("the rocksdb backend restores IncrementalKeyedStateHandle and "
                        + "KeyGroupsStateHandle, not " + handle);
            }
            KeyGroupRange overlap = handle.keyGroupRange().intersection(range);
            if (overlap.isEmpty()) {
                continue;
            }
            for (int kg : overlap) {
                if (seen.get(kg)) {
                    throw new CorruptCheckpointException(describe(handle), "key group " + kg
                            + " is also in another restored handle");
                }
                seen.set(kg);
            }
            if (handle instanceof IncrementalKeyedStateHandle inc) {
                incremental.add(inc);
            } else {
                full.add((KeyGroupsStateHandle) handle);
            }
        }
        if (incremental.size() > 1 && importFiles) {
            restoreMerged(incremental);
        } else {
            restoreFromBase(incremental);
        }
        for (KeyGroupsStateHandle h : full) {
            restoreFull(h);
        }
        if (!incremental.isEmpty() || !full.isEmpty()) {
            System.Logger.Level level = streamed + copied > 0 ? System.Logger.Level.INFO : System.Logger.Level.DEBUG;
            LOG.log(level, () -> String.format("operator %s %s restored in %d ms (%d ms of it "
                    + "downloading and verifying files) from %d incremental handles (%d opened as the working "
                    + "database, %d imported as SST files, %d streamed through SstFileWriter, %d copied entry by "
                    + "entry%s) and %d full handles", backend.operatorId(), range,
                    (System.nanoTime() - started) / 1_000_000, downloadMillis, incremental.size(), opened, imported,
                    streamed, copied,
                    clipped ? ", clipped to the range" : "", full.size()));
        }
    }

    /** Opens the best-overlapping handle as the working database and copies the others into it. */
    private void restoreFromBase(List<IncrementalKeyedStateHandle> incremental) {
        IncrementalKeyedStateHandle base = null;
        for (IncrementalKeyedStateHandle h : incremental) {
            if (base == null || overlapSize(h) > overlapSize(base)) {
                base = h;
            }
        }
        Path dbDirectory = backend.databaseDirectory();
        if (base == null) {
            backend.database(Database.open(dbDirectory, backend.resources()));
            return;
        }
        mkdirs(dbDirectory);
        SnapshotMetaFormat.Meta meta = readMeta(base);
        download(allFiles(base), checksums(base, meta, ""), dbDirectory);
        openBase(base, meta);
        for (IncrementalKeyedStateHandle h : incremental) {
            if (h != base) {
                mergeIncremental(h);
                copied++;
            }
        }
    }

    /** Opens the database in the working directory as {@code base}'s and clips it to the range. */
    private void openBase(IncrementalKeyedStateHandle base, SnapshotMetaFormat.Meta meta) {
        opened++;
        backend.database(Database.open(backend.databaseDirectory(), backend.resources()));
        adopt(base, meta);
        if (!within(base.keyGroupRange())) {
            List<ColumnFamilyHandle> families = new ArrayList<>();
            for (RocksDbKeyedStateBackend.Entry e : backend.states().values()) {
                families.add(e.family);
            }
            clip(families);
        }
        Map<String, Integer> shared = new HashMap<>(checksums(base, meta, ""));
        shared.keySet().retainAll(base.sharedState().keySet());
        backend.tracker().seed(base.checkpointId(), base.sharedState(), shared);
    }

    private boolean within(KeyGroupRange stored) {
        return stored.intersection(range).equals(stored);
    }

    /**
     * Removes every key outside the range from {@code families}: SST files that lie entirely outside
     * are dropped ({@code deleteFilesInRanges}), the rest is hidden by two range deletions.
     */
    private void clip(List<ColumnFamilyHandle> families) {
        List<byte[]> outside = new ArrayList<>(4);
        if (range.isEmpty()) {
            outside.add(Keys.keyGroupPrefix(0));
            outside.add(AFTER_ALL_KEY_GROUPS);
        } else {
            if (range.start() > 0) {
                outside.add(Keys.keyGroupPrefix(0));
                outside.add(Keys.keyGroupPrefix(range.start()));
            }
            outside.add(Keys.keyGroupEnd(range.end()));
            outside.add(AFTER_ALL_KEY_GROUPS);
        }
        Database db = backend.database();
        for (ColumnFamilyHandle family : families) {
            try {
                db.db.deleteFilesInRanges(family, outside, false);
                for (int i = 0; i < outside.size(); i += 2) {
                    db.db.deleteRange(family, backend.resources().writeOptions, outside.get(i), outside.get(i + 1));
                }
            } catch (RocksDBException e) {
                throw Database.failure("clipping the restored state of operator " + backend.operatorId() + " to "
                        + range, e);
            }
        }
        clipped = true;
    }

    /** A downloaded incremental handle and, if its files can be imported, the exports of its states. */
    private static final class Source implements AutoCloseable {
        final IncrementalKeyedStateHandle handle;
        final int index;
        final Path directory;
        final String description;
        SnapshotMetaFormat.Meta meta;
        boolean importable;
        final Map<String, ExportImportFilesMetaData> exports = new LinkedHashMap<>();

        Source(IncrementalKeyedStateHandle handle, int index, Path directory, String description) {
            this.handle = handle;
            this.index = index;
            this.directory = directory;
            this.description = description;
        }

        @Override
        public void close() {
            for (ExportImportFilesMetaData e : exports.values()) {
                e.close();
            }
            exports.clear();
        }
    }

    /** Column family options for temporary databases: the backend's, without automatic compactions. */
    private ColumnFamilyOptions temporaryOptions() {
        return new ColumnFamilyOptions(backend.resources().columnOptions).setDisableAutoCompactions(true);
    }

    private void restoreMerged(List<IncrementalKeyedStateHandle> incremental) {
        Path work = backend.instanceDirectory().resolve("restore-" + temporaryDatabases++);
        mkdirs(work);
        List<IncrementalKeyedStateHandle> ordered = new ArrayList<>(incremental);
        ordered.sort(Comparator.comparingInt(h -> h.keyGroupRange().start()));
        List<Source> sources = new ArrayList<>(ordered.size());
        try {
            Map<String, StreamStateHandle> files = new LinkedHashMap<>();
            Map<String, Integer> checksums = new HashMap<>();
            for (IncrementalKeyedStateHandle h : ordered) {
                String directory = "handle-" + sources.size();
                Source s = new Source(h, sources.size(), work.resolve(directory), describe(h));
                sources.add(s);
                s.meta = readMeta(h);
                mkdirs(s.directory);
                for (Map.Entry<String, StreamStateHandle> f : allFiles(h).entrySet()) {
                    files.put(directory + "/" + f.getKey(), f.getValue());
                }
                checksums.putAll(checksums(h, s.meta, directory + "/"));
            }
            download(files, checksums, work);
            for (Source s : sources) {
                prepare(s, work);
            }
            boolean any = false;
            for (Source s : sources) {
                any |= s.importable;
            }
            if (any) {
                importSources(sources, work);
                seedImported(sources);
            } else {
                Source base = sources.get(0);
                for (Source s : sources) {
                    if (overlapSize(s.handle) > overlapSize(base.handle)) {
                        base = s;
                    }
                }
                try {
                    Files.move(base.directory, backend.databaseDirectory(), StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException e) {
                    throw new StorageException("moving " + base.directory + " to " + backend.databaseDirectory()
                            + " failed: " + e.getMessage(), e);
                }
                openBase(base.handle, base.meta);
                for (Source s : sources) {
                    if (s != base) {
                        streamSource(s, s.meta.states(), work);
                        streamed++;
                    }
                }
            }
        } finally {
            for (Source s : sources) {
                s.close();
            }
            RocksDbKeyedStateBackend.deleteRecursively(work);
        }
    }

    /**
     * Lets the next checkpoint refer to the uploaded files that were imported unchanged: an SST file
     * of the working database is the same file (same inode, linked by export and import) as a
     * downloaded one, so the handle it was downloaded from describes its bytes exactly. Files
     * without such a match (streamed, or copied where links are not supported) are uploaded anew.
     */
    private void seedImported(List<Source> sources) {
        Map<Object, StreamStateHandle> downloaded = new HashMap<>();
        Map<Object, Integer> downloadedChecksums = new HashMap<>();
        long checkpointId = -1;
        for (Source s : sources) {
            if (!s.importable) {
                continue;
            }
            checkpointId = Math.max(checkpointId, s.handle.checkpointId());
            for (Map.Entry<String, StreamStateHandle> f : s.handle.sharedState().entrySet()) {
                Object key = fileKey(s.directory.resolve(f.getKey()));
                if (key != null) {
                    downloaded.put(key, f.getValue());
                    Integer crc = s.meta.checksums().get(f.getKey());
                    if (crc != null) {
                        downloadedChecksums.put(key, crc);
                    }
                }
            }
        }
        Map<String, StreamStateHandle> reusable = new HashMap<>();
        Map<String, Integer> reusableChecksums = new HashMap<>();
        for (LiveFileMetaData file : backend.database().db.getLiveFilesMetaData()) {
            String name = Path.of(file.fileName()).getFileName().toString();
            Object key = fileKey(backend.databaseDirectory().resolve(name));
            StreamStateHandle handle = key == null ? null : downloaded.get(key);
            if (handle != null) {
                reusable.put(name, handle);
                Integer crc = downloadedChecksums.get(key);
                if (crc != null) {
                    reusableChecksums.put(name, crc);
                }
            }
        }
        backend.tracker().seed(checkpointId, reusable, reusableChecksums);
    }

    /** The identity of the file itself (device and inode), or {@code null} where the file system has none. */
    private static Object fileKey(Path file) {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            return null;
        }
    }

    /** Checks the downloaded database of {@code s}, and exports its states if all its files lie in its range. */
    private void prepare(Source s, Path work) {
        try (ColumnFamilyOptions options = temporaryOptions();
                Database db = Database.open(s.directory, backend.resources(), options)) {
            List<ColumnFamilyHandle> families = families(db, s.meta, s.description);
            if (!filesInside(db, families, s.handle.keyGroupRange())) {
                return;
            }
            try (Checkpoint checkpoint = Checkpoint.create(db.db)) {
                for (int i = 0; i < families.size(); i++) {
                    ColumnFamilyHandle family = families.get(i);
                    if (db.db.getColumnFamilyMetaData(family).fileCount() == 0) {
                        continue;
                    }
                    Path export = work.resolve("export-" + s.index + "-" + i);
                    s.exports.put(s.meta.states().get(i).name(), checkpoint.exportColumnFamily(family,
                            export.toString()));
                }
            }
            s.importable = true;
        } catch (RocksDBException e) {
            throw Database.failure("exporting the column families of " + s.description, e);
        }
    }

    /** The column families of {@code meta}'s states, in order; each must exist. */
    private static List<ColumnFamilyHandle> families(Database db, SnapshotMetaFormat.Meta meta, String source) {
        List<ColumnFamilyHandle> families = new ArrayList<>(meta.states().size());
        for (StateMeta state : meta.states()) {
            ColumnFamilyHandle family = db.family(state.columnFamily());
            if (family == null) {
                throw new CorruptCheckpointException(source, "state '" + state.name() + "' is in column family '"
                        + state.columnFamily() + "', which the snapshot's database does not have");
            }
            families.add(family);
        }
        return families;
    }

    /**
     * Whether every SST file of {@code families} holds entries and only keys (and range deletions)
     * of {@code stored}: then the files of handles with disjoint ranges never overlap, which is what
     * importing them into one column family requires.
     */
    private static boolean filesInside(Database db, List<ColumnFamilyHandle> families, KeyGroupRange stored) {
        byte[] low = Keys.keyGroupPrefix(stored.start());
        byte[] high = Keys.keyGroupEnd(stored.end());
        for (ColumnFamilyHandle family : families) {
            for (LevelMetaData level : db.db.getColumnFamilyMetaData(family).levels()) {
                for (SstFileMetaData file : level.files()) {
                    if (file.numEntries() == 0 || Arrays.compareUnsigned(file.smallestKey(), low) < 0
                            || Arrays.compareUnsigned(file.largestKey(), high) >= 0) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /**
     * Imports the exported states of the importable sources into a new working database, clips it,
     * then streams what could not be imported.
     */
    private void importSources(List<Source> sources, Path work) {
        Path dbDirectory = backend.databaseDirectory();
        mkdirs(dbDirectory);
        backend.database(Database.open(dbDirectory, backend.resources()));
        Map<String, StateMeta> planned = new LinkedHashMap<>();
        Map<String, String> origins = new LinkedHashMap<>();
        Map<String, List<ExportImportFilesMetaData>> exports = new LinkedHashMap<>();
        Map<Source, List<StateMeta>> rest = new LinkedHashMap<>();
        boolean clip = false;
        for (Source s : sources) {
            if (!s.importable) {
                rest.put(s, s.meta.states());
                continue;
            }
            imported++;
            clip |= !within(s.handle.keyGroupRange());
            for (StateMeta state : s.meta.states()) {
                StateMeta first = planned.get(state.name());
                if (first == null) {
                    planned.put(state.name(), state);
                    origins.put(state.name(), s.description);
                    exports.put(state.name(), new ArrayList<>());
                } else {
                    if (first.type() != state.type() || !first.serializer().equals(state.serializer())) {
                        throw new IncompatibleStateException("operator " + backend.operatorId() + ": state '"
                                + state.name() + "' is " + state.type() + " " + state.serializer() + " in "
                                + s.description + " but " + first.type() + " " + first.serializer() + " in "
                                + origins.get(state.name()));
                    }
                    if (first.layout() != state.layout()) {
                        rest.computeIfAbsent(s, k -> new ArrayList<>()).add(state);
                        continue;
                    }
                }
                ExportImportFilesMetaData export = s.exports.get(state.name());
                if (export != null) {
                    exports.get(state.name()).add(export);
                }
            }
        }
        Database db = backend.database();
        List<ColumnFamilyHandle> families = new ArrayList<>(planned.size());
        for (StateMeta state : planned.values()) {
            String name = RocksDbKeyedStateBackend.newColumnFamilyName();
            List<ExportImportFilesMetaData> files = exports.get(state.name());
            ColumnFamilyHandle family = files.isEmpty() ? db.create(name) : db.importFamily(name, files);
            families.add(family);
            backend.states().put(state.name(), new RocksDbKeyedStateBackend.Entry(new StateMeta(state.name(),
                    state.type(), state.serializer(), state.layout(), name), family, origins.get(state.name())));
        }
        if (clip) {
            clip(families);
        }
        for (Map.Entry<Source, List<StateMeta>> e : rest.entrySet()) {
            streamSource(e.getKey(), e.getValue(), work);
            if (!e.getKey().importable) {
                streamed++;
            }
        }
    }

    /** Adds the overlapping key groups of {@code states} of {@code s} to the working database. */
    private void streamSource(Source s, List<StateMeta> states, Path work) {
        KeyGroupRange overlap = s.handle.keyGroupRange().intersection(range);
        Path ingest = work.resolve("ingest-" + s.index);
        mkdirs(ingest);
        try (ColumnFamilyOptions options = temporaryOptions();
                Database other = Database.open(s.directory, backend.resources(), options)) {
            for (StateMeta state : states) {
                ColumnFamilyHandle from = other.family(state.columnFamily());
                if (from == null) {
                    throw new CorruptCheckpointException(s.description, "state '" + state.name()
                            + "' is in column family '" + state.columnFamily()
                            + "', which the snapshot's database does not have");
                }
                RocksDbKeyedStateBackend.Entry to = target(s.description, state.name(), state.type(),
                        state.serializer(), state.layout());
                if (to.meta.layout() == state.layout()) {
                    ingest(other, from, to.family, overlap, ingest);
                } else {
                    copyCanonical(other, from, state, to.family, overlap);
                }
            }
        }
    }

    /**
     * Writes the entries of {@code overlap} of {@code source} into sorted SST files (merge operands
     * resolved, one file per {@value #INGEST_FILE_BYTES} bytes) and ingests them into {@code target}
     * by moving them, without going through the memtable.
     */
    private void ingest(Database from, ColumnFamilyHandle source, ColumnFamilyHandle target, KeyGroupRange overlap,
            Path directory) {
        List<String> written = new ArrayList<>();
        try (EnvOptions env = new EnvOptions(); Options options = new Options();
                ReadOptions read = new ReadOptions().setFillCache(false).setReadaheadSize(READAHEAD_BYTES);
                RocksIterator it = from.db.newIterator(source, read)) {
            SstFileWriter writer = null;
            try {
                long entries = 0;
                for (it.seek(Keys.keyGroupPrefix(overlap.start())); it.isValid(); it.next()) {
                    byte[] key = it.key();
                    if (Keys.keyGroupOf(key) > overlap.end()) {
                        break;
                    }
                    if (writer == null) {
                        Path file = directory.resolve("ingest-" + ingestFiles++ + ".sst");
                        writer = new SstFileWriter(env, options);
                        writer.open(file.toString());
                        written.add(file.toString());
                    }
                    writer.put(key, it.value());
                    if ((++entries & 1023) == 0 && writer.fileSize() >= INGEST_FILE_BYTES) {
                        writer.finish();
                        writer.close();
                        writer = null;
                    }
                }
                it.status();
                if (writer != null) {
                    writer.finish();
                }
            } finally {
                if (writer != null) {
                    writer.close();
                }
            }
        } catch (RocksDBException e) {
            throw Database.failure("writing SST files of a restored state of operator " + backend.operatorId(), e);
        }
        if (written.isEmpty()) {
            return;
        }
        try (IngestExternalFileOptions options = new IngestExternalFileOptions().setMoveFiles(true)) {
            backend.database().db.ingestExternalFile(target, written, options);
        } catch (RocksDBException e) {
            throw Database.failure("ingesting restored SST files into operator " + backend.operatorId(), e);
        }
    }

    /** Downloads {@code files} under {@code directory} on the transfer threads, verifying every SST file. */
    private void download(Map<String, StreamStateHandle> files, Map<String, Integer> checksums, Path directory) {
        long started = System.nanoTime();
        backend.files().download(files, checksums, directory, reader);
        downloadMillis += (System.nanoTime() - started) / 1_000_000;
    }

    private int overlapSize(KeyedStateHandle h) {
        return h.keyGroupRange().intersection(range).size();
    }

    private static Map<String, StreamStateHandle> allFiles(IncrementalKeyedStateHandle h) {
        Map<String, StreamStateHandle> all = new LinkedHashMap<>(h.privateState());
        all.putAll(h.sharedState());
        return all;
    }

    private String describe(KeyedStateHandle handle) {
        if (handle instanceof KeyGroupsStateHandle kg) {
            return SnapshotStreams.describe(kg.delegate(), backend.operatorId());
        }
        IncrementalKeyedStateHandle inc = (IncrementalKeyedStateHandle) handle;
        return SnapshotStreams.describe(inc.metaStateHandle(), backend.operatorId());
    }

    /**
     * The CRC32C that {@code meta} records for each file of {@code handle}, by {@code prefix} and the file's name;
     * empty for meta data of version 1, which records none. Version 2 meta data must record exactly the handle's files.
     */
    private Map<String, Integer> checksums(IncrementalKeyedStateHandle handle, SnapshotMetaFormat.Meta meta,
            String prefix) {
        if (meta.checksums().isEmpty()) {
            return Map.of();
        }
        Map<String, StreamStateHandle> files = allFiles(handle);
        Map<String, Integer> checksums = new HashMap<>();
        for (String name : files.keySet()) {
            Integer crc = meta.checksums().get(name);
            if (crc == null) {
                throw new CorruptCheckpointException(describe(handle), "the snapshot's meta data records no checksum "
                        + "for its file " + name + " ("
                        + SnapshotStreams.describe(files.get(name), backend.operatorId()) + ")");
            }
            checksums.put(prefix + name, crc);
        }
        for (String name : meta.checksums().keySet()) {
            if (!files.containsKey(name)) {
                throw new CorruptCheckpointException(describe(handle), "the snapshot's meta data records a checksum "
                        + "for a file " + name + " that its handle does not name");
            }
        }
        return checksums;
    }

    private SnapshotMetaFormat.Meta readMeta(IncrementalKeyedStateHandle handle) {
        String source = describe(handle);
        byte[] bytes = SnapshotFiles.readAll(handle.metaStateHandle(), reader, source, SnapshotMetaFormat.MAX_BYTES);
        SnapshotMetaFormat.Meta meta = SnapshotMetaFormat.read(source, bytes);
        if (!meta.keyGroupRange().equals(handle.keyGroupRange())) {
            throw new CorruptCheckpointException(source, "the snapshot covers " + meta.keyGroupRange()
                    + " but its handle claims " + handle.keyGroupRange());
        }
        checkKeys(source, meta.keySerializer(), meta.maxParallelism(), true);
        return meta;
    }

    /**
     * Refuses keys the backend's key serializer cannot read, and a different max parallelism. Keys of
     * an incremental snapshot live inside SST files, so they must be byte-for-byte what the current
     * serializer writes; a full snapshot's keys are re-encoded when the serializers differ.
     */
    private void checkKeys(String source, SerializerSnapshot stored, int storedMaxParallelism, boolean exact) {
        TypeSerializer<K> keySerializer = backend.keySerializer();
        if (!keySerializer.canRead(stored)) {
            throw new IncompatibleStateException("operator " + backend.operatorId() + ": keys in " + source
                    + " were written by key serializer " + stored + ", which " + keySerializer.snapshot()
                    + " cannot read");
        }
        if (exact && !stored.equals(keySerializer.snapshot())) {
            throw new IncompatibleStateException("operator " + backend.operatorId() + ": keys in the incremental "
                    + "snapshot " + source + " were written by key serializer " + stored + "; the rocksdb backend "
                    + "cannot re-encode keys inside SST files for " + keySerializer.snapshot()
                    + " (restore from a savepoint instead)");
        }
        if (storedMaxParallelism != backend.maxParallelism()) {
            throw new IncompatibleStateException("operator " + backend.operatorId() + ": " + source
                    + " was written with max parallelism " + storedMaxParallelism + ", this backend uses "
                    + backend.maxParallelism() + "; key groups cannot be mapped");
        }
    }

    /** Takes over the states of the base snapshot's database; column families it does not name are dropped. */
    private void adopt(IncrementalKeyedStateHandle base, SnapshotMetaFormat.Meta meta) {
        Database db = backend.database();
        String source = describe(base);
        Set<String> unused = new java.util.HashSet<>(db.familyNames());
        for (StateMeta state : meta.states()) {
            ColumnFamilyHandle family = db.family(state.columnFamily());
            if (family == null) {
                throw new CorruptCheckpointException(source, "state '" + state.name() + "' is in column family '"
                        + state.columnFamily() + "', which the snapshot's database does not have");
            }
            unused.remove(state.columnFamily());
            backend.states().put(state.name(), new RocksDbKeyedStateBackend.Entry(state, family, source));
        }
        for (String name : unused) {
            db.drop(name);
        }
    }

    /** The state named {@code incoming.name()}, created with {@code layout} if absent, checked if present. */
    private RocksDbKeyedStateBackend.Entry target(String source, String name, StateType type,
            SerializerSnapshot serializer, Layout layout) {
        RocksDbKeyedStateBackend.Entry e = backend.states().get(name);
        if (e == null) {
            String family = RocksDbKeyedStateBackend.newColumnFamilyName();
            e = new RocksDbKeyedStateBackend.Entry(new StateMeta(name, type, serializer, layout, family),
                    backend.database().create(family), source);
            backend.states().put(name, e);
            return e;
        }
        if (e.meta.type() != type || !e.meta.serializer().equals(serializer)) {
            throw new IncompatibleStateException("operator " + backend.operatorId() + ": state '" + name + "' is "
                    + type + " " + serializer + " in " + source + " but " + e.meta.type() + " "
                    + e.meta.serializer() + " in " + e.source);
        }
        if (e.meta.layout() != layout && layout == Layout.CANONICAL) {
            backend.rewriteCanonical(e);
        }
        return e;
    }

    private void mergeIncremental(IncrementalKeyedStateHandle handle) {
        Path directory = backend.instanceDirectory().resolve("restore-" + temporaryDatabases++);
        mkdirs(directory);
        try {
            SnapshotMetaFormat.Meta meta = readMeta(handle);
            download(allFiles(handle), checksums(handle, meta, ""), directory);
            String source = describe(handle);
            KeyGroupRange overlap = handle.keyGroupRange().intersection(range);
            try (Database other = Database.open(directory, backend.resources())) {
                for (StateMeta state : meta.states()) {
                    ColumnFamilyHandle from = other.family(state.columnFamily());
                    if (from == null) {
                        throw new CorruptCheckpointException(source, "state '" + state.name()
                                + "' is in column family '" + state.columnFamily()
                                + "', which the snapshot's database does not have");
                    }
                    RocksDbKeyedStateBackend.Entry to = target(source, state.name(), state.type(),
                            state.serializer(), state.layout());
                    if (to.meta.layout() == state.layout()) {
                        copyRaw(other, from, to.family, overlap);
                    } else {
                        copyCanonical(other, from, state, to.family, overlap);
                    }
                }
            }
        } finally {
            RocksDbKeyedStateBackend.deleteRecursively(directory);
        }
    }

    private void copyRaw(Database from, ColumnFamilyHandle source, ColumnFamilyHandle target, KeyGroupRange overlap) {
        try (RocksIterator it = from.db.newIterator(source, backend.resources().readOptions);
                RocksDbKeyedStateBackend<K>.Batch batch = backend.new Batch()) {
            for (it.seek(Keys.keyGroupPrefix(overlap.start())); it.isValid(); it.next()) {
                byte[] key = it.key();
                if (Keys.keyGroupOf(key) > overlap.end()) {
                    break;
                }
                batch.put(target, key, it.value());
            }
        }
    }

    private void copyCanonical(Database from, ColumnFamilyHandle source, StateMeta meta, ColumnFamilyHandle target,
            KeyGroupRange overlap) {
        try (CanonicalCursor cursor = new CanonicalCursor(from.db, source, backend.resources().readOptions, meta,
                overlap.start(), overlap.end()); RocksDbKeyedStateBackend<K>.Batch batch = backend.new Batch()) {
            while (cursor.next()) {
                batch.put(target, Keys.valueKey(cursor.keyGroup(), cursor.key()), cursor.value());
            }
        }
    }

    private void restoreFull(KeyGroupsStateHandle handle) {
        KeyGroupRange overlap = handle.keyGroupRange().intersection(range);
        try (KeyedSnapshotReader in = KeyedSnapshotReader.open(handle, reader, backend.operatorId())) {
            KeyedSnapshotHeader header = in.header();
            checkKeys(in.file(), header.keySerializer(), header.maxParallelism(), false);
            boolean reencode = !header.keySerializer().equals(backend.keySerializerSnapshot());
            List<ColumnFamilyHandle> families = new ArrayList<>(header.states().size());
            for (KeyedStateMetaInfo info : header.states()) {
                families.add(target(in.file(), info.name(), info.type(), info.serializer(),
                        StateMeta.restoredLayout(info.type())).family);
            }
            TypeSerializer<K> keySerializer = backend.keySerializer();
            try (RocksDbKeyedStateBackend<K>.Batch batch = backend.new Batch()) {
                for (int kg : overlap) {
                    KeyGroupBlock block = in.readKeyGroup(kg);
                    for (KeyGroupBlock.StateEntries entries : block.states()) {
                        String state = header.states().get(entries.stateIndex()).name();
                        ColumnFamilyHandle family = families.get(entries.stateIndex());
                        for (int i = 0; i < entries.size(); i++) {
                            byte[] keyBytes = entries.keys().get(i);
                            K key = readKey(keySerializer, keyBytes, in.file(), state);
                            int actual = KeyGroups.keyGroupOf(key, backend.maxParallelism());
                            if (actual != kg) {
                                throw new CorruptCheckpointException(in.file(), "key " + key + " of state '" + state
                                        + "' is stored in key group " + kg + " but hashes to " + actual
                                        + " (is the key's hashCode stable across JVMs?)");
                            }
                            if (reencode) {
                                keyBytes = backend.buffer().serialize(keySerializer, key);
                            }
                            batch.put(family, Keys.valueKey(kg, keyBytes), entries.values().get(i));
                        }
                    }
                }
            }
        }
    }

    private static <K> K readKey(TypeSerializer<K> serializer, byte[] bytes, String file, String state) {
        try {
            K key = Keys.deserialize(serializer, bytes);
            if (key == null) {
                throw new CorruptCheckpointException(file, "a key of state '" + state + "' deserialized to null");
            }
            return key;
        } catch (CorruptCheckpointException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new CorruptCheckpointException(file, "a key of state '" + state + "' cannot be read by "
                    + serializer.snapshot() + ": " + e, e);
        }
    }

    private static void mkdirs(Path directory) {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + directory, e);
        }
    }
}
