package dev.cairn.tck;

import dev.cairn.blob.BlobInfo;
import dev.cairn.blob.BlobOutputStream;
import dev.cairn.blob.BlobStore;
import dev.cairn.blob.InputBlob;
import dev.cairn.blob.SeekableInputStream;
import dev.cairn.blob.SupportsBulkDelete;
import dev.cairn.blob.SupportsPrefixListing;
import dev.cairn.error.StorageException;
import java.io.EOFException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A {@link BlobStore} wrapper that injects storage faults into any provider on demand: fail the
 * n-th request of a kind, stall a kind of request until released, or truncate or corrupt the
 * bytes that reads return. It lets tests show what checkpointing and restore do when real storage
 * misbehaves, without a mock of the provider's client.
 *
 * <p>Create it with {@link #wrap(BlobStore)}; the wrapper implements {@link SupportsPrefixListing}
 * and {@link SupportsBulkDelete} exactly when the delegate does, so capability checks by
 * {@code instanceof} see the same store. Request kinds are {@link Op}s; a location filter
 * ({@code Predicate<String>} on the location, or on the prefix for {@link Op#LIST}) narrows a fault
 * to some blobs. Injected failures are {@link InjectedFault}s (a {@link StorageException}), thrown
 * before the delegate is called, so a failed create, write or commit publishes nothing. Faults are
 * thread-safe and may be armed while requests run; {@link #clearFaults()} disarms all of them.
 */
public class FaultInjectingBlobStore implements BlobStore {

    /** The kinds of request a fault can target. */
    public enum Op {
        /** {@link BlobStore#create(String)}. */
        CREATE,
        /** Each {@code write} call on a stream from {@code create}. */
        WRITE,
        /** {@link BlobOutputStream#commit()}. */
        COMMIT,
        /** {@link BlobStore#open(String)} (and {@link BlobStore#exists(String)}, which opens). */
        OPEN,
        /** {@link InputBlob#newStream()} and {@link InputBlob#readFully}. */
        READ,
        /** {@link BlobStore#delete(String)}, and each location of {@link SupportsBulkDelete#deleteAll}. */
        DELETE,
        /** {@link SupportsPrefixListing#list(String)}. */
        LIST
    }

    /** The failure this wrapper throws; tests can tell it from a genuine storage error. */
    public static final class InjectedFault extends StorageException {
        public InjectedFault(String message) {
            super(message);
        }
    }

    private final BlobStore delegate;
    private final Map<Op, AtomicLong> requests = new EnumMap<>(Op.class);
    private final List<FailRule> failures = new CopyOnWriteArrayList<>();
    private final List<Stall> stalls = new CopyOnWriteArrayList<>();
    private final List<ReadDamage> damages = new CopyOnWriteArrayList<>();
    private final AtomicLong injected = new AtomicLong();

    private FaultInjectingBlobStore(BlobStore delegate) {
        this.delegate = delegate;
        for (Op op : Op.values()) {
            requests.put(op, new AtomicLong());
        }
    }

    /** Wraps {@code delegate}; the result has the delegate's listing and bulk-delete abilities. */
    public static FaultInjectingBlobStore wrap(BlobStore delegate) {
        boolean listing = delegate instanceof SupportsPrefixListing;
        boolean bulk = delegate instanceof SupportsBulkDelete;
        if (listing && bulk) {
            return new ListingAndBulk(delegate);
        }
        if (listing) {
            return new Listing(delegate);
        }
        if (bulk) {
            return new Bulk(delegate);
        }
        return new FaultInjectingBlobStore(delegate);
    }

    /** The wrapped store. */
    public BlobStore delegate() {
        return delegate;
    }

    // ---------------------------------------------------------------- arming faults

    /** Fails the {@code n}-th request of {@code op} (1-based, counted from now). */
    public FaultInjectingBlobStore failNth(Op op, int n) {
        return failNth(op, n, location -> true);
    }

    /** Fails the {@code n}-th request of {@code op} whose location matches {@code which}, counted from now. */
    public FaultInjectingBlobStore failNth(Op op, int n, Predicate<String> which) {
        failures.add(new FailRule(op, which, checkPositive(n), false));
        return this;
    }

    /** Fails the {@code n}-th and every later request of {@code op} whose location matches {@code which}. */
    public FaultInjectingBlobStore failFrom(Op op, int n, Predicate<String> which) {
        failures.add(new FailRule(op, which, checkPositive(n), true));
        return this;
    }

    /** Fails every request of {@code op} from now on, until {@link #clearFaults()}. */
    public FaultInjectingBlobStore failAlways(Op op) {
        return failFrom(op, 1, location -> true);
    }

    /**
     * Blocks every request of {@code op} whose location matches {@code which} until the returned
     * handle is released (or closed); the blocked thread stays interruptible.
     */
    public Stall stall(Op op, Predicate<String> which) {
        Stall s = new Stall(op, which);
        stalls.add(s);
        return s;
    }

    /** Blocks every request of {@code op} until the returned handle is released. */
    public Stall stall(Op op) {
        return stall(op, location -> true);
    }

    /**
     * Reads of blobs matching {@code which} end after {@code keepBytes} bytes, as if the blob were
     * shorter, while {@link InputBlob#length()} still reports the committed length.
     */
    public FaultInjectingBlobStore truncateReads(Predicate<String> which, long keepBytes) {
        if (keepBytes < 0) {
            throw new IllegalArgumentException("keepBytes must be >= 0, was " + keepBytes);
        }
        damages.add(new ReadDamage(which, keepBytes, -1));
        return this;
    }

    /**
     * Reads of blobs matching {@code which} return the byte at {@code byteOffset} with its lowest
     * bit flipped; an offset at or past the end of a blob changes nothing.
     */
    public FaultInjectingBlobStore corruptReads(Predicate<String> which, long byteOffset) {
        if (byteOffset < 0) {
            throw new IllegalArgumentException("byteOffset must be >= 0, was " + byteOffset);
        }
        damages.add(new ReadDamage(which, Long.MAX_VALUE, byteOffset));
        return this;
    }

    /** Reads of blobs matching {@code which} return the middle byte (offset {@code length / 2}) with a bit flipped. */
    public FaultInjectingBlobStore corruptReads(Predicate<String> which) {
        damages.add(new ReadDamage(which, Long.MAX_VALUE, ReadDamage.MIDDLE));
        return this;
    }

    /** Disarms every failure and read damage, and releases every stall. */
    public void clearFaults() {
        failures.clear();
        damages.clear();
        for (Stall s : stalls) {
            s.release();
        }
        stalls.clear();
    }

    /** Requests of {@code op} seen so far, including failed ones. */
    public long requests(Op op) {
        return requests.get(op).get();
    }

    /** Failures injected so far. */
    public long injectedFailures() {
        return injected.get();
    }

    // ---------------------------------------------------------------- BlobStore

    @Override
    public BlobOutputStream create(String location) {
        before(Op.CREATE, location);
        return new FaultyOutputStream(location, delegate.create(location));
    }

    @Override
    public InputBlob open(String location) {
        before(Op.OPEN, location);
        InputBlob blob = delegate.open(location);
        return new FaultyInputBlob(blob);
    }

    @Override
    public void delete(String location) {
        before(Op.DELETE, location);
        delegate.delete(location);
    }

    @Override
    public void close() {
        clearFaults();
        delegate.close();
    }

    Iterable<BlobInfo> doList(String prefix) {
        before(Op.LIST, prefix);
        return ((SupportsPrefixListing) delegate).list(prefix);
    }

    void doDeleteAll(Iterable<String> locations) {
        List<String> passed = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        for (String location : locations) {
            try {
                before(Op.DELETE, location);
                passed.add(location);
            } catch (InjectedFault e) {
                failed.add(location);
            }
        }
        StorageException rest = null;
        try {
            ((SupportsBulkDelete) delegate).deleteAll(passed);
        } catch (StorageException e) {
            rest = e;
        }
        if (!failed.isEmpty()) {
            InjectedFault fault = new InjectedFault("injected fault: bulk delete failed for " + failed);
            if (rest != null) {
                fault.addSuppressed(rest);
            }
            throw fault;
        }
        if (rest != null) {
            throw rest;
        }
    }

    private void before(Op op, String location) {
        long nr = requests.get(op).incrementAndGet();
        for (Stall s : stalls) {
            if (s.op == op && s.which.test(location)) {
                s.block(location);
            }
        }
        for (FailRule rule : failures) {
            if (rule.op == op && rule.which.test(location) && rule.fires()) {
                injected.incrementAndGet();
                throw new InjectedFault("injected fault: " + op + " request #" + nr + " on " + location);
            }
        }
    }

    private static int checkPositive(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("n is 1-based, was " + n);
        }
        return n;
    }

    // ---------------------------------------------------------------- fault records

    private static final class FailRule {
        final Op op;
        final Predicate<String> which;
        final long n;
        final boolean persistent;
        final AtomicLong seen = new AtomicLong();

        FailRule(Op op, Predicate<String> which, long n, boolean persistent) {
            this.op = op;
            this.which = which;
            this.n = n;
            this.persistent = persistent;
        }

        boolean fires() {
            long k = seen.incrementAndGet();
            return persistent ? k >= n : k == n;
        }
    }

    /** A stall armed by {@link #stall}: blocks matching requests until {@link #release()}. */
    public static final class Stall implements AutoCloseable {
        private final Op op;
        private final Predicate<String> which;
        private final CountDownLatch released = new CountDownLatch(1);
        private int blocked;

        Stall(Op op, Predicate<String> which) {
            this.op = op;
            this.which = which;
        }

        void block(String location) {
            synchronized (this) {
                blocked++;
                notifyAll();
            }
            try {
                released.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StorageException("interrupted while " + op + " on " + location + " was stalled", e);
            }
        }

        /** How many requests have reached this stall so far (blocked now or released). */
        public synchronized int blockedCount() {
            return blocked;
        }

        /** Waits until at least {@code count} requests have reached the stall; false on timeout. */
        public synchronized boolean awaitBlocked(int count, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (blocked < count) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return true;
        }

        /** Lets blocked and future matching requests proceed. */
        public void release() {
            released.countDown();
        }

        @Override
        public void close() {
            release();
        }
    }

    private static final class ReadDamage {
        static final long MIDDLE = -2;
        final Predicate<String> which;
        final long keepBytes;
        final long flipOffset;

        ReadDamage(Predicate<String> which, long keepBytes, long flipOffset) {
            this.which = which;
            this.keepBytes = keepBytes;
            this.flipOffset = flipOffset;
        }
    }

    // ---------------------------------------------------------------- wrapped streams

    private final class FaultyOutputStream extends BlobOutputStream {
        private final String location;
        private final BlobOutputStream out;

        FaultyOutputStream(String location, BlobOutputStream out) {
            this.location = location;
            this.out = out;
        }

        @Override
        public void write(int b) {
            before(Op.WRITE, location);
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            before(Op.WRITE, location);
            out.write(b, off, len);
        }

        @Override
        public long position() {
            return out.position();
        }

        @Override
        public BlobInfo commit() {
            try {
                before(Op.COMMIT, location);
            } catch (StorageException e) {
                out.close();
                throw e;
            }
            return out.commit();
        }

        @Override
        public void close() {
            out.close();
        }
    }

    /** The damage that applies to one blob at the time it is read: a read limit and flipped offsets. */
    private record Damage(long limit, long[] flips) {
        boolean none() {
            return limit == Long.MAX_VALUE && flips.length == 0;
        }

        void apply(long position, byte[] b, int off, int n) {
            for (long f : flips) {
                if (f >= position && f < position + n) {
                    b[off + (int) (f - position)] ^= 1;
                }
            }
        }
    }

    private final class FaultyInputBlob implements InputBlob {
        private final InputBlob blob;

        FaultyInputBlob(InputBlob blob) {
            this.blob = blob;
        }

        private Damage damage() {
            long limit = Long.MAX_VALUE;
            List<Long> flips = new ArrayList<>();
            for (ReadDamage d : damages) {
                if (d.which.test(blob.location())) {
                    limit = Math.min(limit, d.keepBytes);
                    if (d.flipOffset == ReadDamage.MIDDLE) {
                        flips.add(blob.length() / 2);
                    } else if (d.flipOffset >= 0) {
                        flips.add(d.flipOffset);
                    }
                }
            }
            return new Damage(limit, flips.stream().mapToLong(Long::longValue).toArray());
        }

        @Override
        public String location() {
            return blob.location();
        }

        @Override
        public long length() {
            return blob.length();
        }

        @Override
        public SeekableInputStream newStream() {
            before(Op.READ, blob.location());
            Damage damage = damage();
            SeekableInputStream in = blob.newStream();
            return damage.none() ? in : new DamagingStream(in, damage);
        }

        @Override
        public void readFully(long position, byte[] buffer, int offset, int length) {
            before(Op.READ, blob.location());
            Damage damage = damage();
            if (position + length > damage.limit) {
                throw new StorageException(blob.location() + ": unexpected end of data after "
                        + damage.limit + " bytes", new EOFException());
            }
            blob.readFully(position, buffer, offset, length);
            damage.apply(position, buffer, offset, length);
        }
    }

    private static final class DamagingStream extends SeekableInputStream {
        private final SeekableInputStream in;
        private final Damage damage;

        DamagingStream(SeekableInputStream in, Damage damage) {
            this.in = in;
            this.damage = damage;
        }

        @Override
        public long position() {
            return in.position();
        }

        @Override
        public void seek(long position) {
            in.seek(position);
        }

        @Override
        public int read() {
            long pos = in.position();
            if (pos >= damage.limit) {
                return -1;
            }
            int b = in.read();
            if (b >= 0) {
                for (long f : damage.flips) {
                    if (f == pos) {
                        b ^= 1;
                    }
                }
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (len == 0) {
                return 0;
            }
            long pos = in.position();
            if (pos >= damage.limit) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, damage.limit - pos));
            if (n > 0) {
                damage.apply(pos, b, off, n);
            }
            return n;
        }

        @Override
        public int available() {
            try {
                return (int) Math.max(0, Math.min(in.available(), damage.limit - in.position()));
            } catch (java.io.IOException e) {
                return 0;
            }
        }

        @Override
        public void close() {
            in.close();
        }
    }

    // ---------------------------------------------------------------- capability variants

    private static final class Listing extends FaultInjectingBlobStore implements SupportsPrefixListing {
        Listing(BlobStore delegate) {
            super(delegate);
        }

        @Override
        public Iterable<BlobInfo> list(String prefix) {
            return doList(prefix);
        }
    }

    private static final class Bulk extends FaultInjectingBlobStore implements SupportsBulkDelete {
        Bulk(BlobStore delegate) {
            super(delegate);
        }

        @Override
        public void deleteAll(Iterable<String> locations) {
            doDeleteAll(locations);
        }
    }

    private static final class ListingAndBulk extends FaultInjectingBlobStore
            implements SupportsPrefixListing, SupportsBulkDelete {
        ListingAndBulk(BlobStore delegate) {
            super(delegate);
        }

        @Override
        public Iterable<BlobInfo> list(String prefix) {
            return doList(prefix);
        }

        @Override
        public void deleteAll(Iterable<String> locations) {
            doDeleteAll(locations);
        }
    }
}
