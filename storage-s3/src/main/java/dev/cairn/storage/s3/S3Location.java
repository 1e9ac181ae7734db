package dev.cairn.storage.s3;

import dev.cairn.error.ConfigurationException;
import java.util.Locale;

/** A parsed {@code s3://bucket/key} location; the key is taken literally. */
record S3Location(String bucket, String key) {
    static final String SCHEME_PREFIX = "s3://";

    /** Parses a blob location: the key must be non-empty and must not end with '/'. */
    static S3Location blob(String location) {
        S3Location parsed = parse(location);
        if (parsed.key.isEmpty() || parsed.key.endsWith("/")) {
            throw new ConfigurationException("'" + location + "' does not name an S3 object (expected s3://bucket/key)");
        }
        return parsed;
    }

    /** Parses a location or prefix; the key may be empty. */
    static S3Location parse(String location) {
        if (location == null || location.length() < SCHEME_PREFIX.length()
                || !location.substring(0, SCHEME_PREFIX.length()).toLowerCase(Locale.ROOT).equals(SCHEME_PREFIX)) {
            throw new ConfigurationException("'" + location + "' is not an s3:// location (expected s3://bucket/key)");
        }
        String rest = location.substring(SCHEME_PREFIX.length());
        int slash = rest.indexOf('/');
        String bucket = slash < 0 ? rest : rest.substring(0, slash);
        String key = slash < 0 ? "" : rest.substring(slash + 1);
        if (bucket.isEmpty() || !bucket.matches("[a-z0-9][a-z0-9.\\-]{1,61}[a-z0-9]")) {
            throw new ConfigurationException("'" + location + "' has no valid bucket name (3-63 of a-z, 0-9, '.', '-')");
        }
        if (key.length() > 1024) {
            throw new ConfigurationException("'" + location + "': an S3 key is at most 1024 characters");
        }
        return new S3Location(bucket, key);
    }

    String uri() {
        return SCHEME_PREFIX + bucket + "/" + key;
    }
}
