package dev.cairn.backend.memory;

import dev.cairn.serialization.SerializerSnapshot;
import dev.cairn.serialization.TypeSerializer;
import dev.cairn.state.RedistributionMode;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * One operator state's container (a list or a map) with copy-on-write: a snapshot pins the
 * current container and the next write replaces it with a copy.
 *
 * @param <C> the container type
 * @param <E> what one snapshot element is: a list element, or the whole map for broadcast state
 */
final class OperatorStateCell<C, E> {
    final String name;
    final RedistributionMode mode;
    final TypeSerializer<E> elementSerializer;
    final SerializerSnapshot serializerSnapshot;
    private final UnaryOperator<C> copy;
    private Holder<C> holder;

    OperatorStateCell(String name, RedistributionMode mode, TypeSerializer<E> elementSerializer, C initial,
            UnaryOperator<C> copy) {
        this.name = name;
        this.mode = mode;
        this.elementSerializer = elementSerializer;
        this.serializerSnapshot = elementSerializer.snapshot();
        this.copy = copy;
        this.holder = new Holder<>(initial);
    }

    C read() {
        return holder.value;
    }

    C write() {
        if (holder.pins.get() > 0) {
            holder = new Holder<>(copy.apply(holder.value));
        }
        return holder.value;
    }

    /** Pins the current container; the returned runnable unpins it once. */
    Pin<C> pin() {
        Holder<C> h = holder;
        h.pins.incrementAndGet();
        return new Pin<>(h);
    }

    private static final class Holder<C> {
        final C value;
        final AtomicInteger pins = new AtomicInteger();

        Holder(C value) {
            this.value = value;
        }
    }

    /** A pinned container. */
    static final class Pin<C> {
        private final Holder<C> holder;
        private boolean released;

        Pin(Holder<C> holder) {
            this.holder = holder;
        }

        C value() {
            return holder.value;
        }

        synchronized void release() {
            if (!released) {
                released = true;
                holder.pins.decrementAndGet();
            }
        }
    }
}
