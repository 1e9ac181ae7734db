package dev.cairn.keygroup;

import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * An inclusive range of key groups {@code [start, end]}; the unit of state a subtask owns.
 * The empty range has no key groups and is {@link #EMPTY}.
 */
public record KeyGroupRange(int start, int end) implements Iterable<Integer> {
    public static final KeyGroupRange EMPTY = new KeyGroupRange(0, -1);

    public KeyGroupRange {
        if (start < 0 || end < start - 1 || (end == start - 1 && start != 0)) {
            throw new IllegalArgumentException("invalid key-group range [" + start + ", " + end + "]");
        }
    }

    public static KeyGroupRange of(int start, int end) {
        return new KeyGroupRange(start, end);
    }

    public int size() {
        return end - start + 1;
    }

    public boolean isEmpty() {
        return size() == 0;
    }

    public boolean contains(int keyGroup) {
        return keyGroup >= start && keyGroup <= end;
    }

    /** The key groups in both ranges, possibly {@link #EMPTY}. */
    public KeyGroupRange intersection(KeyGroupRange other) {
        int s = Math.max(start, other.start);
        int e = Math.min(end, other.end);
        return s <= e ? new KeyGroupRange(s, e) : EMPTY;
    }

    @Override
    public Iterator<Integer> iterator() {
        return new Iterator<>() {
            private int next = start;

            @Override
            public boolean hasNext() {
                return next <= end;
            }

            @Override
            public Integer next() {
                if (next > end) {
                    throw new NoSuchElementException();
                }
                return next++;
            }
        };
    }

    @Override
    public String toString() {
        return isEmpty() ? "KeyGroupRange[]" : "KeyGroupRange[" + start + ".." + end + "]";
    }
}
