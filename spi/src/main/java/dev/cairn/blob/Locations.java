package dev.cairn.blob;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * String arithmetic on blob locations ({@code scheme://authority/path} URIs), with the safety
 * checks that keep a path read from checkpoint data inside the directory it belongs to.
 * A <em>relative path</em> here is a sequence of non-empty segments separated by {@code /},
 * none of them {@code .} or {@code ..}, with no scheme, backslash, control character, query or
 * fragment, and no percent-escape that decodes (once or repeatedly) to any of these.
 */
public final class Locations {
    /** The longest relative path accepted, in characters. */
    public static final int MAX_RELATIVE_PATH_LENGTH = 4096;

    private Locations() {
    }

    /** {@code location} with exactly one trailing {@code /}, so that appending a relative path stays inside it. */
    public static String directory(String location) {
        String s = location;
        while (s.endsWith("/") && !s.endsWith("://")) {
            s = s.substring(0, s.length() - 1);
        }
        return s + "/";
    }

    /** {@code location} without trailing {@code /} (except after {@code scheme://}). */
    public static String stripTrailingSlash(String location) {
        String s = location;
        while (s.endsWith("/") && !s.endsWith("://")) {
            s = s.substring(0, s.length() - 1);
        }
        return s;
    }

    /**
     * Appends relative paths to a directory location; each must pass {@link #relativePathProblem}.
     *
     * @throws IllegalArgumentException naming the offending part
     */
    public static String join(String directory, String... relativePaths) {
        StringBuilder out = new StringBuilder(directory(directory));
        for (int i = 0; i < relativePaths.length; i++) {
            String part = relativePaths[i];
            Optional<String> problem = relativePathProblem(part);
            if (problem.isPresent()) {
                throw new IllegalArgumentException("cannot append '" + part + "' to " + directory + ": " + problem.get());
            }
            if (i > 0) {
                out.append('/');
            }
            out.append(part);
        }
        return out.toString();
    }

    /** The last path segment of {@code location} (ignoring a trailing {@code /}). */
    public static String name(String location) {
        String s = stripTrailingSlash(location);
        return s.substring(s.lastIndexOf('/') + 1);
    }

    /** {@code location} without its last path segment, as a directory with a trailing {@code /}. */
    public static String parent(String location) {
        String s = stripTrailingSlash(location);
        int slash = s.lastIndexOf('/');
        int schemeEnd = s.indexOf("://");
        if (slash < 0 || (schemeEnd >= 0 && slash < schemeEnd + 3)) {
            throw new IllegalArgumentException(location + " has no parent");
        }
        return s.substring(0, slash + 1);
    }

    /**
     * The path of {@code location} relative to {@code root}, if it lies strictly inside it and
     * the remainder is a safe relative path.
     */
    public static Optional<String> relativize(String root, String location) {
        String dir = directory(root);
        if (!location.startsWith(dir) || location.length() == dir.length()) {
            return Optional.empty();
        }
        String rest = location.substring(dir.length());
        return relativePathProblem(rest).isPresent() ? Optional.empty() : Optional.of(rest);
    }

    /**
     * {@code root} joined with {@code relativePath}, which came from untrusted data.
     *
     * @throws IllegalArgumentException with the reason if the path is not a safe relative path
     */
    public static String resolve(String root, String relativePath) {
        Optional<String> problem = relativePathProblem(relativePath);
        if (problem.isPresent()) {
            throw new IllegalArgumentException("path '" + printable(relativePath) + "' " + problem.get());
        }
        return directory(root) + relativePath;
    }

    /**
     * Why {@code path} is not a safe relative path, or empty if it is one. The path is checked
     * as written and after every round of percent-decoding, so {@code %2e%2e} or {@code %252e%252e}
     * are refused like {@code ..}.
     */
    public static Optional<String> relativePathProblem(String path) {
        if (path == null || path.isEmpty()) {
            return Optional.of("is empty");
        }
        if (path.length() > MAX_RELATIVE_PATH_LENGTH) {
            return Optional.of("is longer than " + MAX_RELATIVE_PATH_LENGTH + " characters");
        }
        String current = path;
        for (int round = 0; ; round++) {
            Optional<String> problem = literalProblem(current);
            if (problem.isPresent()) {
                return Optional.of(round == 0 ? problem.get() : problem.get() + " after percent-decoding");
            }
            if (current.indexOf('%') < 0) {
                return Optional.empty();
            }
            Optional<String> decoded = percentDecode(current);
            if (decoded.isEmpty()) {
                return Optional.of("has a malformed percent-escape");
            }
            current = decoded.get();
        }
    }

    private static Optional<String> literalProblem(String path) {
        if (path.isEmpty()) {
            return Optional.of("is empty");
        }
        if (path.startsWith("/")) {
            return Optional.of("is absolute");
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == 0) {
                return Optional.of("contains a NUL character");
            }
            if (Character.isISOControl(c)) {
                return Optional.of("contains a control character");
            }
            switch (c) {
                case '\\':
                    return Optional.of("contains a backslash");
                case ':':
                    return Optional.of("contains ':' (a scheme or drive letter)");
                case '?':
                case '#':
                    return Optional.of("contains '" + c + "' (a query or fragment)");
                default:
                    break;
            }
        }
        int start = 0;
        while (true) {
            int slash = path.indexOf('/', start);
            String segment = slash < 0 ? path.substring(start) : path.substring(start, slash);
            if (segment.isEmpty()) {
                return Optional.of("has an empty segment");
            }
            if (segment.equals(".") || segment.equals("..")) {
                return Optional.of("has a '" + segment + "' segment");
            }
            if (slash < 0) {
                return Optional.empty();
            }
            start = slash + 1;
        }
    }

    private static Optional<String> percentDecode(String s) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    return Optional.empty();
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return Optional.empty();
                }
                bytes.write(hi << 4 | lo);
                i += 2;
            } else {
                byte[] enc = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                if (Character.isHighSurrogate(c) && i + 1 < s.length()) {
                    enc = s.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
                    i++;
                }
                bytes.write(enc, 0, enc.length);
            }
        }
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray())).toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    /** {@code s} with control characters escaped, for error messages. */
    public static String printable(String s) {
        StringBuilder out = new StringBuilder(Math.min(s.length(), 200) + 8);
        for (int i = 0; i < s.length() && i < 200; i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        if (s.length() > 200) {
            out.append("...");
        }
        return out.toString();
    }
}
