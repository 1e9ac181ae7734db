package dev.cairn.storage.fs;

import dev.cairn.blob.BlobStore;
import dev.cairn.blob.BlobStoreProvider;
import dev.cairn.error.ConfigurationException;
import java.nio.file.Files;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.HdfsConfiguration;

/**
 * Serves one Hadoop file system scheme with a {@link HadoopBlobStore}; the nested subclasses
 * register {@code hdfs} and {@code viewfs} for {@link java.util.ServiceLoader}; another Hadoop scheme is
 * served by registering a subclass that passes its name.
 *
 * <p>The Hadoop configuration is built in this order, later sources winning: Hadoop's defaults and
 * the {@code core-site.xml}/{@code hdfs-site.xml} found on the class path; those two files in the
 * directory named by {@value #CONF_DIR} or, without it, the {@code HADOOP_CONF_DIR} environment
 * variable; then every entry of the provider's map except this provider's own options, copied
 * verbatim (for example {@code dfs.replication=2} or {@code fs.viewfs.mounttable.…}). Hadoop ignores
 * keys it does not know. Values are never logged.
 */
public class HadoopBlobStoreProvider implements BlobStoreProvider {
    /** A directory holding {@code core-site.xml} and/or {@code hdfs-site.xml}; overrides {@code HADOOP_CONF_DIR}. */
    public static final String CONF_DIR = "hadoop-blob.conf-dir";
    /** Buffer size in bytes for writes and streamed reads (default 65536). */
    public static final String BUFFER_SIZE = "hadoop-blob.buffer-size";

    static final int MIN_BUFFER_SIZE = 512;
    static final int MAX_BUFFER_SIZE = 16 * 1024 * 1024;
    private static final String OWN_PREFIX = "hadoop-blob.";

    private final String scheme;

    /** A provider for {@code scheme}, e.g. {@code hdfs} or {@code s3a}. */
    public HadoopBlobStoreProvider(String scheme) {
        this.scheme = Objects.requireNonNull(scheme, "scheme").toLowerCase(Locale.ROOT);
    }

    @Override
    public String scheme() {
        return scheme;
    }

    @Override
    public BlobStore create(Map<String, String> config) {
        return new HadoopBlobStore(scheme, configuration(config, System.getenv("HADOOP_CONF_DIR")),
                bufferSize(config.get(BUFFER_SIZE)));
    }

    /** The Hadoop configuration {@code config} describes, with {@code envConfDir} as {@code HADOOP_CONF_DIR}. */
    static Configuration configuration(Map<String, String> config, String envConfDir) {
        Configuration conf = new HdfsConfiguration();
        String confDir = config.get(CONF_DIR);
        String source = CONF_DIR;
        if (confDir == null || confDir.isBlank()) {
            confDir = envConfDir;
            source = "HADOOP_CONF_DIR";
        }
        if (confDir != null && !confDir.isBlank()) {
            java.nio.file.Path dir = java.nio.file.Path.of(confDir.trim());
            if (!Files.isDirectory(dir)) {
                throw new ConfigurationException(source + " = '" + confDir + "' is not a directory");
            }
            for (String file : new String[] {"core-site.xml", "hdfs-site.xml"}) {
                java.nio.file.Path site = dir.resolve(file);
                if (Files.isRegularFile(site)) {
                    conf.addResource(new Path(site.toUri()));
                }
            }
        }
        for (Map.Entry<String, String> e : config.entrySet()) {
            if (!e.getKey().startsWith(OWN_PREFIX) && e.getValue() != null) {
                conf.set(e.getKey(), e.getValue(), "cairn blob store configuration");
            }
        }
        return conf;
    }

    private static int bufferSize(String value) {
        if (value == null) {
            return HadoopBlobStore.DEFAULT_BUFFER_SIZE;
        }
        int size;
        try {
            size = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new ConfigurationException(BUFFER_SIZE + " = '" + value + "' is not a whole number of bytes", e);
        }
        if (size < MIN_BUFFER_SIZE || size > MAX_BUFFER_SIZE) {
            throw new ConfigurationException(BUFFER_SIZE + " = " + size + " is out of range ["
                    + MIN_BUFFER_SIZE + ", " + MAX_BUFFER_SIZE + "]");
        }
        return size;
    }

    /** {@code hdfs://namenode:port/path}. */
    public static final class Hdfs extends HadoopBlobStoreProvider {
        public Hdfs() {
            super("hdfs");
        }
    }

    /** {@code viewfs://cluster/path}: a client-side mount table over several file systems. */
    public static final class ViewFs extends HadoopBlobStoreProvider {
        public ViewFs() {
            super("viewfs");
        }
    }
}
