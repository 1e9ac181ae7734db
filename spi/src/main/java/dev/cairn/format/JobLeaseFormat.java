package dev.cairn.format;

import dev.cairn.checkpoint.JobLease;
import java.time.Duration;
import java.time.Instant;

/**
 * A lease blob of a job directory ({@code <job>/_lease-<holder>-<sequence>}):
 * {@code envelope(MAGIC, v1, holder:string description:string renewedAtMillis:int64 ttlMillis:int64)}.
 */
public final class JobLeaseFormat {
    public static final int MAGIC = 0x43414C45;
    public static final int VERSION = 1;
    private static final String FORMAT_NAME = "job lease";
    /** Longest holder identity. */
    public static final int MAX_HOLDER_BYTES = 128;
    /** Longest description. */
    public static final int MAX_DESCRIPTION_BYTES = 1024;

    private JobLeaseFormat() {
    }

    public static byte[] write(JobLease lease) {
        FormatWriter out = new FormatWriter();
        out.writeString(lease.holder());
        out.writeString(lease.description());
        out.writeLong(lease.renewedAt().toEpochMilli());
        out.writeLong(lease.ttl().toMillis());
        return Envelope.seal(MAGIC, VERSION, out.toByteArray());
    }

    /** @throws dev.cairn.error.CorruptCheckpointException naming {@code file} if the bytes are not a sound lease */
    public static JobLease read(String file, byte[] bytes) {
        FormatReader in = Envelope.open(file, FORMAT_NAME, bytes, MAGIC, VERSION).body();
        String holder = in.readString("holder", MAX_HOLDER_BYTES);
        String description = in.readString("description", MAX_DESCRIPTION_BYTES);
        long renewedAt = in.readLong("renewal time", Long.MAX_VALUE);
        long ttl = in.readLong("ttl", Long.MAX_VALUE);
        in.expectEnd();
        if (holder.isEmpty()) {
            throw in.corrupt("the holder is empty");
        }
        if (ttl == 0) {
            throw in.corrupt("the ttl is 0");
        }
        return new JobLease(holder, description, Instant.ofEpochMilli(renewedAt), Duration.ofMillis(ttl));
    }
}
