package dev.cairn.runtime.dataflow;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/** Wakes a task thread that waits for input, output space or mail; a wake-up is never lost. */
final class Waker {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition condition = lock.newCondition();
    private boolean signaled;

    void wake() {
        lock.lock();
        try {
            signaled = true;
            condition.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until woken or {@code nanos} passed; returns at once if a wake-up came since the last wait. */
    void await(long nanos) throws InterruptedException {
        lock.lock();
        try {
            long left = nanos;
            while (!signaled && left > 0) {
                left = condition.awaitNanos(left);
            }
            signaled = false;
        } finally {
            lock.unlock();
        }
    }

    void await(long time, TimeUnit unit) throws InterruptedException {
        await(unit.toNanos(time));
    }
}
