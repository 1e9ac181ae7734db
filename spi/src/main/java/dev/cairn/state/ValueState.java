package dev.cairn.state;

/** One value per key. */
public interface ValueState<T> extends State {
    /** The value for the current key, or {@code null} if none is set. */
    T value();

    /** Sets the value for the current key; {@code null} clears it. */
    void update(T value);
}
