package dev.cairn.runtime.storage;

import dev.cairn.blob.BlobInfo;
import dev.cairn.blob.BlobOutputStream;
import dev.cairn.blob.SupportsAppend;
import dev.cairn.error.BlobNotFoundException;
import dev.cairn.error.StorageException;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/** {@link MapBlobStore} that can extend committed blobs, as {@code file://} and HDFS can. */
final class AppendableMapBlobStore extends MapBlobStore implements SupportsAppend {
    final AtomicInteger appends = new AtomicInteger();

    @Override
    public BlobOutputStream append(String location, long expectedLength) {
        byte[] current = blobs.get(location);
        if (current == null) {
            throw new BlobNotFoundException(location);
        }
        if (current.length < expectedLength) {
            throw new StorageException(location + ": has " + current.length + " bytes, expected " + expectedLength);
        }
        appends.incrementAndGet();
        byte[] base = Arrays.copyOf(current, (int) expectedLength);
        blobs.put(location, base);
        return new BlobOutputStream() {
            private ByteArrayOutputStream added = new ByteArrayOutputStream();

            @Override
            public void write(int b) {
                open().write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                open().write(b, off, len);
            }

            @Override
            public long position() {
                return open().size();
            }

            @Override
            public BlobInfo commit() {
                byte[] tail = open().toByteArray();
                byte[] all = Arrays.copyOf(base, base.length + tail.length);
                System.arraycopy(tail, 0, all, base.length, tail.length);
                blobs.put(location, all);
                added = null;
                return new BlobInfo(location, all.length);
            }

            @Override
            public void close() {
                if (added != null) {
                    added = null;
                    blobs.computeIfPresent(location, (k, v) -> base);
                }
            }

            private ByteArrayOutputStream open() {
                if (added == null) {
                    throw new IllegalStateException(location + ": closed");
                }
                return added;
            }
        };
    }
}
