package dev.cairn.state;

/** How operator state is handed to subtasks when a job restores, possibly at another parallelism. */
public enum RedistributionMode {
    /** The elements of all old subtasks are divided among the new subtasks; each element goes to one. */
    SPLIT,
    /** Every new subtask receives the elements of all old subtasks. */
    UNION,
    /** Every new subtask receives the map of one old subtask (they are all equal). */
    BROADCAST
}
