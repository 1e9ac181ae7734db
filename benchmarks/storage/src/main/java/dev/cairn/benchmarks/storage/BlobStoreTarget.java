package dev.cairn.benchmarks.storage;

import dev.cairn.blob.BlobInfo;
import dev.cairn.blob.BlobOutputStream;
import dev.cairn.blob.BlobStore;
import dev.cairn.blob.SeekableInputStream;
import java.io.IOException;

/**
 * A Cairn {@link BlobStore} as the benchmark sees it: {@code create → write → commit} (the provider's
 * durability step: fsync and atomic publish for {@code file://}, {@code hsync} and rename for HDFS, the
 * completed multipart upload for S3), then {@code open → newStream} to read. Owns the store and the server
 * (if any) behind it.
 */
final class BlobStoreTarget implements StorageTarget {
    private final BlobStore store;
    private final String root;
    private final AutoCloseable server;

    /** {@code root} ends with '/'; {@code server} is closed after the store, may be null. */
    BlobStoreTarget(BlobStore store, String root, AutoCloseable server) {
        this.store = store;
        this.root = root;
        this.server = server;
    }

    @Override
    public String write(String name, byte[] data) throws IOException {
        String location = root + name;
        try (BlobOutputStream out = store.create(location)) {
            StorageTarget.writeChunks(out, data);
            BlobInfo info = out.commit();
            if (info.length() != data.length) {
                throw new IllegalStateException(location + ": committed " + info.length() + " of " + data.length
                        + " bytes");
            }
        }
        return location;
    }

    @Override
    public long read(String location, byte[] buffer) throws IOException {
        try (SeekableInputStream in = store.open(location).newStream()) {
            return StorageTarget.drain(in, buffer);
        }
    }

    @Override
    public void delete(String location) {
        store.delete(location);
    }

    @Override
    public void close() throws Exception {
        try (AutoCloseable s = server) {
            store.close();
        }
    }
}
