/**
 * The blob SPI: the small interface ({@link dev.cairn.blob.BlobStore}) through which checkpoint
 * bytes reach a file system or object store, its optional abilities as {@code Supports…} mix-ins,
 * and provider discovery by URI scheme.
 */
package dev.cairn.blob;
