/**
 * Blob stores on file systems: {@link dev.cairn.storage.fs.LocalBlobStore} serves {@code file://}
 * locations through java.nio with atomic, durable, create-only commits.
 */
package dev.cairn.storage.fs;
