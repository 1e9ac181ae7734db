package dev.cairn.cli;

import dev.cairn.blob.BlobInfo;
import dev.cairn.blob.BlobOutputStream;
import dev.cairn.blob.BlobStore;
import dev.cairn.blob.InputBlob;
import dev.cairn.blob.SupportsAbandonedWriteCleanup;
import dev.cairn.blob.SupportsAppend;
import dev.cairn.blob.SupportsBulkDelete;
import dev.cairn.blob.SupportsPrefixListing;
import dev.cairn.error.ConfigurationException;
import java.util.List;

/**
 * The demo's blob store when {@code --halt-at} is given: the real store, with the storage
 * {@link KillPoint}s placed on its requests. It needs a store that lists and bulk-deletes (every
 * provider of Cairn does).
 */
class HaltingBlobStore implements BlobStore, SupportsPrefixListing, SupportsBulkDelete,
        SupportsAbandonedWriteCleanup {
    private static final String METADATA = "/_metadata";
    private static final String JOB_END = "/_job-ended";

    private final BlobStore delegate;

    /** {@code delegate} with the kill points; appending (with {@link KillPoint#APPEND}) if {@code delegate} appends. */
    static BlobStore wrap(BlobStore delegate) {
        return delegate instanceof SupportsAppend ? new Appending(delegate) : new HaltingBlobStore(delegate);
    }

    private HaltingBlobStore(BlobStore delegate) {
        if (!(delegate instanceof SupportsPrefixListing) || !(delegate instanceof SupportsBulkDelete)) {
            throw new ConfigurationException("--halt-at needs a blob store that lists and bulk-deletes; "
                    + delegate.getClass().getName() + " does not");
        }
        this.delegate = delegate;
    }

    @Override
    public BlobOutputStream create(String location) {
        boolean metadata = location.endsWith(METADATA);
        if (metadata) {
            KillPoint.BEFORE_METADATA.reach();
        }
        BlobOutputStream out = delegate.create(location);
        boolean stateFile = !metadata && !location.endsWith(JOB_END);
        return halting(out, location, metadata, stateFile ? KillPoint.UPLOAD : null);
    }

    /** {@code out}, halting at {@code midWrite} (if not null) half-way through a write. */
    private static BlobOutputStream halting(BlobOutputStream out, String location, boolean metadata,
            KillPoint midWrite) {
        return new BlobOutputStream() {
            @Override
            public void write(int b) {
                if (midWrite != null) {
                    midWrite.reach();
                }
                out.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                if (midWrite != null && len > 1) {
                    out.write(b, off, len / 2);
                    midWrite.reach();
                    out.write(b, off + len / 2, len - len / 2);
                } else {
                    out.write(b, off, len);
                }
            }

            @Override
            public long position() {
                return out.position();
            }

            @Override
            public BlobInfo commit() {
                if (metadata) {
                    KillPoint.METADATA_COMMIT.reach();
                }
                BlobInfo info = out.commit();
                if (metadata) {
                    KillPoint.AFTER_METADATA.reach();
                } else if (location.endsWith(JOB_END)) {
                    KillPoint.JOB_ENDED.reach();
                }
                return info;
            }

            @Override
            public void close() {
                out.close();
            }
        };
    }

    @Override
    public InputBlob open(String location) {
        if (!location.endsWith(METADATA) && !location.endsWith(JOB_END)) {
            KillPoint.RESTORE.reach();
        }
        return delegate.open(location);
    }

    @Override
    public boolean exists(String location) {
        return delegate.exists(location);
    }

    @Override
    public void delete(String location) {
        KillPoint.DISCARD.reach();
        delegate.delete(location);
    }

    @Override
    public void deleteAll(Iterable<String> locations) {
        for (String location : locations) {
            delete(location);
        }
    }

    @Override
    public Iterable<BlobInfo> list(String prefix) {
        return ((SupportsPrefixListing) delegate).list(prefix);
    }

    @Override
    public List<BlobInfo> findAbandonedWrites(String prefix) {
        return delegate instanceof SupportsAbandonedWriteCleanup cleanup ? cleanup.findAbandonedWrites(prefix) : List.of();
    }

    @Override
    public int removeAbandonedWrites(String prefix) {
        return delegate instanceof SupportsAbandonedWriteCleanup cleanup ? cleanup.removeAbandonedWrites(prefix) : 0;
    }

    @Override
    public void close() {
        delegate.close();
    }

    /** A halting store over one that appends: appends to merged files halt at {@link KillPoint#APPEND}. */
    private static final class Appending extends HaltingBlobStore implements SupportsAppend {
        private final SupportsAppend appends;

        Appending(BlobStore delegate) {
            super(delegate);
            this.appends = (SupportsAppend) delegate;
        }

        @Override
        public BlobOutputStream append(String location, long expectedLength) {
            return halting(appends.append(location, expectedLength), location, false, KillPoint.APPEND);
        }
    }
}
