/**
 * The {@code gs://} blob provider on Google Cloud Storage: resumable uploads, create-only
 * commits with a does-not-exist precondition, CRC32C checks on upload and download.
 */
package dev.cairn.storage.gcs;
