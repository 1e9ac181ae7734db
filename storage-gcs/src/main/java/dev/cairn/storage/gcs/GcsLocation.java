package dev.cairn.storage.gcs;

import com.google.cloud.storage.BlobId;
import dev.cairn.error.ConfigurationException;

/** A parsed {@code gs://bucket/object} location: the bucket and the object name (or name prefix). */
record GcsLocation(String bucket, String name) {

    static final String PREFIX = "gs://";

    /** A location naming one object; the object name must not be empty. */
    static GcsLocation parseObject(String location) {
        GcsLocation loc = parsePrefix(location);
        if (loc.name.isEmpty() || loc.name.endsWith("/")) {
            throw new ConfigurationException("'" + location + "' names no object (expected gs://bucket/object)");
        }
        return loc;
    }

    /** A bucket and an object-name prefix, which may be empty. */
    static GcsLocation parsePrefix(String location) {
        if (location == null || !location.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            throw new ConfigurationException("'" + location + "' is not a gs:// location (expected gs://bucket/object)");
        }
        String rest = location.substring(PREFIX.length());
        int slash = rest.indexOf('/');
        String bucket = slash < 0 ? rest : rest.substring(0, slash);
        String name = slash < 0 ? "" : rest.substring(slash + 1);
        if (bucket.isEmpty()) {
            throw new ConfigurationException("'" + location + "' has no bucket (expected gs://bucket/object)");
        }
        return new GcsLocation(bucket, name);
    }

    static String toLocation(String bucket, String name) {
        return PREFIX + bucket + "/" + name;
    }

    BlobId blobId() {
        return BlobId.of(bucket, name);
    }

    @Override
    public String toString() {
        return toLocation(bucket, name);
    }
}
