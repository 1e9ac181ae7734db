package dev.cairn.storage.s3;

import com.adobe.testing.s3mock.S3MockApplication;
import dev.cairn.blob.BlobStore;
import dev.cairn.blob.BlobStores;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.catalina.connector.Connector;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * One Adobe S3Mock server per test JVM (a Spring Boot application started as a library), plain HTTP on
 * 127.0.0.1 with a random port, one bucket, objects in a temporary directory. It is the second,
 * independent implementation of the S3 protocol beside {@link S3ProxyServer}. Clients use the SDK's
 * default checksum settings. Started on first use, stopped at JVM exit.
 */
final class S3MockServer {
    static final String BUCKET = "cairn-s3mock";
    /** The S3Mock release on the test class path (from its jar's Maven metadata), for messages. */
    static final String VERSION = version();
    private static final AtomicInteger RUNS = new AtomicInteger();
    private static URI endpoint;

    private S3MockServer() {
    }

    static synchronized URI endpoint() {
        if (endpoint == null) {
            try {
                Path root = Files.createTempDirectory("cairn-s3mock");
                Map<String, Object> properties = new HashMap<>();
                properties.put(S3MockApplication.PROP_HTTP_PORT, S3MockApplication.RANDOM_PORT);
                properties.put(S3MockApplication.PROP_HTTPS_PORT, S3MockApplication.RANDOM_PORT);
                properties.put("server.address", "127.0.0.1");
                properties.put("com.adobe.testing.s3mock.store.root", root.toString());
                properties.put("com.adobe.testing.s3mock.store.initial-buckets", BUCKET);
                properties.put("com.adobe.testing.s3mock.store.retain-files-on-exit", "false");
                properties.put("spring.main.register-shutdown-hook", "false");
                properties.put("logging.level.root", "WARN");
                properties.put(S3MockApplication.PROP_SILENT, "true");
                S3MockApplication mock = S3MockApplication.start(properties);
                @SuppressWarnings("deprecation")
                int port = mock.getHttpPort();
                endpoint = URI.create("http://127.0.0.1:" + port);
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        mock.stop();
                        try (var files = Files.walk(root)) {
                            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                        }
                    } catch (Exception e) {
                        // JVM exit: the temporary directory is left for the OS to clean.
                    }
                }));
            } catch (Exception e) {
                throw new IllegalStateException("S3Mock did not start: " + e, e);
            }
        }
        return endpoint;
    }

    /**
     * Binds every Tomcat connector to 127.0.0.1: {@code server.address} covers only the HTTPS connector,
     * and S3Mock's extra plain-HTTP connector would otherwise listen on all interfaces. Registered in the
     * test resources' {@code META-INF/spring.factories}; S3Mock is the only Spring application in the tests.
     */
    static final class LoopbackConnectors implements ApplicationContextInitializer<ConfigurableApplicationContext> {
        public LoopbackConnectors() {
        }

        @Override
        public void initialize(ConfigurableApplicationContext context) {
            context.getBeanFactory().addBeanPostProcessor(new BeanPostProcessor() {
                @Override
                public Object postProcessBeforeInitialization(Object bean, String name) {
                    if (bean instanceof Connector connector && !connector.setProperty("address", "127.0.0.1")) {
                        throw new IllegalStateException("cannot bind S3Mock's connector " + name + " to 127.0.0.1");
                    }
                    return bean;
                }
            });
        }
    }

    /** Provider options pointing at this server (SDK default checksums, 5 MiB parts), plus {@code extra}. */
    static Map<String, String> config(Map<String, String> extra) {
        Map<String, String> config = new HashMap<>();
        config.put(S3Config.ENDPOINT, endpoint().toString());
        config.put(S3Config.PATH_STYLE, "true");
        config.put(S3Config.REGION, "us-east-1");
        config.put(S3Config.ACCESS_KEY, "s3mock-access");
        config.put(S3Config.SECRET_KEY, "s3mock-secret");
        config.put(S3Config.PART_SIZE, Integer.toString(S3Config.MIN_PART_SIZE));
        config.put(S3Config.PARTS_IN_FLIGHT, "2");
        config.put(S3Config.CHECKSUM, "sdk-default");
        config.putAll(extra);
        return config;
    }

    static BlobStore store() {
        return BlobStores.create("s3", config(Map.of()));
    }

    private static String version() {
        try (InputStream in = S3MockApplication.class.getResourceAsStream(
                "/META-INF/maven/com.adobe.testing/s3mock/pom.properties")) {
            Properties properties = new Properties();
            if (in != null) {
                properties.load(in);
            }
            return properties.getProperty("version", "(unknown version)");
        } catch (IOException e) {
            return "(unknown version)";
        }
    }

    static int pendingUploads(S3Client client, String keyPrefix) {
        return client.listMultipartUploads(b -> b.bucket(BUCKET).prefix(keyPrefix)).uploads().size();
    }

    /** A fresh prefix in the bucket, ending with '/'. */
    static String newBase(String name) {
        return "s3://" + BUCKET + "/" + name + "-" + RUNS.incrementAndGet() + "/";
    }
}
