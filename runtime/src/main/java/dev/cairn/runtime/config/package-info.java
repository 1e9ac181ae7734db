/** Checkpointing configuration: modes, retention and claim policies, and the validated {@code CheckpointConfig}. */
package dev.cairn.runtime.config;
