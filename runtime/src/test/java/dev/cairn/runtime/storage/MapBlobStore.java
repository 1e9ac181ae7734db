package dev.cairn.runtime.storage;

import dev.cairn.blob.BlobInfo;
import dev.cairn.blob.BlobOutputStream;
import dev.cairn.blob.BlobStore;
import dev.cairn.blob.ByteArraySeekableInputStream;
import dev.cairn.blob.InputBlob;
import dev.cairn.blob.SeekableInputStream;
import dev.cairn.blob.SupportsBulkDelete;
import dev.cairn.blob.SupportsPrefixListing;
import dev.cairn.error.BlobAlreadyExistsException;
import dev.cairn.error.BlobNotFoundException;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;

/** A blob store on a sorted map for the runtime's tests: commit-only visibility, create-only, listing. */
final class MapBlobStore implements BlobStore, SupportsPrefixListing, SupportsBulkDelete {
    final ConcurrentSkipListMap<String, byte[]> blobs = new ConcurrentSkipListMap<>();
    /** Told every location deleted, in order. */
    volatile java.util.function.Consumer<String> onDelete = location -> { };
    final AtomicInteger creates = new AtomicInteger();
    final AtomicInteger openStreams = new AtomicInteger();
    volatile boolean closed;

    @Override
    public BlobOutputStream create(String location) {
        creates.incrementAndGet();
        openStreams.incrementAndGet();
        return new BlobOutputStream() {
            private ByteArrayOutputStream buffer = new ByteArrayOutputStream();

            @Override
            public void write(int b) {
                buffer().write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                buffer().write(b, off, len);
            }

            @Override
            public long position() {
                return buffer().size();
            }

            @Override
            public BlobInfo commit() {
                byte[] bytes = buffer().toByteArray();
                close();
                if (blobs.putIfAbsent(location, bytes) != null) {
                    throw new BlobAlreadyExistsException(location);
                }
                return new BlobInfo(location, bytes.length);
            }

            @Override
            public void close() {
                if (buffer != null) {
                    buffer = null;
                    openStreams.decrementAndGet();
                }
            }

            private ByteArrayOutputStream buffer() {
                if (buffer == null) {
                    throw new IllegalStateException(location + ": closed");
                }
                return buffer;
            }
        };
    }

    @Override
    public InputBlob open(String location) {
        byte[] bytes = blobs.get(location);
        if (bytes == null) {
            throw new BlobNotFoundException(location);
        }
        return new InputBlob() {
            @Override
            public String location() {
                return location;
            }

            @Override
            public long length() {
                return bytes.length;
            }

            @Override
            public SeekableInputStream newStream() {
                return new ByteArraySeekableInputStream(bytes);
            }
        };
    }

    @Override
    public void delete(String location) {
        onDelete.accept(location);
        blobs.remove(location);
    }

    @Override
    public void deleteAll(Iterable<String> locations) {
        locations.forEach(this::delete);
    }

    @Override
    public Iterable<BlobInfo> list(String prefix) {
        return blobs.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                .map(e -> new BlobInfo(e.getKey(), e.getValue().length)).toList();
    }

    @Override
    public void close() {
        closed = true;
    }

    List<String> locations() {
        return List.copyOf(blobs.keySet());
    }

    /** The same store seen through the plain {@link BlobStore} interface only: no listing, no bulk delete. */
    BlobStore withoutAbilities() {
        MapBlobStore self = this;
        return new BlobStore() {
            @Override
            public BlobOutputStream create(String location) {
                return self.create(location);
            }

            @Override
            public InputBlob open(String location) {
                return self.open(location);
            }

            @Override
            public void delete(String location) {
                self.delete(location);
            }
        };
    }
}
