package dev.cairn.storage.s3;

import dev.cairn.blob.BlobStore;
import dev.cairn.tck.FileMergingTck;

/** Certifies file merging on the {@code s3://} store against S3Proxy (within checkpoints: S3 cannot append). */
class S3ProxyFileMergingTckTest extends FileMergingTck {
    @Override
    protected BlobStore createBlobStore() {
        return S3ProxyServer.store();
    }

    @Override
    protected String newBaseLocation() {
        String base = S3ProxyServer.newBase("merging");
        return base.substring(0, base.length() - 1);
    }
}
