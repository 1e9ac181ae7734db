package dev.cairn.runtime.dataflow;

import dev.cairn.runtime.coordinator.SubtaskId;
import java.util.Arrays;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fails tasks on purpose, for tests and the demo: it is asked before every record a task processes (or a
 * source emits) and fails the task by throwing {@link InjectedFailureException}.
 */
@FunctionalInterface
public interface FailureInjector {
    /**
     * Called on the task thread before a record.
     *
     * @param subtask the task
     * @param count   records this task handled in the current attempt, including this one
     * @param attempt the execution attempt, 0 for the first
     */
    void beforeRecord(SubtaskId subtask, long count, int attempt);

    /** Never fails. */
    static FailureInjector none() {
        return (subtask, count, attempt) -> {
        };
    }

    /** Fails {@code subtask} once, when it reaches {@code count} records in an attempt. */
    static Counting failOnceAt(SubtaskId subtask, long count) {
        Objects.requireNonNull(subtask, "subtask");
        AtomicBoolean done = new AtomicBoolean();
        return new Counting() {
            @Override
            public void beforeRecord(SubtaskId s, long c, int attempt) {
                if (s.equals(subtask) && c == count && done.compareAndSet(false, true)) {
                    injected.incrementAndGet();
                    throw new InjectedFailureException("injected failure of " + s + " at record " + c);
                }
            }
        };
    }

    /**
     * Injects {@code failures} failures at moments drawn from {@code seed}: the i-th fails whichever task
     * handles the job's {@code t_i}-th record (counted over all tasks and attempts), with the thresholds
     * spread over {@code [horizon/10, 9*horizon/10]}. The thresholds are deterministic; which task hits them
     * depends on scheduling.
     */
    static Counting random(long seed, int failures, long horizon) {
        if (failures < 0 || horizon < 10) {
            throw new IllegalArgumentException("need failures >= 0 and horizon >= 10, got " + failures + ", "
                    + horizon);
        }
        Random random = new Random(seed);
        long[] thresholds = new long[failures];
        for (int i = 0; i < failures; i++) {
            thresholds[i] = horizon / 10 + (long) (random.nextDouble() * (horizon * 8 / 10));
        }
        Arrays.sort(thresholds);
        AtomicLong seen = new AtomicLong();
        AtomicInteger next = new AtomicInteger();
        return new Counting() {
            @Override
            public void beforeRecord(SubtaskId s, long c, int attempt) {
                long n = seen.incrementAndGet();
                int i = next.get();
                if (i < thresholds.length && n >= thresholds[i] && next.compareAndSet(i, i + 1)) {
                    injected.incrementAndGet();
                    throw new InjectedFailureException("injected failure " + (i + 1) + "/" + thresholds.length
                            + " of " + s + " at the job's record " + n);
                }
            }
        };
    }

    /** An injector that counts the failures it injected. */
    abstract class Counting implements FailureInjector {
        protected final AtomicInteger injected = new AtomicInteger();

        /** Failures injected so far. */
        public int injected() {
            return injected.get();
        }
    }
}
