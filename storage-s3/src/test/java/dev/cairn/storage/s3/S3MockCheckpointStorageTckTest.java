package dev.cairn.storage.s3;

import dev.cairn.blob.BlobStore;
import dev.cairn.tck.CheckpointStorageTck;

/** Certifies file checkpoint storage on the {@code s3://} store against Adobe S3Mock (SDK default checksums). */
class S3MockCheckpointStorageTckTest extends CheckpointStorageTck {
    @Override
    protected BlobStore createBlobStore() {
        return S3MockServer.store();
    }

    @Override
    protected String newBaseLocation() {
        String base = S3MockServer.newBase("checkpoints");
        return base.substring(0, base.length() - 1);
    }
}
