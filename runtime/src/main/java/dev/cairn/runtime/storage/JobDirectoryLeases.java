package dev.cairn.runtime.storage;

import dev.cairn.blob.BlobInfo;
import dev.cairn.blob.BlobOutputStream;
import dev.cairn.blob.BlobStore;
import dev.cairn.blob.InputBlob;
import dev.cairn.blob.SupportsPrefixListing;
import dev.cairn.checkpoint.JobDirectoryHold;
import dev.cairn.checkpoint.JobLease;
import dev.cairn.error.BlobNotFoundException;
import dev.cairn.error.CorruptCheckpointException;
import dev.cairn.error.StorageException;
import dev.cairn.format.JobLeaseFormat;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The leases of a job directory: {@code <job>/_lease-<holder>-<sequence>}, small create-only blobs
 * ({@link JobLeaseFormat}). A hold writes sequence 1, renews every third of the ttl by creating the next
 * sequence and then deleting the previous ones, so a live holder always has a lease blob, and deletes its blobs
 * on release. The holders of this storage's open holds are known, so the directory's clean-ups keep their
 * blobs ({@link #isHeld}).
 */
final class JobDirectoryLeases {
    private static final int MAX_LEASE_READS = 5;
    static final String LEASE_PREFIX = "_lease-";
    private static final System.Logger LOG = System.getLogger(JobDirectoryLeases.class.getName());
    private static final int MAX_LEASE_SIZE = 4096;
    private static final int MAX_DESCRIPTION_CHARS = 300;
    private static final long RELEASE_WAIT_SECONDS = 10;

    private final BlobStore store;
    private final String jobDir;
    private final Duration ttl;
    private final Map<String, Hold> open = new ConcurrentHashMap<>();

    JobDirectoryLeases(BlobStore store, String jobDir, Duration ttl) {
        this.store = store;
        this.jobDir = jobDir;
        this.ttl = ttl;
    }

    /** Whether {@code location} is a lease blob of one of this storage's open holds. */
    boolean isHeld(String location) {
        String holder = holderOf(location);
        return holder != null && open.containsKey(holder);
    }

    /** Writes the first lease now and renews it until the returned hold is closed; a failed write is only logged. */
    JobDirectoryHold hold(String description) {
        String d = description.length() > MAX_DESCRIPTION_CHARS ? description.substring(0, MAX_DESCRIPTION_CHARS)
                : description;
        Hold hold = new Hold(UUID.randomUUID().toString(), d);
        open.put(hold.holder, hold);
        hold.renew();
        long period = Math.max(1, ttl.toMillis() / 3);
        hold.renewer.scheduleWithFixedDelay(hold::renew, period, period, TimeUnit.MILLISECONDS);
        return hold;
    }

    /** Releases every hold still open. */
    void releaseAll() {
        for (Hold hold : List.copyOf(open.values())) {
            hold.close();
        }
    }

    /** The newest sound lease per holder; a holder with only unreadable blobs is reported by its newest one. */
    List<JobLease> leases() {
        for (int attempt = 1; ; attempt++) {
            List<JobLease> leases = readLeases(attempt == MAX_LEASE_READS);
            if (leases != null) {
                return leases;
            }
        }
    }

    /**
     * The newest lease per holder from one listing, or {@code null} when a holder's every listed blob was
     * renewed away before it could be read (the holder is live; list again). On the {@code last} attempt such
     * a holder counts as renewed now, so a live holder is never missed.
     */
    private List<JobLease> readLeases(boolean last) {
        Map<String, TreeMap<Long, String>> byHolder = new TreeMap<>();
        for (BlobInfo info : list()) {
            String holder = holderOf(info.location());
            if (holder != null) {
                byHolder.computeIfAbsent(holder, h -> new TreeMap<>())
                        .put(sequenceOf(info.location()), info.location());
            }
        }
        List<JobLease> leases = new ArrayList<>();
        for (Map.Entry<String, TreeMap<Long, String>> e : byHolder.entrySet()) {
            JobLease unreadable = null;
            JobLease sound = null;
            for (String location : e.getValue().descendingMap().values()) {
                try {
                    sound = read(location);
                    break;
                } catch (BlobNotFoundException renewedMeanwhile) {
                    continue;
                } catch (RuntimeException damaged) {
                    if (unreadable == null) {
                        unreadable = new JobLease(e.getKey(), "unreadable lease " + location + ": "
                                + damaged.getMessage(), Instant.EPOCH, Duration.ZERO);
                    }
                }
            }
            if (sound == null && unreadable == null) {
                if (!last) {
                    return null;
                }
                sound = new JobLease(e.getKey(), "a holder whose lease " + e.getValue().lastEntry().getValue()
                        + " was renewed while being read", Instant.now(), ttl);
            }
            leases.add(sound != null ? sound : unreadable);
        }
        leases.sort(Comparator.comparing(JobLease::renewedAt).reversed().thenComparing(JobLease::holder));
        return leases;
    }

    private JobLease read(String location) {
        InputBlob blob = store.open(location);
        long length = blob.length();
        if (length > MAX_LEASE_SIZE) {
            throw new CorruptCheckpointException(location, "lease of " + length + " bytes exceeds " + MAX_LEASE_SIZE
                    + " bytes");
        }
        byte[] bytes = new byte[(int) length];
        blob.readFully(0, bytes, 0, bytes.length);
        return JobLeaseFormat.read(location, bytes);
    }

    /** The holder named by a lease blob's name, or null if {@code location} is no lease blob of this directory. */
    private String holderOf(String location) {
        if (!location.startsWith(jobDir + LEASE_PREFIX)) {
            return null;
        }
        String name = location.substring(jobDir.length() + LEASE_PREFIX.length());
        int dash = name.lastIndexOf('-');
        if (name.indexOf('/') >= 0 || dash <= 0 || sequenceOf(location) < 0) {
            return null;
        }
        return name.substring(0, dash);
    }

    private static long sequenceOf(String location) {
        String digits = location.substring(location.lastIndexOf('-') + 1);
        if (digits.isEmpty() || digits.length() > 18 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        return Long.parseLong(digits);
    }

    private List<BlobInfo> list() {
        if (!(store instanceof SupportsPrefixListing listing)) {
            throw new StorageException("cannot list the leases of job directory " + jobDir + ": the blob store "
                    + store.getClass().getName() + " does not implement "
                    + SupportsPrefixListing.class.getSimpleName());
        }
        List<BlobInfo> found = new ArrayList<>();
        for (BlobInfo info : listing.list(jobDir + LEASE_PREFIX)) {
            found.add(info);
        }
        return found;
    }

    /** One holder's lease: its renewer thread, the blobs it may have written and not yet deleted. */
    private final class Hold implements JobDirectoryHold {
        final String holder;
        final String description;
        final ScheduledExecutorService renewer;
        private final Set<String> written = new java.util.LinkedHashSet<>();
        private long sequence;
        private boolean closed;

        Hold(String holder, String description) {
            this.holder = holder;
            this.description = description;
            this.renewer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "cairn-lease-" + jobDir);
                t.setDaemon(true);
                return t;
            });
        }

        synchronized void renew() {
            if (closed) {
                return;
            }
            String location = jobDir + LEASE_PREFIX + holder + "-" + (++sequence);
            written.add(location);
            try {
                write(location, JobLeaseFormat.write(new JobLease(holder, description, Instant.now(), ttl)));
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "renewing the lease " + location + " failed; retrying in "
                        + Math.max(1, ttl.toMillis() / 3) + " ms", e);
                return;
            }
            RuntimeException failed = deleteAllBut(location);
            if (failed != null) {
                LOG.log(Level.WARNING, "deleting an earlier lease of " + location + " failed; trying again after"
                        + " the next renewal", failed);
            }
        }

        private void write(String location, byte[] bytes) {
            try (BlobOutputStream out = store.create(location)) {
                out.write(bytes);
                out.commit();
            }
        }

        /** Deletes this holder's blobs but {@code keep}; returns the last failure, those blobs stay in {@code written}. */
        private RuntimeException deleteAllBut(String keep) {
            RuntimeException failed = null;
            for (String location : List.copyOf(written)) {
                if (location.equals(keep)) {
                    continue;
                }
                try {
                    store.delete(location);
                    written.remove(location);
                } catch (BlobNotFoundException gone) {
                    written.remove(location);
                } catch (RuntimeException e) {
                    failed = e;
                }
            }
            return failed;
        }

        @Override
        public void close() {
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
            }
            renewer.shutdown();
            try {
                renewer.awaitTermination(RELEASE_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            synchronized (this) {
                RuntimeException failed = deleteAllBut(null);
                if (failed != null) {
                    LOG.log(Level.WARNING, "releasing the lease " + written + " failed; it goes stale " + ttl
                            + " after its last renewal", failed);
                }
            }
            open.remove(holder);
        }

        @Override
        public String toString() {
            return "JobDirectoryHold[" + jobDir + LEASE_PREFIX + holder + ", " + description + "]";
        }
    }
}
