package dev.cairn.storage.gcs;

import com.google.cloud.ReadChannel;
import com.google.cloud.WriteChannel;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.Storage;
import dev.cairn.blob.BlobInfo;
import dev.cairn.blob.BlobOutputStream;
import dev.cairn.blob.BlobStore;
import dev.cairn.blob.InputBlob;
import dev.cairn.blob.SeekableInputStream;
import dev.cairn.blob.SupportsBulkDelete;
import dev.cairn.blob.SupportsPrefixListing;
import dev.cairn.error.BlobAlreadyExistsException;
import dev.cairn.error.BlobNotFoundException;
import dev.cairn.error.CorruptCheckpointException;
import dev.cairn.error.StorageException;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * A {@link BlobStore} on Google Cloud Storage ({@code gs://bucket/object}) through
 * {@code google-cloud-storage}. A writer buffers up to one chunk: a blob that fits is created at
 * commit by a single create-only request; a larger one streams through a resumable upload
 * ({@link WriteChannel}, one chunk in memory) that is finalized at commit. Both carry a
 * does-not-exist precondition, so a commit never replaces a blob. Closing without commit abandons
 * the upload before finalization: nothing becomes visible (GCS discards unfinished sessions after
 * a week). CRC32C is computed while writing and compared with the created object's where the
 * server reports one, and whole-object reads are checked against the stored CRC32C. Retries follow
 * the client's {@code StorageOptions} retry settings. Bulk deletes use batch requests and fall back
 * to single deletes when the service refuses batches.
 */
public final class GcsBlobStore implements BlobStore, SupportsPrefixListing, SupportsBulkDelete {
    /** Default resumable-upload chunk size: the bytes a writer buffers before sending them. */
    public static final int DEFAULT_CHUNK_SIZE = 8 * 1024 * 1024;
    private static final int BATCH_SIZE = 100;
    private static final int READ_BUFFER = 2 * 1024 * 1024;

    private final Storage storage;
    private final int chunkSize;
    private final boolean closeStorage;
    private volatile boolean batchDeleteUnsupported;

    /**
     * A store over {@code storage}.
     *
     * @param chunkSize resumable-upload chunk size in bytes (a multiple of 256 KiB)
     * @param closeStorage whether {@link #close()} closes {@code storage}
     */
    public GcsBlobStore(Storage storage, int chunkSize, boolean closeStorage) {
        if (chunkSize <= 0 || chunkSize % (256 * 1024) != 0) {
            throw new IllegalArgumentException("chunk size must be a positive multiple of 256 KiB, was " + chunkSize);
        }
        this.storage = storage;
        this.chunkSize = chunkSize;
        this.closeStorage = closeStorage;
    }

    /** The client this store uses. */
    public Storage storage() {
        return storage;
    }

    @Override
    public BlobOutputStream create(String location) {
        return new GcsOutputStream(GcsLocation.parseObject(location));
    }

    @Override
    public InputBlob open(String location) {
        GcsLocation loc = GcsLocation.parseObject(location);
        Blob blob;
        try {
            blob = storage.get(loc.blobId());
        } catch (com.google.cloud.storage.StorageException e) {
            throw translate(location, "stat", e);
        }
        if (blob == null) {
            throw new BlobNotFoundException(location);
        }
        return new GcsInputBlob(loc, blob.getSize() == null ? 0 : blob.getSize(), blob.getGeneration(),
                decodeCrc(blob.getCrc32c()));
    }

    @Override
    public boolean exists(String location) {
        GcsLocation loc = GcsLocation.parseObject(location);
        try {
            return storage.get(loc.blobId()) != null;
        } catch (com.google.cloud.storage.StorageException e) {
            throw translate(location, "stat", e);
        }
    }

    @Override
    public void delete(String location) {
        GcsLocation loc = GcsLocation.parseObject(location);
        try {
            storage.delete(loc.blobId());
        } catch (com.google.cloud.storage.StorageException e) {
            throw translate(location, "delete", e);
        }
    }

    @Override
    public Iterable<BlobInfo> list(String prefix) {
        GcsLocation loc = GcsLocation.parsePrefix(prefix);
        List<BlobInfo> out = new ArrayList<>();
        try {
            for (Blob b : storage.list(loc.bucket(), Storage.BlobListOption.prefix(loc.name())).iterateAll()) {
                if (b.getName().endsWith("/") && (b.getSize() == null || b.getSize() == 0)) {
                    continue;
                }
                out.add(new BlobInfo(GcsLocation.toLocation(loc.bucket(), b.getName()),
                        b.getSize() == null ? 0 : b.getSize(),
                        b.getUpdateTime() == null ? null : java.time.Instant.ofEpochMilli(b.getUpdateTime())));
            }
        } catch (com.google.cloud.storage.StorageException e) {
            throw translate(prefix, "list", e);
        }
        return out;
    }

    @Override
    public void deleteAll(Iterable<String> locations) {
        List<BlobId> ids = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (String location : locations) {
            ids.add(GcsLocation.parseObject(location).blobId());
            names.add(location);
        }
        List<String> failed = new ArrayList<>();
        StorageException first = null;
        for (int from = 0; from < ids.size(); from += BATCH_SIZE) {
            int to = Math.min(ids.size(), from + BATCH_SIZE);
            if (!batchDeleteUnsupported && to - from > 1) {
                try {
                    storage.delete(ids.subList(from, to));
                    continue;
                } catch (UnsupportedOperationException e) {
                    batchDeleteUnsupported = true;
                } catch (com.google.cloud.storage.StorageException e) {
                    if (e.getCode() == 501) {
                        batchDeleteUnsupported = true;
                    }
                }
            }
            for (int i = from; i < to; i++) {
                try {
                    storage.delete(ids.get(i));
                } catch (com.google.cloud.storage.StorageException e) {
                    failed.add(names.get(i));
                    if (first == null) {
                        first = translate(names.get(i), "delete", e);
                    }
                }
            }
        }
        if (!failed.isEmpty()) {
            throw new StorageException("deleting " + failed.size() + " of " + names.size() + " blobs failed: "
                    + failed, first);
        }
    }

    /** Whether a batch delete was refused and deletes now go one by one (as on LocalStorageHelper). */
    public boolean batchDeleteFellBack() {
        return batchDeleteUnsupported;
    }

    @Override
    public void close() {
        if (closeStorage) {
            try {
                storage.close();
            } catch (Exception e) {
                throw new StorageException("closing the GCS client failed: " + e.getMessage(), e);
            }
        }
    }

    static StorageException translate(String location, String what, com.google.cloud.storage.StorageException e) {
        if (e.getCode() == 404) {
            return new BlobNotFoundException(location, e);
        }
        return new StorageException(location + ": GCS " + what + " failed (HTTP " + e.getCode() + "): "
                + e.getMessage(), e);
    }

    /** The CRC32C of GCS metadata (base64 of the big-endian 32-bit value), or -1 if absent. */
    static long decodeCrc(String base64) {
        if (base64 == null || base64.isEmpty()) {
            return -1;
        }
        byte[] b = Base64.getDecoder().decode(base64);
        if (b.length != 4) {
            return -1;
        }
        return ((b[0] & 0xFFL) << 24) | ((b[1] & 0xFFL) << 16) | ((b[2] & 0xFFL) << 8) | (b[3] & 0xFFL);
    }

    /**
     * Buffers up to one chunk; a blob that fits is created at commit by one create-only request,
     * a larger one goes through a resumable upload opened when the first chunk is full and
     * finalized at commit.
     */
    private final class GcsOutputStream extends BlobOutputStream {
        private final GcsLocation loc;
        private final CRC32C crc = new CRC32C();
        private byte[] buffer = new byte[Math.min(chunkSize, 64 * 1024)];
        private int buffered;
        private WriteChannel channel;
        private long position;
        private boolean closed;

        GcsOutputStream(GcsLocation loc) {
            this.loc = loc;
        }

        private void checkOpen() {
            if (closed) {
                throw new StorageException(loc + ": stream is closed");
            }
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            checkOpen();
            crc.update(b, off, len);
            int done = 0;
            while (done < len) {
                if (buffered == buffer.length) {
                    if (buffer.length < chunkSize) {
                        buffer = java.util.Arrays.copyOf(buffer, Math.min(chunkSize, buffer.length * 2));
                    } else {
                        flushChunk();
                    }
                }
                int n = Math.min(len - done, buffer.length - buffered);
                System.arraycopy(b, off + done, buffer, buffered, n);
                buffered += n;
                done += n;
            }
            position += len;
        }

        private void flushChunk() {
            try {
                if (channel == null) {
                    refuseIfExists();
                    channel = storage.writer(com.google.cloud.storage.BlobInfo.newBuilder(loc.blobId()).build(),
                            Storage.BlobWriteOption.doesNotExist());
                    channel.setChunkSize(chunkSize);
                }
                ByteBuffer buf = ByteBuffer.wrap(buffer, 0, buffered);
                while (buf.hasRemaining()) {
                    channel.write(buf);
                }
                buffered = 0;
            } catch (IOException | com.google.cloud.storage.StorageException e) {
                abort();
                throw failed("uploading a chunk", e);
            }
        }

        /**
         * The does-not-exist precondition is what makes a commit create-only on GCS; this check
         * only reports the usual error before bytes are sent, and covers fakes that ignore it.
         */
        private void refuseIfExists() {
            if (storage.get(loc.blobId()) != null) {
                abort();
                throw new BlobAlreadyExistsException(loc.toString());
            }
        }

        private StorageException failed(String what, Exception e) {
            Throwable t = e;
            while (t != null) {
                if (t instanceof com.google.cloud.storage.StorageException se && se.getCode() == 412) {
                    return new BlobAlreadyExistsException(loc.toString());
                }
                t = t.getCause();
            }
            return new StorageException(loc + ": GCS " + what + " failed after " + position + " bytes: "
                    + e.getMessage(), e);
        }

        @Override
        public long position() {
            return position;
        }

        @Override
        public BlobInfo commit() {
            checkOpen();
            try {
                if (channel == null) {
                    refuseIfExists();
                    storage.create(com.google.cloud.storage.BlobInfo.newBuilder(loc.blobId()).build(),
                            java.util.Arrays.copyOf(buffer, buffered), Storage.BlobTargetOption.doesNotExist());
                } else {
                    ByteBuffer buf = ByteBuffer.wrap(buffer, 0, buffered);
                    while (buf.hasRemaining()) {
                        channel.write(buf);
                    }
                    channel.close();
                }
            } catch (IOException | com.google.cloud.storage.StorageException e) {
                abort();
                throw failed("commit", e);
            }
            closed = true;
            buffer = null;
            channel = null;
            verifyCreated();
            return new BlobInfo(loc.toString(), position);
        }

        private void verifyCreated() {
            Blob created;
            try {
                created = storage.get(loc.blobId());
            } catch (com.google.cloud.storage.StorageException e) {
                throw translate(loc.toString(), "verifying the upload", e);
            }
            if (created == null) {
                throw new StorageException(loc + ": the upload was finalized but the object is not there");
            }
            long stored = decodeCrc(created.getCrc32c());
            long size = created.getSize() == null ? -1 : created.getSize();
            if ((stored >= 0 && stored != crc.getValue()) || (size >= 0 && size != position)) {
                Storage.BlobSourceOption[] opts = created.getGeneration() == null
                        ? new Storage.BlobSourceOption[0]
                        : new Storage.BlobSourceOption[] {Storage.BlobSourceOption.generationMatch(created.getGeneration())};
                try {
                    storage.delete(loc.blobId(), opts);
                } catch (com.google.cloud.storage.StorageException ignored) {
                    // the corrupt object stays; the error below is what matters
                }
                throw new StorageException(loc + ": GCS stored " + size + " bytes with CRC32C " + Long.toHexString(stored)
                        + " but " + position + " bytes with CRC32C " + Long.toHexString(crc.getValue())
                        + " were written; the object was removed");
            }
        }

        private void abort() {
            closed = true;
            channel = null;
            buffer = null;
        }

        @Override
        public void close() {
            if (!closed) {
                abort();
            }
        }
    }

    private final class GcsInputBlob implements InputBlob {
        private final GcsLocation loc;
        private final long length;
        private final Long generation;
        private final long crc;

        GcsInputBlob(GcsLocation loc, long length, Long generation, long crc) {
            this.loc = loc;
            this.length = length;
            this.generation = generation;
            this.crc = crc;
        }

        @Override
        public String location() {
            return loc.toString();
        }

        @Override
        public long length() {
            return length;
        }

        ReadChannel reader() {
            try {
                ReadChannel r = generation == null
                        ? storage.reader(loc.blobId())
                        : storage.reader(BlobId.of(loc.bucket(), loc.name(), generation));
                r.setChunkSize(READ_BUFFER);
                return r;
            } catch (com.google.cloud.storage.StorageException e) {
                throw translate(loc.toString(), "read", e);
            }
        }

        @Override
        public SeekableInputStream newStream() {
            return new GcsInputStream(this);
        }

        @Override
        public void readFully(long position, byte[] buffer, int offset, int len) {
            java.util.Objects.checkFromIndexSize(offset, len, buffer.length);
            if (position < 0 || position + len > length) {
                throw new StorageException(loc + ": range [" + position + ", " + (position + len)
                        + ") is outside the blob's " + length + " bytes", new EOFException());
            }
            if (len == 0) {
                return;
            }
            try (ReadChannel r = reader()) {
                r.seek(position);
                r.limit(position + len);
                ByteBuffer buf = ByteBuffer.wrap(buffer, offset, len);
                while (buf.hasRemaining()) {
                    if (r.read(buf) < 0) {
                        throw new StorageException(loc + ": unexpected end of data at "
                                + (position + len - buf.remaining()), new EOFException());
                    }
                }
            } catch (IOException | com.google.cloud.storage.StorageException e) {
                throw new StorageException(loc + ": ranged read failed: " + e.getMessage(), e);
            }
        }
    }

    /** Streams one object; a read of the whole object from 0 to the end is checked against its CRC32C. */
    private static final class GcsInputStream extends SeekableInputStream {
        private final GcsInputBlob blob;
        private final ByteBuffer buffer = ByteBuffer.allocate(64 * 1024).flip();
        private final CRC32C crc = new CRC32C();
        private ReadChannel reader;
        private long position;
        private boolean sequentialFromStart = true;
        private boolean verified;

        GcsInputStream(GcsInputBlob blob) {
            this.blob = blob;
        }

        @Override
        public long position() {
            return position;
        }

        @Override
        public void seek(long target) {
            if (target < 0 || target > blob.length) {
                throw new StorageException(blob.location() + ": seek to " + target + " outside [0, " + blob.length + "]");
            }
            if (target == position) {
                return;
            }
            sequentialFromStart = false;
            buffer.clear().flip();
            position = target;
            if (reader != null) {
                try {
                    reader.seek(target);
                } catch (IOException e) {
                    throw failure(blob.location(), "seek", e);
                }
            }
        }

        private boolean fill() {
            if (buffer.hasRemaining()) {
                return true;
            }
            if (position >= blob.length) {
                verifyAtEnd();
                return false;
            }
            try {
                if (reader == null) {
                    reader = blob.reader();
                    if (position > 0) {
                        reader.seek(position);
                    }
                }
                buffer.clear();
                int n;
                do {
                    n = reader.read(buffer);
                } while (n == 0);
                buffer.flip();
                if (n < 0) {
                    throw new StorageException(blob.location() + ": object ended after " + position + " of "
                            + blob.length + " bytes", new EOFException());
                }
            } catch (IOException e) {
                throw failure(blob.location(), "read", e);
            } catch (com.google.cloud.storage.StorageException e) {
                throw translate(blob.location(), "read", e);
            }
            if (sequentialFromStart) {
                crc.update(buffer.array(), buffer.position(), buffer.remaining());
            }
            return true;
        }

        private void verifyAtEnd() {
            if (sequentialFromStart && !verified && blob.crc >= 0) {
                verified = true;
                if (crc.getValue() != blob.crc) {
                    throw new CorruptCheckpointException(blob.location(), "CRC32C of the bytes read ("
                            + Long.toHexString(crc.getValue()) + ") differs from the object's ("
                            + Long.toHexString(blob.crc) + ")");
                }
            }
        }

        @Override
        public int read() {
            if (!fill()) {
                return -1;
            }
            position++;
            int b = buffer.get() & 0xFF;
            if (position == blob.length) {
                verifyAtEnd();
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            if (!fill()) {
                return -1;
            }
            int n = Math.min(len, buffer.remaining());
            buffer.get(b, off, n);
            position += n;
            if (position == blob.length) {
                verifyAtEnd();
            }
            return n;
        }

        @Override
        public int available() {
            return buffer.remaining();
        }

        @Override
        public void close() {
            if (reader != null) {
                reader.close();
                reader = null;
            }
        }
    }
}
