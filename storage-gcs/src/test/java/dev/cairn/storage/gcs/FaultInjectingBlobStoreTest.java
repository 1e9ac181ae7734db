package dev.cairn.storage.gcs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.cloud.storage.contrib.nio.testing.LocalStorageHelper;
import dev.cairn.blob.BlobOutputStream;
import dev.cairn.blob.BlobStore;
import dev.cairn.blob.InputBlob;
import dev.cairn.blob.SeekableInputStream;
import dev.cairn.blob.SupportsBulkDelete;
import dev.cairn.blob.SupportsPrefixListing;
import dev.cairn.error.StorageException;
import dev.cairn.tck.FaultInjectingBlobStore;
import dev.cairn.tck.FaultInjectingBlobStore.InjectedFault;
import dev.cairn.tck.FaultInjectingBlobStore.Op;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link FaultInjectingBlobStore} over {@link GcsBlobStore} on {@code LocalStorageHelper}. */
class FaultInjectingBlobStoreTest {
    private final GcsBlobStore gcs = new GcsBlobStore(LocalStorageHelper.customOptions(false).getService(),
            256 * 1024, false);
    private final FaultInjectingBlobStore store = FaultInjectingBlobStore.wrap(gcs);

    @AfterEach
    void close() {
        store.close();
    }

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private void put(String location, byte[] data) {
        try (BlobOutputStream out = store.create(location)) {
            out.write(data);
            out.commit();
        }
    }

    private static byte[] readAll(InputBlob blob) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (SeekableInputStream in = blob.newStream()) {
            byte[] buf = new byte[1000];
            for (int n; (n = in.read(buf, 0, buf.length)) >= 0; ) {
                out.write(buf, 0, n);
            }
        }
        return out.toByteArray();
    }

    @Test
    void wrapperHasExactlyTheDelegatesAbilities() {
        assertThat(store).isInstanceOf(SupportsPrefixListing.class).isInstanceOf(SupportsBulkDelete.class);
        BlobStore plain = new BlobStore() {
            @Override
            public BlobOutputStream create(String location) {
                return gcs.create(location);
            }

            @Override
            public InputBlob open(String location) {
                return gcs.open(location);
            }

            @Override
            public void delete(String location) {
                gcs.delete(location);
            }
        };
        FaultInjectingBlobStore wrapped = FaultInjectingBlobStore.wrap(plain);
        assertThat(wrapped).isNotInstanceOf(SupportsPrefixListing.class).isNotInstanceOf(SupportsBulkDelete.class);
        assertThat(wrapped.delegate()).isSameAs(plain);
    }

    @Test
    void failsTheNthCommitOnlyAndPublishesNothingForIt() {
        store.failNth(Op.COMMIT, 2);
        put("gs://b/c/1", bytes(10, 1));
        assertThatThrownBy(() -> put("gs://b/c/2", bytes(10, 2))).isInstanceOf(InjectedFault.class)
                .hasMessageContaining("COMMIT").hasMessageContaining("gs://b/c/2");
        put("gs://b/c/3", bytes(10, 3));
        assertThat(store.exists("gs://b/c/1")).isTrue();
        assertThat(store.exists("gs://b/c/2")).isFalse();
        assertThat(store.exists("gs://b/c/3")).isTrue();
        assertThat(store.requests(Op.COMMIT)).isEqualTo(3);
        assertThat(store.injectedFailures()).isEqualTo(1);
    }

    @Test
    void locationFilterNarrowsAFaultAndClearFaultsDisarmsIt() {
        store.failFrom(Op.OPEN, 1, location -> location.endsWith("_metadata"));
        put("gs://b/f/data", bytes(10, 1));
        put("gs://b/f/_metadata", bytes(10, 2));
        assertThat(store.open("gs://b/f/data").length()).isEqualTo(10);
        assertThatThrownBy(() -> store.open("gs://b/f/_metadata")).isInstanceOf(InjectedFault.class);
        assertThatThrownBy(() -> store.open("gs://b/f/_metadata")).isInstanceOf(InjectedFault.class);
        store.clearFaults();
        assertThat(store.open("gs://b/f/_metadata").length()).isEqualTo(10);
    }

    @Test
    void failedWriteLeavesNothingVisible() {
        store.failNth(Op.WRITE, 3);
        try (BlobOutputStream out = store.create("gs://b/w/x")) {
            out.write(bytes(100, 1));
            out.write(bytes(100, 2));
            assertThatThrownBy(() -> out.write(bytes(100, 3))).isInstanceOf(InjectedFault.class);
        }
        assertThat(store.exists("gs://b/w/x")).isFalse();
        assertThat(((SupportsPrefixListing) store).list("gs://b/w/")).isEmpty();
    }

    @Test
    void stalledCommitWaitsUntilReleased() throws Exception {
        FaultInjectingBlobStore.Stall stall = store.stall(Op.COMMIT);
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> put("gs://b/s/x", bytes(50, 1)));
        assertThat(stall.awaitBlocked(1, Duration.ofSeconds(10))).isTrue();
        Thread.sleep(50);
        assertThat(writer).isNotDone();
        assertThat(store.exists("gs://b/s/x")).isFalse();
        stall.release();
        writer.get(10, TimeUnit.SECONDS);
        assertThat(store.exists("gs://b/s/x")).isTrue();
        assertThat(stall.blockedCount()).isEqualTo(1);
    }

    @Test
    void truncatedReadsEndEarlyWhileTheLengthStaysTheSame() {
        byte[] data = bytes(5000, 7);
        put("gs://b/t/x", data);
        put("gs://b/t/y", data);
        store.truncateReads(location -> location.endsWith("/x"), 1234);
        InputBlob blob = store.open("gs://b/t/x");
        assertThat(blob.length()).isEqualTo(5000);
        assertThat(readAll(blob)).isEqualTo(java.util.Arrays.copyOf(data, 1234));
        byte[] buf = new byte[100];
        assertThatThrownBy(() -> blob.readFully(1200, buf, 0, 100)).isInstanceOf(StorageException.class)
                .hasMessageContaining("unexpected end of data");
        blob.readFully(1000, buf, 0, 100);
        assertThat(readAll(store.open("gs://b/t/y"))).isEqualTo(data);
    }

    @Test
    void corruptedReadsFlipExactlyOneBit() {
        byte[] data = bytes(4096, 9);
        put("gs://b/k/x", data);
        store.corruptReads(location -> true, 100);
        byte[] read = readAll(store.open("gs://b/k/x"));
        byte[] expected = data.clone();
        expected[100] ^= 1;
        assertThat(read).isEqualTo(expected);
        byte[] part = new byte[10];
        store.open("gs://b/k/x").readFully(95, part, 0, 10);
        assertThat(part).isEqualTo(java.util.Arrays.copyOfRange(expected, 95, 105));
        store.clearFaults();
        store.corruptReads(location -> true);
        read = readAll(store.open("gs://b/k/x"));
        expected = data.clone();
        expected[2048] ^= 1;
        assertThat(read).isEqualTo(expected);
    }

    @Test
    void bulkDeleteReportsInjectedFailuresAfterDeletingTheRest() {
        for (int i = 0; i < 4; i++) {
            put("gs://b/d/" + i, bytes(10, i));
        }
        store.failNth(Op.DELETE, 1, location -> location.endsWith("/2"));
        List<String> all = List.of("gs://b/d/0", "gs://b/d/1", "gs://b/d/2", "gs://b/d/3");
        assertThatThrownBy(() -> ((SupportsBulkDelete) store).deleteAll(all)).isInstanceOf(InjectedFault.class)
                .hasMessageContaining("gs://b/d/2");
        assertThat(((SupportsPrefixListing) store).list("gs://b/d/"))
                .extracting(dev.cairn.blob.BlobInfo::location).containsExactly("gs://b/d/2");
        assertThat(store.requests(Op.DELETE)).isEqualTo(4);
    }

    @Test
    void listingCanFail() {
        store.failNth(Op.LIST, 1);
        assertThatThrownBy(() -> ((SupportsPrefixListing) store).list("gs://b/")).isInstanceOf(InjectedFault.class);
        assertThat(((SupportsPrefixListing) store).list("gs://b/")).isEmpty();
    }

    @Test
    void badArgumentsAreRefused() {
        assertThatThrownBy(() -> store.failNth(Op.READ, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1-based");
        assertThatThrownBy(() -> store.truncateReads(l -> true, -1)).isInstanceOf(IllegalArgumentException.class);
    }
}
