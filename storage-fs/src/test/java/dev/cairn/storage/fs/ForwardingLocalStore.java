package dev.cairn.storage.fs;

import dev.cairn.blob.BlobInfo;
import dev.cairn.blob.BlobOutputStream;
import dev.cairn.blob.BlobStore;
import dev.cairn.blob.InputBlob;
import dev.cairn.blob.SupportsAbandonedWriteCleanup;
import dev.cairn.blob.SupportsAppend;
import dev.cairn.blob.SupportsBulkDelete;
import dev.cairn.blob.SupportsPrefixListing;
import java.util.List;

/** Passes every call to a {@link LocalBlobStore}; the TCK self-tests' broken stores override one thing. */
class ForwardingLocalStore implements BlobStore, SupportsPrefixListing, SupportsBulkDelete,
        SupportsAbandonedWriteCleanup, SupportsAppend {
    final LocalBlobStore delegate = new LocalBlobStore();

    @Override
    public BlobOutputStream create(String location) {
        return delegate.create(location);
    }

    @Override
    public BlobOutputStream append(String location, long expectedLength) {
        return delegate.append(location, expectedLength);
    }

    @Override
    public InputBlob open(String location) {
        return delegate.open(location);
    }

    @Override
    public void delete(String location) {
        delegate.delete(location);
    }

    @Override
    public Iterable<BlobInfo> list(String prefix) {
        return delegate.list(prefix);
    }

    @Override
    public void deleteAll(Iterable<String> locations) {
        delegate.deleteAll(locations);
    }

    @Override
    public List<BlobInfo> findAbandonedWrites(String prefix) {
        return delegate.findAbandonedWrites(prefix);
    }

    @Override
    public int removeAbandonedWrites(String prefix) {
        return delegate.removeAbandonedWrites(prefix);
    }

    @Override
    public void close() {
        delegate.close();
    }

    /** Passes every stream call through; broken streams override one thing. */
    static class Stream extends BlobOutputStream {
        final BlobOutputStream out;

        Stream(BlobOutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) {
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            out.write(b, off, len);
        }

        @Override
        public void flush() throws java.io.IOException {
            out.flush();
        }

        @Override
        public long position() {
            return out.position();
        }

        @Override
        public BlobInfo commit() {
            return out.commit();
        }

        @Override
        public void close() {
            out.close();
        }
    }
}
