package dev.cairn.storage.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.blob.BlobStore;
import dev.cairn.blob.BlobStores;
import dev.cairn.error.ConfigurationException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the Hadoop providers build their configuration and which locations they refuse, without a cluster. */
class HadoopBlobStoreProviderTest {
    @TempDir
    Path dir;

    @Test
    void providersAreFoundByScheme() {
        try (BlobStore hdfs = BlobStores.forLocation("hdfs://127.0.0.1:1/x", Map.of());
                BlobStore viewfs = BlobStores.forLocation("viewfs://cluster/x", Map.of())) {
            assertThat(hdfs).isInstanceOf(HadoopBlobStore.class);
            assertThat(((HadoopBlobStore) hdfs).scheme()).isEqualTo("hdfs");
            assertThat(((HadoopBlobStore) viewfs).scheme()).isEqualTo("viewfs");
        }
    }

    @Test
    void siteFilesFromTheConfDirAreReadAndTheMapWins() throws IOException {
        writeSite(dir.resolve("core-site.xml"), "cairn.test.a", "from-core-site");
        writeSite(dir.resolve("hdfs-site.xml"), "cairn.test.b", "from-hdfs-site");
        Configuration conf = HadoopBlobStoreProvider.configuration(Map.of(HadoopBlobStoreProvider.CONF_DIR,
                dir.toString(), "cairn.test.b", "from-map", "dfs.replication", "2"), null);
        assertThat(conf.get("cairn.test.a")).isEqualTo("from-core-site");
        assertThat(conf.get("cairn.test.b")).isEqualTo("from-map");
        assertThat(conf.getInt("dfs.replication", 0)).isEqualTo(2);
        assertThat(conf.get(HadoopBlobStoreProvider.CONF_DIR)).as("the provider's own keys stay out").isNull();
    }

    @Test
    void hadoopConfDirIsUsedWithoutTheOptionAndTheOptionOverridesIt() throws IOException {
        Path env = Files.createDirectory(dir.resolve("env"));
        Path option = Files.createDirectory(dir.resolve("option"));
        writeSite(env.resolve("core-site.xml"), "cairn.test.a", "from-env");
        writeSite(option.resolve("core-site.xml"), "cairn.test.a", "from-option");
        assertThat(HadoopBlobStoreProvider.configuration(Map.of(), env.toString()).get("cairn.test.a"))
                .isEqualTo("from-env");
        assertThat(HadoopBlobStoreProvider.configuration(Map.of(HadoopBlobStoreProvider.CONF_DIR,
                option.toString()), env.toString()).get("cairn.test.a")).isEqualTo("from-option");
    }

    @Test
    void badOptionsAreRefusedByName() {
        assertThatThrownBy(() -> HadoopBlobStoreProvider.configuration(Map.of(HadoopBlobStoreProvider.CONF_DIR,
                dir.resolve("missing").toString()), null)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining(HadoopBlobStoreProvider.CONF_DIR).hasMessageContaining("not a directory");
        assertThatThrownBy(() -> HadoopBlobStoreProvider.configuration(Map.of(), dir.resolve("gone").toString()))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("HADOOP_CONF_DIR");
        for (String size : new String[] {"12x", "100", "999999999"}) {
            assertThatThrownBy(() -> new HadoopBlobStoreProvider.Hdfs().create(Map.of(
                    HadoopBlobStoreProvider.BUFFER_SIZE, size))).as("buffer size %s", size)
                    .isInstanceOf(ConfigurationException.class).hasMessageContaining(HadoopBlobStoreProvider.BUFFER_SIZE);
        }
    }

    @Test
    void malformedLocationsAreRefusedBeforeAnyConnection() {
        try (BlobStore store = new HadoopBlobStoreProvider.Hdfs().create(Map.of())) {
            for (String bad : new String[] {"s3://bucket/x", "hdfs://nn:1/a/../b", "hdfs://nn:1/a//b", "hdfs://nn:1/a/",
                "hdfs://nn:1/a/.b.1234.inprogress", "hdfs://nn:1/a?x=1", "hdfs:relative"}) {
                assertThatThrownBy(() -> store.create(bad)).as("create(%s)", bad)
                        .isInstanceOf(ConfigurationException.class).hasMessageContaining("not a valid blob location");
            }
        }
    }

    private static void writeSite(Path file, String key, String value) throws IOException {
        Files.writeString(file, "<?xml version=\"1.0\"?>\n<configuration>\n  <property><name>" + key + "</name><value>"
                + value + "</value></property>\n</configuration>\n");
    }
}
