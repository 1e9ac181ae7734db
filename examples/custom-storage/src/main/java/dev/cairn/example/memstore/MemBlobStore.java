package dev.cairn.example.memstore;

import dev.cairn.blob.BlobInfo;
import dev.cairn.blob.BlobOutputStream;
import dev.cairn.blob.BlobStore;
import dev.cairn.blob.BlobStoreProvider;
import dev.cairn.blob.ByteArraySeekableInputStream;
import dev.cairn.blob.InputBlob;
import dev.cairn.blob.SeekableInputStream;
import dev.cairn.blob.SupportsPrefixListing;
import dev.cairn.error.BlobAlreadyExistsException;
import dev.cairn.error.BlobNotFoundException;
import java.io.ByteArrayOutputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * A {@code mem://} blob store on a concurrent map: the whole custom-storage contract in one screen.
 * {@link Provider} makes it available to {@link java.util.ServiceLoader} under the scheme {@code mem}.
 */
public final class MemBlobStore implements BlobStore, SupportsPrefixListing {
    private final ConcurrentMap<String, byte[]> blobs;

    /** Serves every {@code mem://} location of the JVM from one map. */
    public static final class Provider implements BlobStoreProvider {
        private static final ConcurrentMap<String, byte[]> BLOBS = new ConcurrentHashMap<>();

        @Override
        public String scheme() {
            return "mem";
        }

        @Override
        public BlobStore create(Map<String, String> config) {
            return new MemBlobStore(BLOBS);
        }
    }

    public MemBlobStore(ConcurrentMap<String, byte[]> blobs) {
        this.blobs = blobs;
    }

    @Override
    public BlobOutputStream create(String location) {
        return new BlobOutputStream() {
            private ByteArrayOutputStream buffer = new ByteArrayOutputStream();

            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
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
                buffer = null;
                if (blobs.putIfAbsent(location, bytes) != null) {
                    throw new BlobAlreadyExistsException(location);
                }
                return new BlobInfo(location, bytes.length);
            }

            @Override
            public void close() {
                buffer = null;
            }

            private ByteArrayOutputStream buffer() {
                if (buffer == null) {
                    throw new IllegalStateException(location + ": stream is closed");
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
        blobs.remove(location);
    }

    @Override
    public Iterable<BlobInfo> list(String prefix) {
        return blobs.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                .map(e -> new BlobInfo(e.getKey(), e.getValue().length)).toList();
    }
}
