package dev.cairn.state;

/** A piece of state, scoped to the current key (keyed state) or to the operator (operator state). */
public interface State {
    /** Removes the value for the current scope. */
    void clear();
}
