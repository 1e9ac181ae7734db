package dev.cairn.format;

import dev.cairn.checkpoint.JobEnd;
import java.util.ArrayList;
import java.util.List;

/**
 * The job-end record ({@code <job>/_job-ended}): {@code envelope(MAGIC, v1, termination:string
 * lastCheckpointId:int64 endedAtMillis:int64 kept:int32 (pointer:string)*)}.
 */
public final class JobEndFormat {
    public static final int MAGIC = 0x43414A45;
    public static final int VERSION = 1;
    private static final String FORMAT_NAME = "job-end record";
    private static final int MAX_TERMINATION_BYTES = 64;
    /** Longest pointer of a kept checkpoint. */
    public static final int MAX_POINTER_BYTES = 4096;

    private JobEndFormat() {
    }

    public static byte[] write(JobEnd end) {
        FormatWriter out = new FormatWriter();
        out.writeString(end.termination());
        out.writeLong(end.lastCheckpointId());
        out.writeLong(end.endedAtMillis());
        out.writeInt(end.keptCheckpoints().size());
        for (String pointer : end.keptCheckpoints()) {
            out.writeString(pointer);
        }
        return Envelope.seal(MAGIC, VERSION, out.toByteArray());
    }

    /** @throws dev.cairn.error.CorruptCheckpointException naming {@code file} if the bytes are not a sound record */
    public static JobEnd read(String file, byte[] bytes) {
        FormatReader in = Envelope.open(file, FORMAT_NAME, bytes, MAGIC, VERSION).body();
        String termination = in.readString("termination", MAX_TERMINATION_BYTES);
        long last = in.readLong("last checkpoint id", Long.MAX_VALUE);
        long ended = in.readLong();
        int count = in.readCount("kept checkpoints", 4);
        List<String> kept = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            kept.add(in.readString("kept checkpoint pointer", MAX_POINTER_BYTES));
        }
        in.expectEnd();
        if (termination.isEmpty()) {
            throw in.corrupt("the termination is empty");
        }
        return new JobEnd(termination, last, ended, kept);
    }
}
