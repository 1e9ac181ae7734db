/**
 * The shared-state registry: reference counts of the files that incremental checkpoints share,
 * so that a shared file is deleted exactly when no retained checkpoint refers to it any more.
 */
package dev.cairn.runtime.sharedstate;
