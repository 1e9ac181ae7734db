package dev.cairn.storage.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.cairn.blob.BlobInfo;
import dev.cairn.blob.BlobOutputStream;
import dev.cairn.blob.BlobStore;
import dev.cairn.blob.BlobStores;
import dev.cairn.blob.SeekableInputStream;
import dev.cairn.error.BlobAlreadyExistsException;
import dev.cairn.error.BlobNotFoundException;
import dev.cairn.error.ConfigurationException;
import dev.cairn.error.StorageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What the TCK cannot see: location validation, the on-disk protocol, configuration, directory housekeeping. */
class LocalBlobStoreTest {
    @TempDir
    Path root;

    private final LocalBlobStore store = new LocalBlobStore();

    private String loc(String relative) {
        return LocalBlobStore.toLocation(root) + "/" + relative;
    }

    private static byte[] bytes(int size, long seed) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return data;
    }

    private BlobInfo write(BlobStore target, String location, byte[] data) throws IOException {
        try (BlobOutputStream out = target.create(location)) {
            out.write(data);
            return out.commit();
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "tmp/x.bin                 | it has no scheme",
        "/tmp/x.bin                | it has no scheme",
        "file:tmp/x.bin            | lacks the '//'",
        "file:/tmp/x.bin           | lacks the '//'",
        "s3://bucket/x.bin         | scheme 's3' is not served",
        "file://host/tmp/x.bin     | names a host ('host')",
        "file:///tmp/../etc/passwd | contains a '..' segment",
        "file:///tmp/./x.bin       | contains a '.' segment",
        "file:///tmp//x.bin        | empty path segment",
        "file:///tmp/dir/          | names a directory, not a blob",
        "file:///                  | names a directory, not a blob",
        "file:///tmp/.x.bin.1f.inprogress | reserved for in-progress writes",
    })
    void invalidLocationsAreRefusedNamingLocationAndReason(String location, String reason) {
        List<Runnable> operations = List.of(() -> store.create(location), () -> store.open(location),
                () -> store.delete(location), () -> store.exists(location));
        for (Runnable operation : operations) {
            assertThatThrownBy(operation::run).isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("'" + location + "'").hasMessageContaining(reason);
        }
    }

    @Test
    void nulCharacterAndNullAreRefused() {
        assertThatThrownBy(() -> store.create("file:///tmp/a\0b")).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("NUL");
        assertThatThrownBy(() -> store.open(null)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("null");
    }

    @Test
    void listingPrefixesAreValidatedButMayEndWithSlashOrInsideAName() throws IOException {
        assertThatThrownBy(() -> store.list("s3://bucket/")).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("s3://bucket/");
        assertThatThrownBy(() -> store.list(loc("a/../"))).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("'..'");
        write(store, loc("a/b.bin"), bytes(3, 1));
        assertThat(store.list(loc("a/"))).extracting(BlobInfo::location, BlobInfo::length)
                .containsExactly(tuple(loc("a/b.bin"), 3L));
        assertThat(store.list(loc("a/b"))).extracting(BlobInfo::location, BlobInfo::length)
                .containsExactly(tuple(loc("a/b.bin"), 3L));
    }

    @Test
    void locationsAndPathsConvertBothWays() {
        Path file = root.resolve("x").resolve("y.bin");
        String location = LocalBlobStore.toLocation(file);
        assertThat(location).startsWith("file:///").endsWith("/x/y.bin");
        assertThat(LocalBlobStore.toPath(location)).isEqualTo(file);
        assertThat(LocalBlobStore.toPath("FILE:///tmp/z")).isEqualTo(Path.of("/tmp/z"));
        assertThatThrownBy(() -> LocalBlobStore.toLocation(Path.of("relative/y.bin")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("relative");
    }

    @Test
    void providerIsFoundByScheme() {
        try (BlobStore found = BlobStores.forLocation("file:///tmp/anything", Map.of("unknown.key", "ignored"))) {
            assertThat(found).isInstanceOf(LocalBlobStore.class);
            assertThat(((LocalBlobStore) found).publishMode()).isEqualTo(LocalBlobStore.PublishMode.HARD_LINK);
        }
        try (BlobStore found = BlobStores.create("FILE", Map.of(LocalBlobStoreProvider.PUBLISH_MODE, "rename",
                LocalBlobStoreProvider.BUFFER_SIZE, "4096"))) {
            assertThat(((LocalBlobStore) found).publishMode()).isEqualTo(LocalBlobStore.PublishMode.RENAME);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "file.publish-mode | copy  | 'hard-link' or 'rename'",
        "file.buffer-size  | 64k   | not a whole number",
        "file.buffer-size  | 100   | out of range",
        "file.buffer-size  | 999999999 | out of range",
    })
    void badProviderOptionsAreRefusedNamingTheOption(String key, String value, String reason) {
        assertThatThrownBy(() -> BlobStores.forLocation("file:///tmp/x", Map.of(key, value)))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining(key).hasMessageContaining(reason);
    }

    @Test
    void commitForcesTheFileAndEveryDirectoryItCreated() throws IOException {
        write(store, loc("existing.bin"), bytes(1, 0));
        long files = store.fileSyncCount();
        long directories = store.directorySyncCount();

        write(store, loc("x/y/z/blob.bin"), bytes(100, 1));
        assertThat(store.fileSyncCount() - files).isEqualTo(1);
        assertThat(store.directorySyncCount() - directories).as("z, y, x and the root").isEqualTo(4);

        write(store, loc("x/y/z/second.bin"), bytes(100, 2));
        assertThat(store.fileSyncCount() - files).isEqualTo(2);
        assertThat(store.directorySyncCount() - directories).as("only z again").isEqualTo(5);

        try (BlobOutputStream out = store.create(loc("x/aborted.bin"))) {
            out.write(1);
        }
        assertThat(store.fileSyncCount() - files).as("an abort forces nothing").isEqualTo(2);
    }

    @Test
    void writesGoToAHiddenTemporaryFileUntilCommit() throws IOException {
        Path dir = root.resolve("d");
        try (BlobOutputStream out = store.create(loc("d/blob.bin"))) {
            out.write(bytes(200_000, 3));
            out.flush();
            List<String> names = names(dir);
            assertThat(names).hasSize(1);
            assertThat(names.get(0)).startsWith(".blob.bin.").endsWith(".inprogress");
            assertThat(Files.size(dir.resolve(names.get(0)))).isEqualTo(200_000);
            assertThat(store.list(loc(""))).isEmpty();
            out.commit();
        }
        assertThat(names(dir)).containsExactly("blob.bin");
    }

    @Test
    void abortRemovesTheTemporaryFileAndTheDirectoryItCreated() throws IOException {
        try (BlobOutputStream out = store.create(loc("fresh/blob.bin"))) {
            out.write(bytes(10, 4));
        }
        assertThat(root.resolve("fresh")).doesNotExist();
        assertThat(names(root)).isEmpty();
    }

    @Test
    void deletePrunesTheParentDirectoryOnlyWhenItBecameEmpty() throws IOException {
        write(store, loc("chk-1/a.bin"), bytes(5, 5));
        write(store, loc("chk-1/b.bin"), bytes(5, 6));
        store.delete(loc("chk-1/a.bin"));
        assertThat(root.resolve("chk-1")).isDirectory();
        store.delete(loc("chk-1/b.bin"));
        assertThat(root.resolve("chk-1")).doesNotExist();
        assertThat(root).isDirectory();

        write(store, loc("p/q/c.bin"), bytes(5, 7));
        store.delete(loc("p/q/c.bin"));
        assertThat(root.resolve("p/q")).doesNotExist();
        assertThat(root.resolve("p")).as("one level only").isDirectory();

        write(store, loc("chk-1/again.bin"), bytes(5, 8));
        assertThat(store.open(loc("chk-1/again.bin")).length()).isEqualTo(5);
    }

    @Test
    void deleteNeverRemovesASymlinkedParentOrADirectory() throws IOException {
        Path real = Files.createDirectory(root.resolve("real"));
        Files.createSymbolicLink(root.resolve("link"), real);
        write(store, loc("link/blob.bin"), bytes(5, 9));
        store.delete(loc("link/blob.bin"));
        assertThat(root.resolve("link")).isSymbolicLink();
        assertThat(real).isDirectory();

        Files.createDirectories(root.resolve("dir/inner"));
        store.delete(loc("dir/inner"));
        assertThat(root.resolve("dir/inner")).isDirectory();
        assertThatThrownBy(() -> store.open(loc("dir/inner"))).isInstanceOf(BlobNotFoundException.class);
        assertThat(store.exists(loc("dir/inner"))).isFalse();
    }

    @Test
    @Timeout(value = 60)
    void createsRetryWhenConcurrentDeletesPruneTheirDirectory() throws Exception {
        int threads = 4;
        int rounds = 150;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < rounds; i++) {
                        String location = loc("hot/t" + thread + "-" + i + ".bin");
                        byte[] data = bytes(64, thread * 1000L + i);
                        write(store, location, data);
                        assertThat(store.open(location).length()).isEqualTo(64);
                        store.delete(location);
                    }
                    return null;
                }));
            }
            for (Future<?> future : futures) {
                future.get(50, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(store.list(loc(""))).isEmpty();
    }

    @Test
    void ioFailuresBecomeStorageExceptionsNamingTheLocationAndKeepingTheCause() throws IOException {
        Files.writeString(root.resolve("plain-file"), "not a directory");
        String location = loc("plain-file/child/blob.bin");
        StorageException e = catchThrowableOfType(StorageException.class, () -> store.create(location));
        assertThat(e).isNotNull().hasMessageContaining(location).hasCauseInstanceOf(IOException.class);
    }

    @Test
    void renameModePublishesAtomicallyAndRefusesOccupiedLocations() throws IOException {
        LocalBlobStore renaming = new LocalBlobStore(LocalBlobStore.PublishMode.RENAME, 512);
        byte[] first = bytes(10_000, 10);
        write(renaming, loc("r/blob.bin"), first);
        assertThatThrownBy(() -> write(renaming, loc("r/blob.bin"), bytes(3, 11)))
                .isInstanceOf(BlobAlreadyExistsException.class);
        try (SeekableInputStream in = renaming.open(loc("r/blob.bin")).newStream()) {
            assertThat(in.readAllBytes()).isEqualTo(first);
        }
        assertThat(names(root.resolve("r"))).containsExactly("blob.bin");
    }

    @Test
    void filesWrittenByOtherProgramsAreBlobs() throws IOException {
        Files.createDirectories(root.resolve("ext"));
        Files.write(root.resolve("ext/data.bin"), new byte[] {1, 2, 3});
        Files.write(root.resolve("ext/.hidden"), new byte[] {4});
        assertThat(store.list(loc("ext/"))).extracting(BlobInfo::location, BlobInfo::length)
                .containsExactlyInAnyOrder(tuple(loc("ext/data.bin"), 3L), tuple(loc("ext/.hidden"), 1L));
        assertThat(store.open(loc("ext/data.bin")).length()).isEqualTo(3);
        assertThatThrownBy(() -> write(store, loc("ext/data.bin"), new byte[1]))
                .isInstanceOf(BlobAlreadyExistsException.class);
    }

    @Test
    void smallBuffersStillStreamCorrectly() throws IOException {
        LocalBlobStore small = new LocalBlobStore(LocalBlobStore.PublishMode.HARD_LINK, 512);
        byte[] data = bytes(10_000, 12);
        try (BlobOutputStream out = small.create(loc("small.bin"))) {
            out.write(data, 0, 100);
            for (int i = 100; i < 700; i++) {
                out.write(data[i]);
            }
            out.write(data, 700, 2000);
            out.write(data, 2700, data.length - 2700);
            assertThat(out.commit().length()).isEqualTo(data.length);
        }
        SeekableInputStream in = small.open(loc("small.bin")).newStream();
        byte[] chunk = new byte[300];
        in.readFully(chunk, 0, 300);
        assertThat(chunk).isEqualTo(Arrays.copyOfRange(data, 0, 300));
        in.seek(100);
        assertThat(in.read()).as("seek back inside the buffered window").isEqualTo(data[100] & 0xFF);
        assertThat(in.skip(1000)).isEqualTo(1000);
        assertThat(in.position()).isEqualTo(1101);
        assertThat(in.available()).isEqualTo(data.length - 1101);
        byte[] big = new byte[4000];
        in.readFully(big, 0, big.length);
        assertThat(big).isEqualTo(Arrays.copyOfRange(data, 1101, 5101));
        assertThat(in.skip(Long.MAX_VALUE)).isEqualTo(data.length - 5101);
        assertThat(in.read()).isEqualTo(-1);
        in.close();
        assertThatCode(in::close).doesNotThrowAnyException();
        assertThatThrownBy(in::read).isInstanceOf(StorageException.class).hasMessageContaining("closed");
    }

    @Test
    void bulkDeleteAttemptsEverythingAndReportsAllFailuresTogether() throws IOException {
        String a = write(store, loc("a.bin"), bytes(1, 13)).location();
        String b = write(store, loc("b.bin"), bytes(1, 14)).location();
        StorageException e = catchThrowableOfType(StorageException.class,
                () -> store.deleteAll(List.of(a, "s3://bucket/x", b, "file:///tmp/../x")));
        assertThat(e).isNotNull().hasMessageContaining("2 of 4").hasMessageContaining("s3://bucket/x")
                .hasMessageContaining("file:///tmp/../x").hasCauseInstanceOf(ConfigurationException.class);
        assertThat(e.getSuppressed()).hasSize(1);
        assertThat(store.exists(a)).isFalse();
        assertThat(store.exists(b)).isFalse();
    }

    @Test
    void aFailedCommitLeavesNothingAndTheStreamCannotBeReused() throws IOException {
        write(store, loc("taken.bin"), bytes(8, 15));
        BlobOutputStream out = store.create(loc("taken.bin"));
        out.write(bytes(100, 16));
        assertThatThrownBy(out::commit).isInstanceOf(BlobAlreadyExistsException.class)
                .hasMessageContaining(loc("taken.bin"));
        assertThatThrownBy(() -> out.write(1)).isInstanceOf(StorageException.class);
        assertThatCode(out::close).doesNotThrowAnyException();
        assertThat(names(root)).containsExactly("taken.bin");
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
