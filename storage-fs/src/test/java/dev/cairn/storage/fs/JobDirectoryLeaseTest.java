package dev.cairn.storage.fs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.blob.BlobInfo;
import dev.cairn.blob.BlobOutputStream;
import dev.cairn.checkpoint.CheckpointStorageLocation;
import dev.cairn.checkpoint.CheckpointedStateScope;
import dev.cairn.checkpoint.CheckpointMetadata;
import dev.cairn.checkpoint.CompletedCheckpoint;
import dev.cairn.checkpoint.JobDirectoryHold;
import dev.cairn.checkpoint.JobLease;
import dev.cairn.checkpoint.OperatorSnapshot;
import dev.cairn.checkpoint.OperatorStateHandle;
import dev.cairn.checkpoint.SubtaskSnapshot;
import dev.cairn.state.RedistributionMode;
import dev.cairn.checkpoint.StreamStateHandle;
import dev.cairn.format.JobLeaseFormat;
import dev.cairn.runtime.storage.FileCheckpointStorage;
import dev.cairn.runtime.storage.FileCheckpointStorageOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lease of {@link FileCheckpointStorage#holdJobDirectory} on {@code file://}: renewal, release, damage, clean-ups. */
class JobDirectoryLeaseTest {
    private static final String JOB = "job-lease";
    private static final String DESCRIPTION = "cairn job job-lease on test-host pid 42";

    @TempDir
    Path dir;
    private final LocalBlobStore store = new LocalBlobStore();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private String base;

    @BeforeEach
    void setUp() {
        base = LocalBlobStore.toLocation(dir.toAbsolutePath()) + "/checkpoints";
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
        store.close();
    }

    private FileCheckpointStorage storage(Duration ttl) {
        FileCheckpointStorage s = new FileCheckpointStorage(store, base, JOB,
                FileCheckpointStorageOptions.builder().inlineThreshold(1).leaseTtl(ttl).build());
        closeables.add(s);
        return s;
    }

    private List<String> jobFiles(FileCheckpointStorage s) {
        List<String> names = new ArrayList<>();
        for (BlobInfo info : store.list(s.jobLocation())) {
            names.add(info.location().substring(s.jobLocation().length()));
        }
        return names;
    }

    private List<String> leaseFiles(FileCheckpointStorage s, String holder) {
        return jobFiles(s).stream().filter(n -> n.startsWith("_lease-" + holder + "-")).toList();
    }

    private void put(String location, byte[] bytes) {
        try (BlobOutputStream out = store.create(location)) {
            out.write(bytes);
            out.commit();
        }
    }

    /** A lease another process wrote and never released, as a {@code kill -9} leaves it: fresh, never renewed. */
    private String foreignLease(FileCheckpointStorage s) {
        String holder = UUID.randomUUID().toString();
        put(s.jobLocation() + "_lease-" + holder + "-7", JobLeaseFormat.write(new JobLease(holder,
                "cairn job job-lease on other-host pid 7", Instant.now(), Duration.ofMinutes(1))));
        return holder;
    }

    private CompletedCheckpoint checkpoint(FileCheckpointStorage s, long id) {
        CheckpointStorageLocation loc = s.initializeLocation(id);
        StreamStateHandle handle;
        try (var out = loc.createOutputStream(CheckpointedStateScope.EXCLUSIVE)) {
            out.write(("state " + id).getBytes(StandardCharsets.UTF_8));
            handle = out.commit();
        }
        OperatorStateHandle state = new OperatorStateHandle(Map.of("offsets",
                new OperatorStateHandle.StateMetaInfo(RedistributionMode.SPLIT, new long[] {0})), handle);
        return loc.finalizeCheckpoint(new CheckpointMetadata(id, 1000 + id, List.of(new OperatorSnapshot("op", 1, 2,
                List.of(new SubtaskSnapshot(0, List.of(), List.of(state), false))))));
    }

    @Test
    void aHoldShowsALiveLeaseAndReleaseDeletesIt() {
        FileCheckpointStorage s = storage(Duration.ofSeconds(60));
        assertThat(s.leases()).isEmpty();
        Instant before = Instant.now().minusMillis(1);
        JobDirectoryHold hold = s.holdJobDirectory(DESCRIPTION);

        JobLease lease = s.leases().get(0);
        assertThat(s.leases()).hasSize(1);
        assertThat(lease.description()).isEqualTo(DESCRIPTION);
        assertThat(lease.ttl()).isEqualTo(Duration.ofSeconds(60));
        assertThat(lease.renewedAt()).isAfter(before);
        assertThat(lease.liveAt(Instant.now())).isTrue();
        assertThat(lease.liveAt(lease.renewedAt().plusSeconds(60))).isFalse();
        assertThat(jobFiles(s)).containsExactly("_lease-" + lease.holder() + "-1");
        assertThat(s.scan().completed()).isEmpty();
        assertThat(s.highestCheckpointId()).isZero();

        hold.close();
        assertThat(s.leases()).isEmpty();
        assertThat(jobFiles(s)).isEmpty();
        hold.close();
        assertThat(jobFiles(s)).isEmpty();
    }

    @Test
    void renewalMovesTheLeaseForwardAndLeavesAtMostTwoBlobsPerHolder() throws InterruptedException {
        FileCheckpointStorage s = storage(Duration.ofMillis(150));
        try (JobDirectoryHold hold = s.holdJobDirectory(DESCRIPTION)) {
            JobLease first = s.leases().get(0);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            JobLease latest = first;
            int samples = 0;
            while (System.nanoTime() < deadline && (samples < 20 || !latest.renewedAt().isAfter(first.renewedAt()))) {
                assertThat(leaseFiles(s, first.holder()).size()).as("lease blobs of one holder").isBetween(1, 2);
                List<JobLease> leases = s.leases();
                assertThat(leases).hasSize(1);
                latest = leases.get(0);
                assertThat(latest.holder()).isEqualTo(first.holder());
                assertThat(latest.liveAt(Instant.now())).as("renewed every ttl/3").isTrue();
                samples++;
                Thread.sleep(20);
            }
            assertThat(latest.renewedAt()).isAfter(first.renewedAt());
            assertThat(leaseFiles(s, first.holder())).allSatisfy(n -> assertThat(n).doesNotEndWith("-1"));
        }
        assertThat(jobFiles(s)).isEmpty();
    }

    @Test
    void aDamagedLeaseIsReportedNotThrown() {
        FileCheckpointStorage s = storage(Duration.ofSeconds(60));
        String holder = UUID.randomUUID().toString();
        String location = s.jobLocation() + "_lease-" + holder + "-3";
        byte[] sound = JobLeaseFormat.write(new JobLease(holder, DESCRIPTION, Instant.now(), Duration.ofMinutes(1)));
        sound[sound.length - 1] ^= 1;
        put(location, sound);
        put(s.jobLocation() + "_lease-" + UUID.randomUUID() + "-1", new byte[] {1, 2, 3});

        List<JobLease> leases = s.leases();
        assertThat(leases).hasSize(2).allSatisfy(l -> {
            assertThat(l.renewedAt()).isEqualTo(Instant.EPOCH);
            assertThat(l.liveAt(Instant.now())).isFalse();
            assertThat(l.description()).startsWith("unreadable lease " + s.jobLocation() + "_lease-");
        });
        assertThat(leases).anySatisfy(l -> {
            assertThat(l.holder()).isEqualTo(holder);
            assertThat(l.description()).contains(location).contains("checksum mismatch");
        });
    }

    @Test
    void theNewestSoundLeaseOfAHolderWins() {
        FileCheckpointStorage s = storage(Duration.ofSeconds(60));
        String holder = UUID.randomUUID().toString();
        Instant renewed = Instant.ofEpochMilli(System.currentTimeMillis());
        put(s.jobLocation() + "_lease-" + holder + "-4", JobLeaseFormat.write(new JobLease(holder, DESCRIPTION,
                renewed.minusSeconds(20), Duration.ofMinutes(1))));
        put(s.jobLocation() + "_lease-" + holder + "-5", JobLeaseFormat.write(new JobLease(holder, DESCRIPTION,
                renewed, Duration.ofMinutes(1))));
        assertThat(s.leases()).singleElement().satisfies(l -> assertThat(l.renewedAt()).isEqualTo(renewed));
    }

    @Test
    void theClaimKeepsTheOwnLeaseAndDeletesOtherHolders() {
        FileCheckpointStorage s = storage(Duration.ofSeconds(60));
        CompletedCheckpoint one = checkpoint(s, 1);
        checkpoint(s, 2);
        String killed = foreignLease(s);
        try (JobDirectoryHold hold = s.holdJobDirectory(DESCRIPTION)) {
            String own = s.leases().stream().filter(l -> !l.holder().equals(killed)).findFirst().orElseThrow().holder();
            assertThat(s.leases()).hasSize(2);
            assertThat(s.highestCheckpointId()).isEqualTo(2);

            List<String> deleted = s.removeUnreferenced(List.of(one));
            assertThat(deleted).contains(s.jobLocation() + "_lease-" + killed + "-7");
            assertThat(s.leases()).singleElement().satisfies(l -> assertThat(l.holder()).isEqualTo(own));
            assertThat(s.scan().completed()).extracting(CompletedCheckpoint::checkpointId).containsExactly(1L);
        }
    }

    @Test
    void discardJobKeepsTheOwnLeaseOnly() {
        FileCheckpointStorage s = storage(Duration.ofSeconds(60));
        checkpoint(s, 1);
        foreignLease(s);
        try (JobDirectoryHold hold = s.holdJobDirectory(DESCRIPTION)) {
            s.discardJob();
            assertThat(jobFiles(s)).singleElement().satisfies(n -> assertThat(n).startsWith("_lease-"));
            assertThat(s.leases()).singleElement().satisfies(l -> assertThat(l.description()).isEqualTo(DESCRIPTION));
        }
        assertThat(jobFiles(s)).isEmpty();
        s.discardJob();
    }

    @Test
    void closingTheStorageReleasesItsHolds() {
        FileCheckpointStorage s = storage(Duration.ofSeconds(60));
        s.holdJobDirectory(DESCRIPTION);
        s.holdJobDirectory("another holder in the same process");
        assertThat(s.leases()).hasSize(2);
        s.close();
        assertThat(jobFiles(s)).isEmpty();
    }
}
