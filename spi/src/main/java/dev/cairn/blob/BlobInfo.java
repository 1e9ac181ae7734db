package dev.cairn.blob;

/** A committed blob's location and length in bytes. */
public record BlobInfo(String location, long length) {
}
