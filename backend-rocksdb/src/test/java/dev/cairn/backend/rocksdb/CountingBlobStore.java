package dev.cairn.backend.rocksdb;

import dev.cairn.blob.BlobStore;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the calls made on a real {@link BlobStore}, by method name ({@code create}, {@code append},
 * {@code open}, {@code delete}, {@code deleteAll}, {@code list}, ...), and delegates every call to it. The
 * wrapper is a {@link Proxy} over every interface the real store's class implements, so the mix-ins
 * ({@code SupportsPrefixListing}, {@code SupportsBulkDelete}, {@code SupportsAbandonedWriteCleanup},
 * {@code SupportsAppend}) stay visible to {@code instanceof} checks exactly as on the real store, and a
 * mix-in it lacks stays absent.
 */
public final class CountingBlobStore {
    private final BlobStore real;
    private final BlobStore proxy;
    private final Map<String, LongAdder> calls = new ConcurrentHashMap<>();
    private final List<String> created = new CopyOnWriteArrayList<>();

    private CountingBlobStore(BlobStore real) {
        this.real = real;
        Set<Class<?>> interfaces = new LinkedHashSet<>();
        for (Class<?> c = real.getClass(); c != null; c = c.getSuperclass()) {
            collect(c, interfaces);
        }
        InvocationHandler handler = (p, method, args) -> {
            if (method.getDeclaringClass() == Object.class) {
                return switch (method.getName()) {
                    case "equals" -> p == args[0];
                    case "hashCode" -> System.identityHashCode(p);
                    case "toString" -> "Counting[" + real + "]";
                    default -> method.invoke(real, args);
                };
            }
            calls.computeIfAbsent(method.getName(), k -> new LongAdder()).increment();
            if (method.getName().equals("create") && args != null && args[0] instanceof String location) {
                created.add(location);
            }
            try {
                return method.invoke(real, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        this.proxy = (BlobStore) Proxy.newProxyInstance(BlobStore.class.getClassLoader(),
                interfaces.toArray(Class<?>[]::new), handler);
    }

    private static void collect(Class<?> c, Set<Class<?>> into) {
        for (Class<?> i : c.getInterfaces()) {
            if (into.add(i)) {
                collect(i, into);
            }
        }
    }

    /** A counting wrapper around {@code real}. */
    public static CountingBlobStore wrap(BlobStore real) {
        return new CountingBlobStore(real);
    }

    /** The store to hand to the checkpoint storage; implements every interface of the real one. */
    public BlobStore store() {
        return proxy;
    }

    public BlobStore real() {
        return real;
    }

    /** Calls of {@code method} so far. */
    public long count(String method) {
        LongAdder a = calls.get(method);
        return a == null ? 0 : a.sum();
    }

    /** The locations passed to {@code create} so far, in call order. */
    public List<String> created() {
        return List.copyOf(created);
    }

    /** All calls so far, by method name. */
    public Map<String, Long> snapshot() {
        Map<String, Long> s = new TreeMap<>();
        calls.forEach((k, v) -> s.put(k, v.sum()));
        return s;
    }

    /** {@code later - earlier}, per method, without zeros. */
    public static Map<String, Long> difference(Map<String, Long> later, Map<String, Long> earlier) {
        Map<String, Long> d = new TreeMap<>();
        later.forEach((k, v) -> {
            long n = v - earlier.getOrDefault(k, 0L);
            if (n != 0) {
                d.put(k, n);
            }
        });
        return d;
    }
}
