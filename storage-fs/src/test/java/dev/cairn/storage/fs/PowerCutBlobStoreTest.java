package dev.cairn.storage.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.blob.BlobInfo;
import dev.cairn.blob.BlobOutputStream;
import dev.cairn.blob.InputBlob;
import dev.cairn.error.StorageException;
import dev.cairn.tck.PowerCutBlobStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link PowerCutBlobStore} over a real {@link LocalBlobStore}: what a power cut keeps and drops. */
class PowerCutBlobStoreTest {
    @TempDir
    Path dir;
    private PowerCutBlobStore store;

    @BeforeEach
    void open() {
        store = PowerCutBlobStore.over(new LocalBlobStore(), dir);
    }

    private String at(String relative) {
        return LocalBlobStore.toLocation(dir.toAbsolutePath().resolve(relative));
    }

    private void put(String relative, String content) {
        try (BlobOutputStream out = store.create(at(relative))) {
            out.write(content.getBytes(StandardCharsets.UTF_8));
            out.commit();
        }
    }

    private String read(String relative) throws IOException {
        return Files.readString(dir.resolve(relative));
    }

    @Test
    void deleteThenCutBringsTheBlobBackWithItsBytes() throws IOException {
        put("chk-1/_metadata", "metadata of 1");
        put("chk-1/state", "state of 1");
        store.delete(at("chk-1/_metadata"));
        store.delete(at("chk-1/state"));
        assertThat(dir.resolve("chk-1")).as("the last delete pruned the directory").doesNotExist();
        assertThat(store.survivorsIfCutNow()).containsOnlyKeys(at("chk-1/_metadata"), at("chk-1/state"));

        PowerCutBlobStore.Cut cut = store.cut();

        assertThat(cut.revived()).containsExactlyInAnyOrder(at("chk-1/_metadata"), at("chk-1/state"));
        assertThat(cut.survivors()).containsEntry(at("chk-1/_metadata"), 13L).containsEntry(at("chk-1/state"), 10L);
        assertThat(read("chk-1/_metadata")).isEqualTo("metadata of 1");
        assertThat(read("chk-1/state")).isEqualTo("state of 1");
    }

    @Test
    void deleteThenCommitInTheSameDirectoryStaysDeleted() throws IOException {
        put("shared/keep", "k");
        put("shared/a", "aaaa");
        put("chk-1/_metadata", "m1");
        put("chk-1/state", "s1");
        store.delete(at("shared/a"));
        store.delete(at("chk-1/_metadata"));
        put("shared/b", "bb");

        PowerCutBlobStore.Cut cut = store.cut();

        assertThat(dir.resolve("shared/a")).as("forced by the commit of shared/b").doesNotExist();
        assertThat(read("shared/b")).isEqualTo("bb");
        assertThat(read("chk-1/_metadata")).as("its directory was never forced again").isEqualTo("m1");
        assertThat(cut.survivors()).containsOnlyKeys(at("shared/keep"), at("shared/b"), at("chk-1/_metadata"),
                at("chk-1/state"));
    }

    @Test
    void aCommitThatRecreatesARemovedDirectoryForcesItsParent() {
        put("shared/a", "aaaa");
        put("chk-1/_metadata", "m1");
        store.delete(at("shared/a"));
        store.delete(at("chk-1/_metadata"));
        assertThat(dir.resolve("chk-1")).doesNotExist();
        put("shared/b", "bb");

        PowerCutBlobStore.Cut cut = store.cut();

        assertThat(dir.resolve("chk-1")).as("re-creating shared/ forced the root, and with it chk-1's removal")
                .doesNotExist();
        assertThat(cut.survivors()).containsOnlyKeys(at("shared/b"));
    }

    @Test
    void removedDirectoryIsDurableOnceItsParentIsForced() {
        put("job/chk-1/state", "s1");
        store.delete(at("job/chk-1/state"));
        assertThat(dir.resolve("job/chk-1")).doesNotExist();
        put("job/_job-ended", "end");

        store.cut();

        assertThat(dir.resolve("job/chk-1")).as("the removal of chk-1 was forced with job/").doesNotExist();
        assertThat(dir.resolve("job/_job-ended")).exists();
    }

    @Test
    void inFlightWriteThenCutIsNotVisibleAndLeavesOnlyItsTempFile() throws IOException {
        put("chk-2/done", "done");
        BlobOutputStream inFlight = store.create(at("chk-2/_metadata"));
        inFlight.write(new byte[100_000]);

        PowerCutBlobStore.Cut cut = store.cut();

        assertThat(cut.survivors()).containsOnlyKeys(at("chk-2/done"));
        assertThat(new LocalBlobStore().exists(at("chk-2/_metadata"))).isFalse();
        assertThat(listed("chk-2/")).containsExactly(at("chk-2/done"));
        List<String> temps = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir.resolve("chk-2"))) {
            files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".inprogress")).forEach(temps::add);
        }
        assertThat(temps).as("the temp file of the unfinished write stays for the next run's cleanup").hasSize(1);
        assertThatThrownBy(() -> inFlight.write(1)).isInstanceOf(StorageException.class);
        assertThatThrownBy(inFlight::commit).isInstanceOf(StorageException.class);
        assertThatThrownBy(inFlight::close).isInstanceOf(StorageException.class);
        assertThat(Files.exists(dir.resolve("chk-2").resolve(temps.get(0)))).as("a refused abort removes nothing")
                .isTrue();
        assertThat(new LocalBlobStore().removeAbandonedWrites(at("chk-2/"))).isEqualTo(1);
    }

    @Test
    void abortedAndCleanedUpTempFilesComeBackUntilTheirDirectoryIsForced() throws IOException {
        put("chk-3/keep", "k");
        BlobOutputStream aborted = store.create(at("chk-3/x"));
        aborted.write(new byte[10]);
        aborted.flush();
        aborted.close();
        BlobOutputStream forcedLater = store.create(at("chk-4/x"));
        forcedLater.write(new byte[10]);
        forcedLater.flush();
        forcedLater.close();
        put("chk-4/y", "y");
        store.cut();
        assertThat(temps("chk-3")).as("the abort's unlink was not durable").hasSize(1);
        assertThat(temps("chk-4")).as("the commit of chk-4/y forced the abort's unlink").isEmpty();
    }

    private List<String> temps(String relative) throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve(relative))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".inprogress")).toList();
        }
    }

    @Test
    void everyRequestIsRefusedOnceThePowerIsOffAndNothingReachesTheDisk() {
        put("a/one", "1");
        InputBlob blob = store.open(at("a/one"));
        store.cut();
        assertThatThrownBy(() -> store.create(at("a/two"))).isInstanceOf(PowerCutBlobStore.PowerIsOff.class);
        assertThatThrownBy(() -> store.delete(at("a/one"))).isInstanceOf(StorageException.class);
        assertThatThrownBy(() -> store.deleteAll(List.of(at("a/one")))).isInstanceOf(StorageException.class);
        assertThatThrownBy(() -> store.list(at("a/"))).isInstanceOf(StorageException.class);
        assertThatThrownBy(() -> store.open(at("a/one"))).isInstanceOf(StorageException.class);
        assertThatThrownBy(() -> store.removeAbandonedWrites(at("a/"))).isInstanceOf(StorageException.class);
        assertThatThrownBy(blob::newStream).isInstanceOf(StorageException.class);
        assertThat(dir.resolve("a/one")).exists();
        assertThat(dir.resolve("a/two")).doesNotExist();
    }

    @Test
    void bulkDeleteIsASequenceOfDeletesAndCommittedBlobsOfAnEarlierRunAreDurable() throws IOException {
        put("old/x", "xx");
        put("old/y", "yyy");
        PowerCutBlobStore second = PowerCutBlobStore.over(new LocalBlobStore(), dir);
        assertThat(second.survivorsIfCutNow()).containsOnlyKeys(at("old/x"), at("old/y"));
        second.deleteAll(List.of(at("old/x"), at("old/y")));
        assertThat(second.unsyncedDeletes()).isEqualTo(2);
        assertThat(listed("old/")).isEmpty();
        second.cut();
        assertThat(read("old/x")).isEqualTo("xx");
        assertThat(read("old/y")).isEqualTo("yyy");
    }

    private List<String> listed(String prefix) {
        List<String> found = new ArrayList<>();
        for (BlobInfo info : new LocalBlobStore().list(at(prefix))) {
            found.add(info.location());
        }
        return found;
    }
}
