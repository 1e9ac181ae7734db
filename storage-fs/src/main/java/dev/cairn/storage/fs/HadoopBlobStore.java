package dev.cairn.storage.fs;

import dev.cairn.blob.BlobInfo;
import dev.cairn.blob.BlobOutputStream;
import dev.cairn.blob.BlobStore;
import dev.cairn.blob.InputBlob;
import dev.cairn.blob.Locations;
import dev.cairn.blob.SeekableInputStream;
import dev.cairn.blob.SupportsAbandonedWriteCleanup;
import dev.cairn.blob.SupportsAppend;
import dev.cairn.blob.SupportsBulkDelete;
import dev.cairn.blob.SupportsPrefixListing;
import dev.cairn.error.BlobAlreadyExistsException;
import dev.cairn.error.BlobNotFoundException;
import dev.cairn.error.ConfigurationException;
import dev.cairn.error.StorageException;
import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.DistributedFileSystem;

/**
 * A blob store on a Hadoop {@link FileSystem} ({@code hdfs://}, {@code viewfs://}, …), for checkpoints
 * on a cluster's shared file system.
 *
 * <p>A write goes to a hidden temporary file next to its target ({@code .<name>.<random>.inprogress},
 * never listed). {@link BlobOutputStream#commit()} calls {@code hsync} (the bytes are on the
 * DataNodes' disks), closes the file and renames it to the target without overwriting: on HDFS the
 * NameNode refuses a rename onto an existing name atomically, so of concurrent commits to one
 * location exactly one wins. Closing without a commit deletes the temporary file.
 *
 * <p>One {@link FileSystem} instance per scheme and authority is created on first use (not taken
 * from Hadoop's shared cache, so closing this store never closes another user's client) and
 * closed with the store. Thread-safe; each stream it returns is for one thread.
 *
 * <p>A committed file can be extended ({@link SupportsAppend}) where the file system supports append and
 * truncate, as HDFS does: see {@link HadoopAppendStream}.
 */
public final class HadoopBlobStore implements BlobStore, SupportsPrefixListing, SupportsBulkDelete,
        SupportsAbandonedWriteCleanup, SupportsAppend {
    /** Default size of the write and read buffers. */
    public static final int DEFAULT_BUFFER_SIZE = 64 * 1024;

    private static final System.Logger LOG = System.getLogger(HadoopBlobStore.class.getName());
    private static final String TEMP_SUFFIX = FileLocations.TEMP_SUFFIX;

    private final String scheme;
    private final Configuration conf;
    private final int bufferSize;
    private final Map<String, FileSystem> fileSystems = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /**
     * A store for locations of {@code scheme}, with Hadoop clients configured by {@code conf}.
     * The configuration is copied.
     */
    public HadoopBlobStore(String scheme, Configuration conf, int bufferSize) {
        this.scheme = Objects.requireNonNull(scheme, "scheme").toLowerCase(Locale.ROOT);
        this.conf = new Configuration(Objects.requireNonNull(conf, "conf"));
        if (bufferSize < 1) {
            throw new ConfigurationException("buffer size must be positive, got " + bufferSize);
        }
        this.bufferSize = bufferSize;
    }

    /** The URI scheme this store serves. */
    public String scheme() {
        return scheme;
    }

    @Override
    public BlobOutputStream create(String location) {
        Path target = blobPath(location);
        FileSystem fs = fileSystem(target);
        Path temp = new Path(target.getParent(), tempName(target.getName()));
        try {
            FSDataOutputStream out = fs.create(temp, false, bufferSize);
            return new HadoopOutputStream(location, fs, target, temp, out);
        } catch (IOException e) {
            throw failure(location, "create", e);
        }
    }

    @Override
    public BlobOutputStream append(String location, long expectedLength) {
        Path path = blobPath(location);
        return HadoopAppendStream.open(location, fileSystem(path), path, expectedLength, bufferSize);
    }

    @Override
    public InputBlob open(String location) {
        Path path = blobPath(location);
        FileSystem fs = fileSystem(path);
        FileStatus status;
        try {
            status = fs.getFileStatus(path);
        } catch (FileNotFoundException e) {
            throw new BlobNotFoundException(location, e);
        } catch (IOException e) {
            throw failure(location, "open", e);
        }
        if (!status.isFile()) {
            throw new BlobNotFoundException(location);
        }
        return new HadoopInputBlob(location, fs, path, status.getLen());
    }

    @Override
    public boolean exists(String location) {
        Path path = blobPath(location);
        try {
            return fileSystem(path).getFileStatus(path).isFile();
        } catch (FileNotFoundException e) {
            return false;
        } catch (IOException e) {
            throw failure(location, "exists", e);
        }
    }

    @Override
    public void delete(String location) {
        Path path = blobPath(location);
        FileSystem fs = fileSystem(path);
        try {
            FileStatus status = fs.getFileStatus(path);
            if (!status.isFile()) {
                return;
            }
            fs.delete(path, false);
        } catch (FileNotFoundException e) {
            return;
        } catch (IOException e) {
            throw failure(location, "delete", e);
        }
        pruneIfEmpty(fs, path.getParent());
    }

    @Override
    public void deleteAll(Iterable<String> locations) {
        SupportsBulkDelete.deleteEach(this, locations);
    }

    @Override
    public Iterable<BlobInfo> list(String prefix) {
        String directoryLocation;
        String namePrefix;
        if (prefix.endsWith("/")) {
            directoryLocation = Locations.directory(prefix);
            namePrefix = "";
        } else {
            directoryLocation = Locations.parent(prefix);
            namePrefix = Locations.name(prefix);
        }
        Path directory = checkedPath(directoryLocation, true);
        FileSystem fs = fileSystem(directory);
        List<BlobInfo> found = new ArrayList<>();
        try {
            walk(fs, directory, directoryLocation, namePrefix, found);
        } catch (IOException e) {
            throw failure(prefix, "list", e);
        }
        return found;
    }

    @Override
    public void close() {
        closed = true;
        IOException problem = null;
        for (FileSystem fs : fileSystems.values()) {
            try {
                fs.close();
            } catch (IOException e) {
                if (problem == null) {
                    problem = e;
                } else {
                    problem.addSuppressed(e);
                }
            }
        }
        fileSystems.clear();
        if (problem != null) {
            throw new StorageException(scheme + " blob store: closing the Hadoop file system failed: "
                    + problem.getMessage(), problem);
        }
    }

    /**
     * Deletes the temporary files ({@code .<name>.<random>.inprogress}) of writes under {@code prefix} that a
     * killed process left behind (HDFS also keeps their lease until it expires), and the directories under
     * the prefix that are then empty.
     */
    @Override
    public int removeAbandonedWrites(String prefix) {
        return temps(prefix, true).size();
    }

    /** The temporary files of writes under {@code prefix}, with their length and modification time. */
    @Override
    public List<BlobInfo> findAbandonedWrites(String prefix) {
        return temps(prefix, false);
    }

    private List<BlobInfo> temps(String prefix, boolean remove) {
        String directoryLocation = prefix.endsWith("/") ? Locations.directory(prefix) : Locations.parent(prefix);
        String namePrefix = prefix.endsWith("/") ? "" : Locations.name(prefix);
        Path directory = checkedPath(directoryLocation, true);
        List<BlobInfo> found = new ArrayList<>();
        try {
            temps(fileSystem(directory), directory, directoryLocation, namePrefix, remove, found);
        } catch (IOException e) {
            throw failure(prefix, remove ? "removing abandoned writes" : "listing abandoned writes", e);
        }
        return found;
    }

    private static void temps(FileSystem fs, Path directory, String directoryLocation, String namePrefix,
            boolean remove, List<BlobInfo> found) throws IOException {
        FileStatus[] entries;
        try {
            entries = fs.listStatus(directory);
        } catch (FileNotFoundException e) {
            return;
        }
        for (FileStatus entry : entries) {
            String name = entry.getPath().getName();
            boolean temp = isTempName(name);
            if (!(temp ? name.substring(1) : name).startsWith(namePrefix)) {
                continue;
            }
            if (entry.isDirectory()) {
                temps(fs, entry.getPath(), directoryLocation + name + "/", "", remove, found);
                if (remove) {
                    pruneIfEmpty(fs, entry.getPath());
                }
            } else if (temp && (!remove || fs.delete(entry.getPath(), false))) {
                found.add(new BlobInfo(directoryLocation + name, entry.getLen(),
                        Instant.ofEpochMilli(entry.getModificationTime())));
            }
        }
    }

    private static void walk(FileSystem fs, Path directory, String directoryLocation, String namePrefix,
            List<BlobInfo> found) throws IOException {
        FileStatus[] entries;
        try {
            entries = fs.listStatus(directory);
        } catch (FileNotFoundException e) {
            return;
        }
        for (FileStatus entry : entries) {
            String name = entry.getPath().getName();
            if (!name.startsWith(namePrefix)) {
                continue;
            }
            if (entry.isDirectory()) {
                walk(fs, entry.getPath(), directoryLocation + name + "/", "", found);
            } else if (entry.isFile() && !isTempName(name)) {
                found.add(new BlobInfo(directoryLocation + name, entry.getLen(),
                        Instant.ofEpochMilli(entry.getModificationTime())));
            }
        }
    }

    private static void pruneIfEmpty(FileSystem fs, Path directory) {
        if (directory == null || directory.isRoot()) {
            return;
        }
        try {
            FileStatus[] left = fs.listStatus(directory);
            if (left.length == 0) {
                fs.delete(directory, false);
            }
        } catch (IOException e) {
            // Not empty any more (a writer got there first), already gone, or not ours to remove.
            LOG.log(System.Logger.Level.DEBUG, "could not remove empty directory " + directory, e);
        }
    }

    static boolean isTempName(String name) {
        return name.startsWith(".") && name.endsWith(TEMP_SUFFIX);
    }

    private static String tempName(String targetName) {
        StringBuilder name = new StringBuilder(".");
        targetName.codePoints().limit(64).forEach(name::appendCodePoint);
        return name.append('.').append(Long.toHexString(ThreadLocalRandom.current().nextLong()))
                .append(TEMP_SUFFIX).toString();
    }

    private Path blobPath(String location) {
        Path path = checkedPath(location, false);
        if (isTempName(path.getName())) {
            throw invalid(location, "file names starting with '.' and ending with '" + TEMP_SUFFIX
                    + "' are reserved for in-progress writes");
        }
        return path;
    }

    private Path checkedPath(String location, boolean directory) {
        Objects.requireNonNull(location, "location");
        URI uri;
        try {
            uri = new URI(location);
        } catch (java.net.URISyntaxException e) {
            throw invalid(location, "not a valid URI (" + e.getReason() + ")");
        }
        if (uri.getScheme() == null || !uri.getScheme().equalsIgnoreCase(scheme)) {
            throw invalid(location, "expected a " + scheme + ":// location");
        }
        if (uri.getQuery() != null || uri.getFragment() != null) {
            throw invalid(location, "a query or fragment is not allowed");
        }
        String path = uri.getPath();
        if (path == null || !path.startsWith("/")) {
            throw invalid(location, "the path must be absolute");
        }
        if (!directory && path.endsWith("/")) {
            throw invalid(location, "a blob location must not end with '/'");
        }
        for (String segment : path.substring(1).split("/", -1)) {
            if (segment.equals(".") || segment.equals("..")) {
                throw invalid(location, "'.' and '..' segments are not allowed");
            }
            if (segment.isEmpty() && !(directory && path.endsWith("/"))) {
                throw invalid(location, "empty path segments are not allowed");
            }
        }
        return new Path(uri);
    }

    private static ConfigurationException invalid(String location, String reason) {
        return new ConfigurationException("'" + Locations.printable(location) + "' is not a valid blob location: "
                + reason);
    }

    private FileSystem fileSystem(Path path) {
        if (closed) {
            throw new StorageException(scheme + " blob store is closed");
        }
        URI uri = path.toUri();
        String key = uri.getScheme().toLowerCase(Locale.ROOT) + "://"
                + (uri.getAuthority() == null ? "" : uri.getAuthority().toLowerCase(Locale.ROOT));
        return fileSystems.computeIfAbsent(key, k -> {
            try {
                return FileSystem.newInstance(URI.create(k + "/"), conf);
            } catch (IOException e) {
                throw new StorageException(k + ": connecting the Hadoop file system failed: " + e.getMessage(), e);
            }
        });
    }

    private static StorageException failure(String location, String what, IOException e) {
        return new StorageException(location + ": " + what + " failed: " + e, e);
    }

    /** Publishes {@code temp} as {@code target} without replacing anything; on success {@code temp} is gone. */
    private static void renameCreateOnly(String location, FileSystem fs, Path temp, Path target) throws IOException {
        if (fs instanceof DistributedFileSystem dfs) {
            try {
                dfs.rename(temp, target, Options.Rename.NONE);
                return;
            } catch (FileAlreadyExistsException e) {
                throw new BlobAlreadyExistsException(location);
            }
        }
        if (fs.rename(temp, target)) {
            return;
        }
        if (fs.exists(target)) {
            throw new BlobAlreadyExistsException(location);
        }
        throw new IOException("renaming " + temp + " to " + target + " was refused");
    }

    /** The bytes of one blob on their way to a temporary file, renamed into place by the commit. */
    private final class HadoopOutputStream extends HadoopFileOutputStream {
        private final FileSystem fs;
        private final Path target;
        private final Path temp;

        HadoopOutputStream(String location, FileSystem fs, Path target, Path temp, FSDataOutputStream out) {
            super(location, out, false);
            this.fs = fs;
            this.target = target;
            this.temp = temp;
        }

        @Override
        void publish() throws IOException {
            renameCreateOnly(location, fs, temp, target);
        }

        @Override
        long committedLength(long written) {
            return written;
        }

        @Override
        void takeBack() {
            IOException problem = closeForAbort();
            try {
                fs.delete(temp, false);
            } catch (IOException e) {
                problem = combine(problem, e);
            }
            if (problem != null && !tempGone()) {
                throw failure(location, "abort", problem);
            }
            pruneIfEmpty(fs, temp.getParent());
        }

        /** Whether the temporary file is gone (e.g. removed as an abandoned write): then nothing is left to abort. */
        private boolean tempGone() {
            try {
                return !fs.exists(temp);
            } catch (IOException e) {
                return false;
            }
        }
    }

    /** A committed file: its length at open time, positioned reads and seekable streams. */
    private final class HadoopInputBlob implements InputBlob {
        private final String location;
        private final FileSystem fs;
        private final Path path;
        private final long length;

        HadoopInputBlob(String location, FileSystem fs, Path path, long length) {
            this.location = location;
            this.fs = fs;
            this.path = path;
            this.length = length;
        }

        @Override
        public String location() {
            return location;
        }

        @Override
        public long length() {
            return length;
        }

        @Override
        public SeekableInputStream newStream() {
            return new HadoopSeekableInputStream(location, openStream(), length);
        }

        @Override
        public void readFully(long position, byte[] buffer, int offset, int len) {
            Objects.checkFromIndexSize(offset, len, buffer.length);
            if (position < 0 || position > length - len) {
                throw new StorageException(location + ": cannot read " + len + " bytes at position " + position
                        + ", the blob holds " + length + " bytes", new EOFException());
            }
            if (len == 0) {
                return;
            }
            try (FSDataInputStream in = openStream()) {
                in.readFully(position, buffer, offset, len);
            } catch (IOException e) {
                throw failure(location, "read at position " + position, e);
            }
        }

        private FSDataInputStream openStream() {
            try {
                return fs.open(path, bufferSize);
            } catch (FileNotFoundException e) {
                throw new BlobNotFoundException(location, e);
            } catch (IOException e) {
                throw failure(location, "open", e);
            }
        }
    }

    /** A seekable stream over an {@link FSDataInputStream} of known length. */
    private static final class HadoopSeekableInputStream extends SeekableInputStream {
        private final String location;
        private final FSDataInputStream in;
        private final long length;
        private long position;
        private boolean closed;

        HadoopSeekableInputStream(String location, FSDataInputStream in, long length) {
            this.location = location;
            this.in = in;
            this.length = length;
        }

        @Override
        public long position() {
            return position;
        }

        @Override
        public void seek(long target) {
            ensureOpen();
            if (target < 0 || target > length) {
                throw new StorageException(location + ": seek to " + target + " outside [0, " + length + "]");
            }
            if (target == position) {
                return;
            }
            if (target < length) {
                try {
                    in.seek(target);
                } catch (IOException e) {
                    throw failure(location, "seek to " + target, e);
                }
            }
            position = target;
        }

        @Override
        public int read() {
            ensureOpen();
            if (position >= length) {
                return -1;
            }
            syncPosition();
            try {
                int b = in.read();
                if (b < 0) {
                    throw truncated();
                }
                position++;
                return b;
            } catch (IOException e) {
                throw failure(location, "read", e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) {
            Objects.checkFromIndexSize(off, len, b.length);
            ensureOpen();
            if (len == 0) {
                return 0;
            }
            if (position >= length) {
                return -1;
            }
            syncPosition();
            try {
                int n = in.read(b, off, (int) Math.min(len, length - position));
                if (n < 0) {
                    throw truncated();
                }
                position += n;
                return n;
            } catch (IOException e) {
                throw failure(location, "read", e);
            }
        }

        @Override
        public int available() {
            return (int) Math.min(Integer.MAX_VALUE, closed ? 0 : length - position);
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                in.close();
            } catch (IOException e) {
                throw failure(location, "close", e);
            }
        }

        private void syncPosition() {
            try {
                if (in.getPos() != position) {
                    in.seek(position);
                }
            } catch (IOException e) {
                throw failure(location, "seek to " + position, e);
            }
        }

        private StorageException truncated() {
            return new StorageException(location + ": the file ended at " + position + " but was " + length
                    + " bytes long when opened", new EOFException());
        }

        private void ensureOpen() {
            if (closed) {
                throw new StorageException(location + ": the stream is closed");
            }
        }
    }
}
