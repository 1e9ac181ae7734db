package dev.cairn.state;

import java.util.List;

/**
 * A list of values. As keyed state, one list per key; as operator state, one list per
 * operator subtask, redistributed on restore by split or union (see {@link RedistributionMode}).
 * {@link #get()} returns an unmodifiable view (empty when nothing was added); elements are never null.
 */
public interface ListState<T> extends AppendingState<T, Iterable<T>> {
    /** Replaces the list; an empty list clears it. A null list or element is rejected. */
    void update(List<T> values);

    /** Appends all values; an empty list changes nothing. A null list or element is rejected. */
    void addAll(List<T> values);
}
