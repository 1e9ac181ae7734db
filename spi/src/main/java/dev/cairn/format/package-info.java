/**
 * Cairn's binary formats: the checksummed {@link dev.cairn.format.Envelope} (magic, version,
 * CRC32C), a reader that validates every length against the bytes present, and the metadata and
 * snapshot formats built on them. No Java serialization is used anywhere.
 */
package dev.cairn.format;
