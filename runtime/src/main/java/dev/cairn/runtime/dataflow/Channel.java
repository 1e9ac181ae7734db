package dev.cairn.runtime.dataflow;

import dev.cairn.runtime.coordinator.CheckpointBarrier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The queue between one producer subtask and one consumer subtask. It holds records, barriers and
 * {@link ChannelEvent}s in order; only records count toward the capacity. A producer asks
 * {@link #hasCapacity()} before it processes the next input, so a slow consumer backpressures its
 * producers. A priority barrier (unaligned checkpoint) is inserted ahead of the queued records, and the
 * records it overtook are returned so the producer can persist them as channel state.
 */
final class Channel {
    private final int capacity;
    private final boolean unbounded;
    private final ArrayDeque<Object> queue = new ArrayDeque<>();
    private final Waker consumer;
    private final Waker producer;
    private int records;

    Channel(int capacity, boolean unbounded, Waker producer, Waker consumer) {
        this.capacity = capacity;
        this.unbounded = unbounded;
        this.producer = producer;
        this.consumer = consumer;
    }

    /** Appends a record or event; never blocks (callers check {@link #hasCapacity()} first). */
    void push(Object element) {
        synchronized (this) {
            queue.addLast(element);
            if (isRecord(element)) {
                records++;
            }
        }
        consumer.wake();
    }

    /**
     * Inserts {@code barrier} ahead of every queued record and event, behind barriers already at the head,
     * and returns the records it overtook, in order.
     */
    List<Object> pushPriority(CheckpointBarrier barrier) {
        List<Object> overtaken = new ArrayList<>();
        synchronized (this) {
            ArrayDeque<Object> leading = new ArrayDeque<>();
            while (!queue.isEmpty() && queue.peekFirst() instanceof CheckpointBarrier) {
                leading.addLast(queue.pollFirst());
            }
            for (Object o : queue) {
                if (isRecord(o)) {
                    overtaken.add(o);
                }
            }
            queue.addFirst(barrier);
            Iterator<Object> it = leading.descendingIterator();
            while (it.hasNext()) {
                queue.addFirst(it.next());
            }
        }
        consumer.wake();
        return overtaken;
    }

    synchronized Object poll() {
        Object o = queue.pollFirst();
        if (o != null && isRecord(o)) {
            records--;
            if (records == capacity - 1 || records == 0) {
                producer.wake();
            }
        }
        return o;
    }

    synchronized Object peek() {
        return queue.peekFirst();
    }

    synchronized boolean hasCapacity() {
        return unbounded || records < capacity;
    }

    synchronized int queuedRecords() {
        return records;
    }

    static boolean isRecord(Object o) {
        return !(o instanceof CheckpointBarrier) && !(o instanceof ChannelEvent);
    }
}
