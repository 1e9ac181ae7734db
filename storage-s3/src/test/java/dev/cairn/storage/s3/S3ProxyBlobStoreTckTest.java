package dev.cairn.storage.s3;

import dev.cairn.blob.BlobStore;
import dev.cairn.tck.BlobStoreTck;
import java.util.EnumSet;
import java.util.Set;

/** Certifies the {@code s3://} store against S3Proxy, obtained through its provider. */
class S3ProxyBlobStoreTckTest extends BlobStoreTck {
    @Override
    protected BlobStore createBlobStore() {
        return S3ProxyServer.store();
    }

    @Override
    protected String newBaseLocation() {
        return S3ProxyServer.newBase("blob-tck");
    }

    @Override
    protected Set<Capability> capabilities() {
        return EnumSet.of(Capability.ATOMIC_RENAME);
    }

    /** One part being filled plus two in flight (5 MiB each), and the SDK's own request buffers. */
    @Override
    protected long streamingHeapBound() {
        return 24L * 1024 * 1024;
    }
}
