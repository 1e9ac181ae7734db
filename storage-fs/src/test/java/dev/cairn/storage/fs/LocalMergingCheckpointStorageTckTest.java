package dev.cairn.storage.fs;

import dev.cairn.filemerging.FileMergingOptions;
import dev.cairn.runtime.storage.FileCheckpointStorageOptions;

/**
 * Certifies file checkpoint storage on {@code file://} with file merging on, across checkpoint boundaries:
 * the same rules, with state streams written as segments of merged files.
 */
class LocalMergingCheckpointStorageTckTest extends LocalCheckpointStorageTckTest {
    @Override
    protected FileCheckpointStorageOptions options() {
        return FileCheckpointStorageOptions.builder().fileMerging(FileMergingOptions.builder().enabled(true)
                .acrossCheckpointBoundary(true).build()).build();
    }
}
