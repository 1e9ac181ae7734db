package dev.cairn.storage.fs;

import dev.cairn.filemerging.FileMergingOptions;
import dev.cairn.runtime.storage.FileCheckpointStorageOptions;

/** Certifies file checkpoint storage on {@code hdfs://} with file merging on, across checkpoint boundaries. */
class HdfsMergingCheckpointStorageTckTest extends HdfsCheckpointStorageTckTest {
    @Override
    protected FileCheckpointStorageOptions options() {
        return FileCheckpointStorageOptions.builder().fileMerging(FileMergingOptions.builder().enabled(true)
                .acrossCheckpointBoundary(true).build()).build();
    }
}
