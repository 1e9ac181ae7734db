/**
 * Blob stores on file systems: {@link dev.cairn.storage.fs.LocalBlobStore} serves {@code file://}
 * locations through java.nio with atomic, durable, create-only commits, and
 * {@link dev.cairn.storage.fs.HadoopBlobStore} serves any Hadoop-compatible file system
 * ({@code hdfs://}, {@code viewfs://}) with {@code hsync} and create-only renames.
 */
package dev.cairn.storage.fs;
