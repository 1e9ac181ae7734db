package dev.cairn.storage.s3;

import dev.cairn.filemerging.FileMergingOptions;
import dev.cairn.runtime.storage.FileCheckpointStorageOptions;

/** Certifies file checkpoint storage on {@code s3://} (S3Proxy) with file merging on (within checkpoints: S3 cannot append). */
class S3ProxyMergingCheckpointStorageTckTest extends S3ProxyCheckpointStorageTckTest {
    @Override
    protected FileCheckpointStorageOptions options() {
        return FileCheckpointStorageOptions.builder().fileMerging(FileMergingOptions.builder().enabled(true)
                .acrossCheckpointBoundary(false).build()).build();
    }
}
