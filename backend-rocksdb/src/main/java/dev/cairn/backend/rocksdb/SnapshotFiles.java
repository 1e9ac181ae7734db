package dev.cairn.backend.rocksdb;

import dev.cairn.blob.SeekableInputStream;
import dev.cairn.checkpoint.CheckpointStateOutputStream;
import dev.cairn.checkpoint.CheckpointStreamFactory;
import dev.cairn.checkpoint.CheckpointedStateScope;
import dev.cairn.checkpoint.StateHandleReader;
import dev.cairn.checkpoint.StreamStateHandle;
import dev.cairn.error.CheckpointException;
import dev.cairn.error.CorruptCheckpointException;
import dev.cairn.error.StorageException;
import dev.cairn.format.snapshot.SnapshotStreams;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.zip.CRC32C;
import org.rocksdb.Options;

/**
 * Moves snapshot files between the local disk and checkpoint storage on the transfer threads, and
 * verifies every SST file with RocksDB's own block checksums before it is uploaded and after it is
 * downloaded, so a corrupt file never enters (or spreads through) incremental checkpoints. Every
 * file's CRC32C is computed as it is uploaded and, when the meta data recorded one, checked as it
 * is downloaded, so a file changed or replaced in storage is refused naming it, whatever it holds.
 */
final class SnapshotFiles {
    private static final int COPY_BUFFER = 64 << 10;

    private final ExecutorService transfers;
    private final Options readerOptions;
    private final String operatorId;

    SnapshotFiles(ExecutorService transfers, Options readerOptions, String operatorId) {
        this.transfers = transfers;
        this.readerOptions = readerOptions;
        this.operatorId = operatorId;
    }

    static boolean isSst(String name) {
        return name.endsWith(".sst");
    }

    /** Fails with a {@link CorruptCheckpointException} naming {@code what} unless every block checksum matches. */
    void verify(Path sst, String what) {
        SstChecksums.verify(readerOptions, sst, what);
    }

    /** An uploaded file: its handle and the CRC32C of its bytes. */
    record Uploaded(StreamStateHandle handle, int crc32c) {
    }

    /** Uploads {@code file} into a new stream of {@code scope}; SST files are verified first. */
    Uploaded upload(Path file, CheckpointStreamFactory streams, CheckpointedStateScope scope) {
        if (isSst(file.getFileName().toString())) {
            verify(file, "local SST file " + file);
        }
        try (CheckpointStateOutputStream out = streams.createOutputStream(scope);
                InputStream in = Files.newInputStream(file)) {
            CRC32C crc = new CRC32C();
            byte[] buffer = new byte[COPY_BUFFER];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                crc.update(buffer, 0, n);
            }
            return new Uploaded(out.commit(), (int) crc.getValue());
        } catch (IOException e) {
            throw new StorageException("uploading " + file + " failed: " + e.getMessage(), e);
        }
    }

    /** Writes {@code bytes} into a new stream of {@code scope}. */
    static StreamStateHandle write(byte[] bytes, CheckpointStreamFactory streams, CheckpointedStateScope scope) {
        try (CheckpointStateOutputStream out = streams.createOutputStream(scope)) {
            out.write(bytes, 0, bytes.length);
            return out.commit();
        }
    }

    /** The CRC32C of a local file. */
    static int crc32c(Path file) {
        CRC32C crc = new CRC32C();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[COPY_BUFFER];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                crc.update(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new StorageException("reading " + file + " failed: " + e.getMessage(), e);
        }
        return (int) crc.getValue();
    }

    /**
     * Downloads every file into {@code directory} under its name, checking each against its CRC32C in
     * {@code checksums} (same keys; a file without one is not checked) and verifying SST files afterwards.
     */
    void download(Map<String, StreamStateHandle> files, Map<String, Integer> checksums, Path directory,
            StateHandleReader reader) {
        List<Callable<Object>> tasks = new ArrayList<>();
        for (Map.Entry<String, StreamStateHandle> e : files.entrySet()) {
            Integer expected = checksums.get(e.getKey());
            tasks.add(() -> {
                Path target = directory.resolve(e.getKey());
                String source = SnapshotStreams.describe(e.getValue(), operatorId);
                int actual = copy(e.getValue(), source, target, reader);
                if (expected != null && actual != expected) {
                    throw new CorruptCheckpointException(source, String.format("the file %s of the snapshot fails "
                            + "its checksum: CRC32C 0x%08x, but the snapshot's meta data records 0x%08x (the file was "
                            + "changed or replaced in storage)", Path.of(e.getKey()).getFileName(), actual, expected));
                }
                if (isSst(e.getKey())) {
                    verify(target, source);
                }
                return null;
            });
        }
        runAll(tasks);
    }

    static byte[] readAll(StreamStateHandle handle, StateHandleReader reader, String source, long maxBytes) {
        if (handle.stateSize() > maxBytes) {
            throw new CorruptCheckpointException(source, "stream of " + handle.stateSize() + " bytes exceeds the limit "
                    + maxBytes);
        }
        byte[] bytes = new byte[(int) handle.stateSize()];
        try (SeekableInputStream in = reader.open(handle)) {
            in.readFully(bytes, 0, bytes.length);
            if (in.read() >= 0) {
                throw new CorruptCheckpointException(source, "stream is longer than its recorded "
                        + bytes.length + " bytes");
            }
        } catch (StorageException e) {
            if (e.getCause() instanceof java.io.EOFException) {
                throw new CorruptCheckpointException(source, "stream is shorter than its recorded " + bytes.length
                        + " bytes", e);
            }
            throw e;
        }
        return bytes;
    }

    /** Copies the stream of {@code handle} to {@code target} and returns the CRC32C of its bytes. */
    private static int copy(StreamStateHandle handle, String source, Path target, StateHandleReader reader) {
        long expected = handle.stateSize();
        long copied = 0;
        CRC32C crc = new CRC32C();
        try (SeekableInputStream in = reader.open(handle);
                OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE)) {
            byte[] buffer = new byte[COPY_BUFFER];
            int n;
            while ((n = in.read(buffer, 0, buffer.length)) >= 0) {
                copied += n;
                if (copied > expected) {
                    break;
                }
                out.write(buffer, 0, n);
                crc.update(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new StorageException("downloading " + source + " to " + target + " failed: " + e.getMessage(), e);
        }
        if (copied != expected) {
            throw new CorruptCheckpointException(source, "has " + (copied > expected ? "more" : copied) + " bytes, "
                    + "but its handle records " + expected);
        }
        return (int) crc.getValue();
    }

    /**
     * Runs {@code tasks} on the transfer threads and waits for all of them, so no transfer still
     * touches files the caller deletes next; the first failure is thrown.
     */
    <T> List<T> runAll(List<Callable<T>> tasks) {
        List<Future<T>> futures = new ArrayList<>(tasks.size());
        RuntimeException rejected = null;
        for (Callable<T> task : tasks) {
            try {
                futures.add(transfers.submit(task));
            } catch (RejectedExecutionException e) {
                rejected = new CheckpointException("the transfer threads of operator " + operatorId
                        + " are shut down", e);
                break;
            }
        }
        List<T> results = new ArrayList<>(tasks.size());
        Throwable failure = rejected;
        boolean interrupted = false;
        for (Future<T> f : futures) {
            while (true) {
                try {
                    results.add(f.get());
                    break;
                } catch (ExecutionException e) {
                    if (failure == null) {
                        failure = e.getCause();
                    }
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure instanceof RuntimeException r) {
            throw r;
        }
        if (failure instanceof Error err) {
            throw err;
        }
        if (failure != null) {
            throw new StorageException("a file transfer of operator " + operatorId + " failed: " + failure, failure);
        }
        return results;
    }
}
