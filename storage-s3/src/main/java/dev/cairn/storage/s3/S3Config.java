package dev.cairn.storage.s3;

import dev.cairn.error.ConfigurationException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The settings of an {@link S3BlobStore}, parsed from the provider's {@code Map<String,String>}.
 * Every key is optional. {@link #toString()} never shows the access or secret key.
 *
 * @param endpoint        {@value #ENDPOINT}: endpoint override for S3-compatible stores (MinIO, Ceph RGW), or null for AWS
 * @param region          {@value #REGION}: signing region, default {@code us-east-1}
 * @param pathStyle       {@value #PATH_STYLE}: {@code http://host/bucket/key} instead of virtual-hosted buckets
 * @param accessKey       {@value #ACCESS_KEY}: with {@value #SECRET_KEY}, static credentials; otherwise the SDK's default chain
 * @param secretKey       {@value #SECRET_KEY}
 * @param partSize        {@value #PART_SIZE}: multipart part size in bytes (default 16 MiB, at least 5 MiB); smaller blobs are one PutObject
 * @param partsInFlight   {@value #PARTS_IN_FLIGHT}: parts of one stream uploading at once (default 4); bounds memory to about (n + 1) parts
 * @param maxAttempts     {@value #MAX_ATTEMPTS}: attempts per request under the SDK's standard retry strategy (default 10)
 * @param checksum        {@value #CHECKSUM}: {@code crc32c} (default) or {@code sdk-default}
 * @param encryption      {@value #SSE}: {@code none} (default), {@code sse-s3} or {@code sse-kms}
 * @param kmsKeyId        {@value #SSE_KMS_KEY_ID}: the KMS key for {@code sse-kms}; null uses the bucket's default key
 * @param entropyKey      {@value #ENTROPY_KEY}: the marker replaced in data-file keys, removed from metadata keys; null disables
 * @param entropyLength   {@value #ENTROPY_LENGTH}: characters that replace the marker (default 4)
 */
public record S3Config(URI endpoint, String region, boolean pathStyle, String accessKey, String secretKey,
        int partSize, int partsInFlight, int maxAttempts, Checksum checksum, Encryption encryption, String kmsKeyId,
        String entropyKey, int entropyLength) {

    public static final String ENDPOINT = "s3.endpoint";
    public static final String REGION = "s3.region";
    public static final String PATH_STYLE = "s3.path-style-access";
    public static final String ACCESS_KEY = "s3.access-key";
    public static final String SECRET_KEY = "s3.secret-key";
    public static final String PART_SIZE = "s3.upload.part-size";
    public static final String PARTS_IN_FLIGHT = "s3.upload.parts-in-flight";
    public static final String MAX_ATTEMPTS = "s3.max-attempts";
    public static final String CHECKSUM = "s3.checksum";
    public static final String SSE = "s3.sse";
    public static final String SSE_KMS_KEY_ID = "s3.sse.kms-key-id";
    public static final String ENTROPY_KEY = "s3.entropy.key";
    public static final String ENTROPY_LENGTH = "s3.entropy.length";

    /** S3's smallest part (except the last). */
    public static final int MIN_PART_SIZE = 5 * 1024 * 1024;
    public static final int DEFAULT_PART_SIZE = 16 * 1024 * 1024;
    static final int MAX_PART_SIZE = 512 * 1024 * 1024;

    /** How uploads are checksummed. */
    public enum Checksum {
        /** CRC32C on every PutObject and part, verified by the server; full-object GETs verified by the SDK. */
        CRC32C,
        /** Whatever the SDK sends by default (CRC32 trailers in current versions). */
        SDK_DEFAULT
    }

    /** Server-side encryption of new objects. */
    public enum Encryption {
        NONE, SSE_S3, SSE_KMS
    }

    public S3Config {
        if ((accessKey == null) != (secretKey == null)) {
            throw new ConfigurationException(ACCESS_KEY + " and " + SECRET_KEY + " must be given together");
        }
        if (partSize < MIN_PART_SIZE || partSize > MAX_PART_SIZE) {
            throw new ConfigurationException(PART_SIZE + " = " + partSize + " is out of range ["
                    + MIN_PART_SIZE + ", " + MAX_PART_SIZE + "]");
        }
        if (partsInFlight < 1 || partsInFlight > 64) {
            throw new ConfigurationException(PARTS_IN_FLIGHT + " = " + partsInFlight + " is out of range [1, 64]");
        }
        if (maxAttempts < 1 || maxAttempts > 100) {
            throw new ConfigurationException(MAX_ATTEMPTS + " = " + maxAttempts + " is out of range [1, 100]");
        }
        if (entropyKey != null && (entropyKey.isEmpty() || entropyKey.contains("/"))) {
            throw new ConfigurationException(ENTROPY_KEY + " = '" + entropyKey + "' must be non-empty and contain no '/'");
        }
        if (entropyLength < 1 || entropyLength > 32) {
            throw new ConfigurationException(ENTROPY_LENGTH + " = " + entropyLength + " is out of range [1, 32]");
        }
        if (kmsKeyId != null && encryption != Encryption.SSE_KMS) {
            throw new ConfigurationException(SSE_KMS_KEY_ID + " is set but " + SSE + " is not 'sse-kms'");
        }
    }

    /** Reads the {@code s3.*} keys of {@code config}; unknown keys are ignored. */
    public static S3Config fromMap(Map<String, String> config) {
        return new S3Config(endpoint(config.get(ENDPOINT)),
                text(config, REGION).orElse("us-east-1"),
                bool(config, PATH_STYLE, false),
                text(config, ACCESS_KEY).orElse(null),
                text(config, SECRET_KEY).orElse(null),
                integer(config, PART_SIZE, DEFAULT_PART_SIZE),
                integer(config, PARTS_IN_FLIGHT, 4),
                integer(config, MAX_ATTEMPTS, 10),
                checksum(config.get(CHECKSUM)),
                encryption(config.get(SSE)),
                text(config, SSE_KMS_KEY_ID).orElse(null),
                text(config, ENTROPY_KEY).orElse(null),
                integer(config, ENTROPY_LENGTH, 4));
    }

    /** Whether static credentials were configured. */
    public boolean hasStaticCredentials() {
        return accessKey != null;
    }

    @Override
    public String toString() {
        return "S3Config[endpoint=" + endpoint + ", region=" + region + ", pathStyle=" + pathStyle
                + ", credentials=" + (accessKey != null ? "static (redacted)" : "default chain")
                + ", partSize=" + partSize + ", partsInFlight=" + partsInFlight + ", maxAttempts=" + maxAttempts
                + ", checksum=" + checksum + ", encryption=" + encryption
                + ", kmsKeyId=" + (kmsKeyId != null ? "(set)" : "none")
                + ", entropyKey=" + entropyKey + ", entropyLength=" + entropyLength + "]";
    }

    private static Optional<String> text(Map<String, String> config, String key) {
        String value = config.get(key);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    private static URI endpoint(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            URI uri = new URI(value.trim());
            if (uri.getScheme() == null || uri.getHost() == null
                    || !(uri.getScheme().equalsIgnoreCase("http") || uri.getScheme().equalsIgnoreCase("https"))) {
                throw new ConfigurationException(ENDPOINT + " = '" + value + "' must be an http:// or https:// URL with a host");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new ConfigurationException(ENDPOINT + " = '" + value + "' is not a valid URL: " + e.getMessage(), e);
        }
    }

    private static boolean bool(Map<String, String> config, String key, boolean fallback) {
        Optional<String> value = text(config, key);
        if (value.isEmpty()) {
            return fallback;
        }
        switch (value.get().toLowerCase(Locale.ROOT)) {
            case "true":
                return true;
            case "false":
                return false;
            default:
                throw new ConfigurationException(key + " = '" + value.get() + "' must be 'true' or 'false'");
        }
    }

    private static int integer(Map<String, String> config, String key, int fallback) {
        Optional<String> value = text(config, key);
        if (value.isEmpty()) {
            return fallback;
        }
        try {
            return Integer.parseInt(value.get());
        } catch (NumberFormatException e) {
            throw new ConfigurationException(key + " = '" + value.get() + "' is not a whole number", e);
        }
    }

    private static Checksum checksum(String value) {
        if (value == null || value.isBlank()) {
            return Checksum.CRC32C;
        }
        switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "crc32c":
                return Checksum.CRC32C;
            case "sdk-default":
                return Checksum.SDK_DEFAULT;
            default:
                throw new ConfigurationException(CHECKSUM + " = '" + value + "' is not supported; use 'crc32c' or 'sdk-default'");
        }
    }

    private static Encryption encryption(String value) {
        if (value == null || value.isBlank()) {
            return Encryption.NONE;
        }
        switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "none":
                return Encryption.NONE;
            case "sse-s3":
                return Encryption.SSE_S3;
            case "sse-kms":
                return Encryption.SSE_KMS;
            default:
                throw new ConfigurationException(SSE + " = '" + value + "' is not supported; use 'none', 'sse-s3' or 'sse-kms'");
        }
    }
}
