package dev.cairn.filemerging;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The physical files one pool key (a subtask's shared state, or a group of subtasks' exclusive
 * state) hands to the writers of one checkpoint, one writer per file at a time. When none is free,
 * a {@linkplain #nonBlocking() non-blocking} pool lets the writer open another file at once, and a
 * {@linkplain #blocking(int) blocking} pool makes it wait until a writer returns one, so at most
 * {@code bound} files are open at once. Not thread-safe: the {@link FileMergingManager}'s lock guards it.
 */
final class PhysicalFilePool {
    private final int bound;
    private final Deque<PhysicalFile> free = new ArrayDeque<>();
    private int open;
    private int maxOpen;

    private PhysicalFilePool(int bound) {
        this.bound = bound;
    }

    static PhysicalFilePool nonBlocking() {
        return new PhysicalFilePool(Integer.MAX_VALUE);
    }

    static PhysicalFilePool blocking(int bound) {
        if (bound < 1) {
            throw new IllegalArgumentException("bound " + bound);
        }
        return new PhysicalFilePool(bound);
    }

    boolean isBlocking() {
        return bound != Integer.MAX_VALUE;
    }

    /** A free file for a writer, or null. */
    PhysicalFile pollFree() {
        return free.pollFirst();
    }

    /** Whether a writer may open one more file now. */
    boolean hasRoom() {
        return open < bound;
    }

    /** A writer opens a new file (or reopens a committed one to append). */
    void opened() {
        open++;
        maxOpen = Math.max(maxOpen, open);
    }

    /** A writer gives its file back; it stays open for the next writer. */
    void returned(PhysicalFile file) {
        free.addFirst(file);
    }

    /** An open file was committed or aborted, or a writer failed to open one: there is room again. */
    void closed(PhysicalFile file) {
        free.remove(file);
        open--;
    }

    Iterable<PhysicalFile> freeFiles() {
        return free;
    }

    int openFiles() {
        return open;
    }

    /** The most files this pool ever had open at once. */
    int maxOpenFiles() {
        return maxOpen;
    }
}
