package dev.cairn.format;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Builds a body in memory in the encoding {@link FormatReader} reads; finish with {@link Envelope#seal}. */
public final class FormatWriter {
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(256);
    private final DataOutputStream out = new DataOutputStream(buffer);

    public FormatWriter writeByte(int v) {
        return run(() -> out.writeByte(v));
    }

    public FormatWriter writeBoolean(boolean v) {
        return run(() -> out.writeBoolean(v));
    }

    public FormatWriter writeInt(int v) {
        return run(() -> out.writeInt(v));
    }

    public FormatWriter writeLong(long v) {
        return run(() -> out.writeLong(v));
    }

    public FormatWriter writeBytes(byte[] v) {
        return run(() -> {
            out.writeInt(v.length);
            out.write(v);
        });
    }

    public FormatWriter writeString(String v) {
        return writeBytes(v.getBytes(StandardCharsets.UTF_8));
    }

    public int size() {
        return buffer.size();
    }

    public byte[] toByteArray() {
        return buffer.toByteArray();
    }

    private FormatWriter run(IoAction action) {
        try {
            action.run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    @FunctionalInterface
    private interface IoAction {
        void run() throws IOException;
    }
}
