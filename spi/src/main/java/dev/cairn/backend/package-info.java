/**
 * The backend SPI: {@link dev.cairn.backend.StateBackend} creates keyed and operator state
 * stores for a subtask, snapshots them in a synchronous and an asynchronous phase, and restores
 * them from handles of any parallelism. Backends are found by name via
 * {@link dev.cairn.backend.StateBackendFactory}.
 */
package dev.cairn.backend;
