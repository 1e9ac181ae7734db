/**
 * The checkpoint-storage SPI: state handles (where snapshot bytes live), the stream factory
 * backends write to with explicit commits, checkpoint locations, and the metadata model.
 */
package dev.cairn.checkpoint;
