package dev.cairn.cli;

import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A place in a checkpoint's life where the crash test kills the demo: {@code --halt-at POINT:N} ends the
 * JVM with {@link Runtime#halt} (no shutdown hooks, no flushing, as {@code kill -9}) the {@code N}-th time
 * the point is reached. The point names follow the phases of RELIABILITY.md.
 */
enum KillPoint {
    /** The synchronous phase of a subtask's snapshot (its operator snapshot). */
    SYNC,
    /** In the middle of writing a state file: part of a write call's bytes reached the store. */
    UPLOAD,
    /** In the middle of appending a segment to a merged file (file merging across checkpoint boundaries). */
    APPEND,
    /** Every acknowledgement is in; the {@code _metadata} file is about to be created. */
    BEFORE_METADATA,
    /** The {@code _metadata} bytes are written, its commit has not happened. */
    METADATA_COMMIT,
    /** The {@code _metadata} commit returned; the tasks were not yet told the checkpoint completed. */
    AFTER_METADATA,
    /** A deletion: subsumption, discard of an aborted checkpoint, the claim of a restore, the end of the job. */
    DISCARD,
    /** The job-end record is committed; the ended job's checkpoints are not yet deleted. */
    JOB_ENDED,
    /** A state file is opened for reading: the restore of a resumed run. */
    RESTORE;

    /** The exit status of a halt, as a shell reports a process killed by SIGKILL. */
    static final int HALT_STATUS = 137;

    private static volatile KillPoint armed;
    private static volatile long countdown;
    private static final AtomicLong reached = new AtomicLong();

    /** Arms {@code spec} ({@code POINT} or {@code POINT:N}, N ≥ 1, point names in any case, '-' or '_'). */
    static void arm(String spec) {
        String[] parts = spec.split(":", 2);
        String name = parts[0].trim().toUpperCase(Locale.ROOT).replace('-', '_');
        KillPoint point;
        try {
            point = valueOf(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--halt-at: unknown point '" + parts[0] + "'; one of "
                    + Arrays.stream(values()).map(KillPoint::optionName).toList());
        }
        long n;
        try {
            n = parts.length == 2 ? Long.parseLong(parts[1].trim()) : 1;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--halt-at: '" + parts[1] + "' is not a count");
        }
        if (n < 1) {
            throw new IllegalArgumentException("--halt-at: the count must be at least 1, not " + n);
        }
        reached.set(0);
        countdown = n;
        armed = point;
    }

    /** Whether any point is armed. */
    static boolean anyArmed() {
        return armed != null;
    }

    String optionName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Halts the JVM if this point is armed and reached for the N-th time. */
    void reach() {
        if (armed == this && reached.incrementAndGet() == countdown) {
            Runtime.getRuntime().halt(HALT_STATUS);
        }
    }
}
