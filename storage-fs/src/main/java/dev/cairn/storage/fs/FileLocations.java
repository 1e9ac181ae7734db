package dev.cairn.storage.fs;

import dev.cairn.error.ConfigurationException;
import java.io.File;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * Maps {@code file:///absolute/path} locations to paths and back. The path part is taken literally
 * (no percent-decoding), so one location string names exactly one file and listing returns the
 * same strings that were written; anything that could name a file two ways ({@code .}, {@code ..},
 * {@code //}) is refused.
 */
final class FileLocations {
    static final String SCHEME_PREFIX = "file://";
    static final String TEMP_SUFFIX = ".inprogress";

    private FileLocations() {
    }

    /** A listing prefix split at its last '/': the directory to walk and the start of the names in it. */
    record Prefix(String directoryLocation, Path directory, String namePrefix) {
    }

    /** The file a blob location names. */
    static Path blobPath(String location) {
        String path = checkedPath(location, false);
        String name = path.substring(path.lastIndexOf('/') + 1);
        if (isTempName(name)) {
            throw invalid(location, "file names starting with '.' and ending with '" + TEMP_SUFFIX
                    + "' are reserved for in-progress writes");
        }
        return toPath(location, path);
    }

    /** The directory and name start a listing prefix names. */
    static Prefix prefix(String prefix) {
        String path = checkedPath(prefix, true);
        int slash = path.lastIndexOf('/');
        String directoryLocation = prefix.substring(0, prefix.length() - (path.length() - slash - 1));
        return new Prefix(directoryLocation, toPath(prefix, path.substring(0, slash + 1)), path.substring(slash + 1));
    }

    /** Whether {@code name} is a temporary file of an uncommitted write (never a blob). */
    static boolean isTempName(String name) {
        return name.startsWith(".") && name.endsWith(TEMP_SUFFIX);
    }

    /** The location of an absolute path, e.g. {@code file:///tmp/x} for {@code /tmp/x}. */
    static String toLocation(Path path) {
        if (!path.isAbsolute()) {
            throw new ConfigurationException("'" + path + "' is not an absolute path; a file location needs one");
        }
        String text = path.toString().replace(File.separatorChar, '/');
        return SCHEME_PREFIX + (text.startsWith("/") ? "" : "/") + text;
    }

    private static String checkedPath(String location, boolean isPrefix) {
        if (location == null) {
            throw new ConfigurationException("blob location is null (expected file:///absolute/path)");
        }
        if (location.indexOf('\0') >= 0) {
            throw invalid(location, "it contains a NUL character");
        }
        if (!location.regionMatches(true, 0, SCHEME_PREFIX, 0, SCHEME_PREFIX.length())) {
            int colon = location.indexOf(':');
            int slash = location.indexOf('/');
            boolean hasScheme = colon > 0 && (slash < 0 || colon < slash);
            if (!hasScheme) {
                throw invalid(location, "it has no scheme");
            }
            String scheme = location.substring(0, colon);
            throw invalid(location, scheme.equalsIgnoreCase("file")
                    ? "it lacks the '//' of file:///absolute/path"
                    : "scheme '" + scheme + "' is not served by the file:// store");
        }
        String path = location.substring(SCHEME_PREFIX.length());
        if (!path.startsWith("/")) {
            int end = path.indexOf('/');
            throw invalid(location, "it names a host ('" + (end < 0 ? path : path.substring(0, end))
                    + "'); only local paths are served");
        }
        String[] segments = path.substring(1).split("/", -1);
        for (int i = 0; i < segments.length; i++) {
            String segment = segments[i];
            boolean last = i == segments.length - 1;
            if (segment.equals("..") || segment.equals(".")) {
                throw invalid(location, "it contains a '" + segment + "' segment");
            }
            if (segment.isEmpty() && !last) {
                throw invalid(location, "it contains an empty path segment ('//')");
            }
            if (segment.isEmpty() && !isPrefix) {
                throw invalid(location, "it ends with '/' and so names a directory, not a blob");
            }
        }
        return path;
    }

    private static Path toPath(String location, String path) {
        String native_ = path;
        if (File.separatorChar == '\\' && path.length() >= 3 && path.charAt(2) == ':') {
            native_ = path.substring(1);
        }
        Path result;
        try {
            result = Path.of(native_);
        } catch (InvalidPathException e) {
            throw new ConfigurationException(location + ": invalid file location: " + e.getMessage(), e);
        }
        if (!result.isAbsolute()) {
            throw invalid(location, "it is not an absolute path");
        }
        return result;
    }

    private static ConfigurationException invalid(String location, String reason) {
        return new ConfigurationException("'" + location + "' is not a valid file location: " + reason
                + " (expected file:///absolute/path)");
    }
}
