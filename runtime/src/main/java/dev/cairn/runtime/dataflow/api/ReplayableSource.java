package dev.cairn.runtime.dataflow.api;

/**
 * A source that can be read again from any offset: its data is divided into a fixed number of splits
 * and the record at ({@code split}, {@code offset}) never changes. The runtime keeps the next offset of
 * every split as operator state, so a restore resumes exactly after the last checkpointed record, also
 * when the splits are redistributed over another number of subtasks.
 *
 * @param <T> the records it produces; never {@code null}
 */
public interface ReplayableSource<T> {
    /** The number of splits; at least 1 and the same on every call. */
    int splits();

    /**
     * The record at {@code offset} of {@code split}, or {@code null} once the split has ended (a bounded
     * split never produces records after that). Called only from one task thread per split.
     */
    T read(int split, long offset);
}
