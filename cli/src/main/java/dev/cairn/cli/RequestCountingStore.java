package dev.cairn.cli;

import dev.cairn.blob.BlobStore;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the requests checkpoint storage makes of its blob store: each call of {@link BlobStore} or of
 * one of its {@code Supports…} mix-ins ({@code create}, {@code append}, {@code open}, {@code exists},
 * {@code delete}, {@code deleteAll}, {@code list}, {@code removeAbandonedWrites}) counts once, whatever
 * the store does underneath; {@code close} counts none. The counting store is a proxy implementing
 * exactly the {@code dev.cairn.blob} interfaces of the store it wraps, so capability checks such as
 * {@code instanceof SupportsAppend} give the same answer through it.
 */
final class RequestCountingStore {
    private final AtomicLong requests = new AtomicLong();
    private volatile BlobStore wrapped;

    /** {@code store} behind a counting proxy; one counter wraps one store. */
    BlobStore wrap(BlobStore store) {
        if (wrapped != null) {
            throw new IllegalStateException("already counting the requests of " + wrapped);
        }
        wrapped = store;
        Class<?>[] interfaces = blobInterfaces(store.getClass()).toArray(Class<?>[]::new);
        return (BlobStore) Proxy.newProxyInstance(BlobStore.class.getClassLoader(), interfaces, new Counting(store));
    }

    /** Requests made so far. */
    long requests() {
        return requests.get();
    }

    /** The store behind the proxy; null before {@link #wrap}. */
    BlobStore wrapped() {
        return wrapped;
    }

    private static Set<Class<?>> blobInterfaces(Class<?> type) {
        Set<Class<?>> found = new LinkedHashSet<>();
        found.add(BlobStore.class);
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            collect(c.getInterfaces(), found);
        }
        return found;
    }

    private static void collect(Class<?>[] interfaces, Set<Class<?>> into) {
        for (Class<?> i : interfaces) {
            if (i.getPackageName().equals(BlobStore.class.getPackageName())) {
                into.add(i);
            }
            collect(i.getInterfaces(), into);
        }
    }

    private final class Counting implements InvocationHandler {
        private final BlobStore store;

        Counting(BlobStore store) {
            this.store = store;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            if (method.getDeclaringClass() == Object.class) {
                return switch (method.getName()) {
                    case "equals" -> proxy == args[0];
                    case "hashCode" -> System.identityHashCode(proxy);
                    default -> "counting " + store;
                };
            }
            if (!method.getName().equals("close")) {
                requests.incrementAndGet();
            }
            try {
                return method.invoke(store, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }
    }
}
