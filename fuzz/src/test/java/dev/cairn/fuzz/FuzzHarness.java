package dev.cairn.fuzz;

import dev.cairn.error.CairnException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * The property every fuzz target checks, and its figures. {@link #check} runs one input: it may be accepted or
 * refused with a {@link CairnException}; any other throwable (an {@code IllegalArgumentException}, an
 * {@code IndexOutOfBoundsException}, an {@code OutOfMemoryError}, ...) is a defect of the reader and fails the input,
 * so Jazzer reports it as a finding. Every input is timed; {@link #report} prints (and writes under
 * {@code cairn.fuzz.report}) the executions, the time, the slowest input, and the outcomes by exception type.
 *
 * <p>The first byte of an input selects how it is fed: even, the bytes as they are; odd, with the CRC32C of every
 * {@link dev.cairn.format.Envelope} recomputed ({@link #resealWhole}, {@link #resealFrames}), so the fuzzer gets past
 * the checksum into the body parsers instead of being stopped at the frame.
 */
final class FuzzHarness {
    /** The checkpoint root that fuzzed metadata and handles are read against. */
    static final String ROOT = "file:///fuzz/checkpoints/";
    /** The longest any input may take (libFuzzer's {@code -timeout} also stops one that hangs). */
    static final long MAX_INPUT_NANOS = 1_000_000_000L;
    /** The first inputs, run while classes load and the JIT warms up, are timed but not held to the limit. */
    static final int WARM_UP = 50;

    private final String target;
    private final Map<String, Long> outcomes = new TreeMap<>();
    private long executions;
    private long firstNanos;
    private long slowestNanos;
    private long slowestAfterWarmUpNanos;

    FuzzHarness(String target) {
        this.target = target;
    }

    /** Runs one input through {@code reader}. */
    synchronized void check(Runnable reader) {
        long started = System.nanoTime();
        if (executions++ == 0) {
            firstNanos = started;
        }
        try {
            reader.run();
            count("accepted");
        } catch (CairnException e) {
            if (e.getMessage() == null || e.getMessage().isBlank()) {
                throw new AssertionError(target + ": a refusal without a message", e);
            }
            count(e.getClass().getSimpleName());
        } finally {
            long took = System.nanoTime() - started;
            slowestNanos = Math.max(slowestNanos, took);
            if (executions > WARM_UP) {
                slowestAfterWarmUpNanos = Math.max(slowestAfterWarmUpNanos, took);
            }
            if (took > MAX_INPUT_NANOS && executions > WARM_UP) {
                throw new AssertionError(target + ": one input took " + took / 1_000_000 + " ms");
            }
        }
    }

    private void count(String outcome) {
        outcomes.merge(outcome, 1L, Long::sum);
    }

    /** Whether the input is to be fed with recomputed checksums. */
    static boolean resealed(byte[] input) {
        return input.length > 0 && (input[0] & 1) == 1;
    }

    /** The input without its mode byte. */
    static byte[] body(byte[] input) {
        return input.length == 0 ? input : Arrays.copyOfRange(input, 1, input.length);
    }

    /** A seed: {@code bytes} with the mode byte, {@code reseal} choosing the checksum-fixing mode. */
    static byte[] seed(byte[] bytes, boolean reseal) {
        byte[] s = new byte[bytes.length + 1];
        s[0] = (byte) (reseal ? 1 : 0);
        System.arraycopy(bytes, 0, s, 1, bytes.length);
        return s;
    }

    /** A copy whose last 4 bytes are the CRC32C of everything before them: one envelope over the whole array. */
    static byte[] resealWhole(byte[] bytes) {
        byte[] copy = bytes.clone();
        if (copy.length >= 4) {
            CRC32C crc = new CRC32C();
            crc.update(copy, 0, copy.length - 4);
            ByteBuffer.wrap(copy, copy.length - 4, 4).putInt((int) crc.getValue());
        }
        return copy;
    }

    /**
     * A copy in which every length-prefixed envelope of a snapshot stream (as {@code SnapshotStreams} writes them,
     * one after the other from offset 0) gets its CRC32C recomputed, as far as the lengths lead.
     */
    static byte[] resealFrames(byte[] bytes) {
        byte[] copy = bytes.clone();
        int pos = 0;
        while (pos <= copy.length - 4) {
            int length = ByteBuffer.wrap(copy, pos, 4).getInt();
            if (length < 4 || length > copy.length - pos - 4) {
                break;
            }
            int start = pos + 4;
            CRC32C crc = new CRC32C();
            crc.update(copy, start, length - 4);
            ByteBuffer.wrap(copy, start + length - 4, 4).putInt((int) crc.getValue());
            pos = start + length;
        }
        return copy;
    }

    /** Prints the figures and writes them to {@code <cairn.fuzz.report>/<target>.txt}. */
    synchronized String report() {
        double seconds = executions == 0 ? 0 : (System.nanoTime() - firstNanos) / 1e9;
        String line = String.format(Locale.ROOT, "fuzz target %s: %,d executions in %.1f s (%,.0f exec/s), "
                + "slowest input %.1f ms (%.1f ms after the first %d); outcomes %s", target, executions, seconds,
                seconds == 0 ? 0 : executions / seconds, slowestNanos / 1e6, slowestAfterWarmUpNanos / 1e6, WARM_UP,
                outcomes);
        System.out.println(line);
        String directory = System.getProperty("cairn.fuzz.report");
        if (directory != null) {
            try {
                Path dir = Files.createDirectories(Path.of(directory));
                Files.writeString(dir.resolve(target + ".txt"), line + System.lineSeparator(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return line;
    }

    long executions() {
        return executions;
    }
}
