package dev.cairn.storage.s3;

import dev.cairn.blob.BlobStore;
import dev.cairn.tck.CheckpointStorageTck;

/** Certifies file checkpoint storage on the {@code s3://} store against S3Proxy. */
class S3ProxyCheckpointStorageTckTest extends CheckpointStorageTck {
    @Override
    protected BlobStore createBlobStore() {
        return S3ProxyServer.store();
    }

    @Override
    protected String newBaseLocation() {
        String base = S3ProxyServer.newBase("checkpoints");
        return base.substring(0, base.length() - 1);
    }
}
