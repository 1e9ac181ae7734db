package dev.cairn.tck;

import dev.cairn.blob.BlobInfo;
import dev.cairn.blob.BlobOutputStream;
import dev.cairn.blob.BlobStore;
import dev.cairn.blob.InputBlob;
import dev.cairn.blob.SeekableInputStream;
import dev.cairn.error.StorageException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A decorator the {@link CheckpointStorageTck} puts between the storage and the store under test:
 * it records which blobs the storage creates and how often it reads metadata, and can make a
 * {@code _metadata} write fail half-way. Everything else passes straight through.
 */
final class CheckpointStorageProbeStore implements BlobStore {
    private final BlobStore delegate;
    private final List<String> created = new ArrayList<>();
    private final AtomicInteger metadataReads = new AtomicInteger();
    private volatile boolean failMetadataWrites;

    CheckpointStorageProbeStore(BlobStore delegate) {
        this.delegate = delegate;
    }

    /** From now on, a write to a {@code _metadata} blob passes half its bytes on and then throws. */
    void failMetadataWrites() {
        failMetadataWrites = true;
    }

    synchronized List<String> created() {
        return List.copyOf(created);
    }

    /** How many times the content of a {@code _metadata} blob was read (streams opened or ranges read). */
    int metadataReads() {
        return metadataReads.get();
    }

    @Override
    public BlobOutputStream create(String location) {
        synchronized (this) {
            created.add(location);
        }
        BlobOutputStream out = delegate.create(location);
        boolean fail = failMetadataWrites && isMetadata(location);
        return new BlobOutputStream() {
            @Override
            public void write(int b) {
                if (fail) {
                    throw injected(location);
                }
                out.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                if (fail) {
                    out.write(b, off, len / 2);
                    throw injected(location);
                }
                out.write(b, off, len);
            }

            @Override
            public long position() {
                return out.position();
            }

            @Override
            public BlobInfo commit() {
                if (fail) {
                    throw injected(location);
                }
                return out.commit();
            }

            @Override
            public void close() {
                out.close();
            }
        };
    }

    @Override
    public InputBlob open(String location) {
        InputBlob in = delegate.open(location);
        if (!isMetadata(location)) {
            return in;
        }
        return new InputBlob() {
            @Override
            public String location() {
                return in.location();
            }

            @Override
            public long length() {
                return in.length();
            }

            @Override
            public SeekableInputStream newStream() {
                metadataReads.incrementAndGet();
                return in.newStream();
            }

            @Override
            public void readFully(long position, byte[] buffer, int offset, int length) {
                metadataReads.incrementAndGet();
                in.readFully(position, buffer, offset, length);
            }
        };
    }

    @Override
    public void delete(String location) {
        delegate.delete(location);
    }

    @Override
    public boolean exists(String location) {
        return delegate.exists(location);
    }

    private static boolean isMetadata(String location) {
        return location.endsWith("/_metadata");
    }

    private static StorageException injected(String location) {
        return new StorageException(location + ": write failure injected by the TCK");
    }
}
