package dev.cairn.state;

/** State that values are added to and read back as a combined result. */
public interface AppendingState<IN, OUT> extends State {
    /**
     * The combined result for the current key: for a list an iterable (empty when
     * nothing was added), for reducing and aggregating state {@code null} when nothing was added.
     */
    OUT get();

    /** Adds a value; {@code null} is rejected with a {@link NullPointerException}. */
    void add(IN value);
}
