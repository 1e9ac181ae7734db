package dev.cairn.blob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LocationsTest {

    @Test
    void directoryAddsExactlyOneSlash() {
        assertThat(Locations.directory("file:///a/b")).isEqualTo("file:///a/b/");
        assertThat(Locations.directory("file:///a/b//")).isEqualTo("file:///a/b/");
        assertThat(Locations.directory("s3://bucket")).isEqualTo("s3://bucket/");
    }

    @Test
    void nameAndParent() {
        assertThat(Locations.name("s3://b/x/chk-3/")).isEqualTo("chk-3");
        assertThat(Locations.parent("s3://b/x/chk-3/_metadata")).isEqualTo("s3://b/x/chk-3/");
        assertThat(Locations.parent("s3://b/x")).isEqualTo("s3://b/");
        assertThatThrownBy(() -> Locations.parent("s3://b")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void joinAppendsSafePartsAndRefusesOthers() {
        assertThat(Locations.join("file:///r", "job", "chk-1/x")).isEqualTo("file:///r/job/chk-1/x");
        assertThatThrownBy(() -> Locations.join("file:///r", "job", "../x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'..'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "job/chk-1/5f0c2b8e-uuid", "shared/x.sst", "a b/c", "%41", "caf\u00e9", "a-._~b"})
    void acceptsSafeRelativePaths(String path) {
        assertThat(Locations.relativePathProblem(path)).isEmpty();
        assertThat(Locations.resolve("file:///root", path)).isEqualTo("file:///root/" + path);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/etc/passwd", "..", "../x", "a/../../x", "a/..", ".", "./a", "a/./b", "a//b", "a/",
        "a\\..\\b", "a\u0000b", "a\nb", "hdfs://nn/x", "s3://other-bucket/x", "file:/x", "c:/x", "a?b", "a#b",
        "%2e%2e/x", "%2E%2E", "a%2f..%2fb", "%252e%252e/x", "%2fetc", "a%00b", "a%5cb", "%3a", "%", "%2", "%zz",
        "a%c3", "x/%2e"})
    void refusesUnsafeRelativePaths(String path) {
        assertThat(Locations.relativePathProblem(path)).isPresent();
        assertThatThrownBy(() -> Locations.resolve("file:///root", path)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesOverlongPaths() {
        assertThat(Locations.relativePathProblem("a".repeat(Locations.MAX_RELATIVE_PATH_LENGTH))).isEmpty();
        assertThat(Locations.relativePathProblem("a".repeat(Locations.MAX_RELATIVE_PATH_LENGTH + 1)))
                .hasValueSatisfying(r -> assertThat(r).contains("longer"));
    }

    @Test
    void relativizeOnlyStrictlyInside() {
        assertThat(Locations.relativize("file:///r/", "file:///r/job/x")).hasValue("job/x");
        assertThat(Locations.relativize("file:///r", "file:///r/job/x")).hasValue("job/x");
        assertThat(Locations.relativize("file:///r", "file:///r")).isEmpty();
        assertThat(Locations.relativize("file:///r", "file:///r/")).isEmpty();
        assertThat(Locations.relativize("file:///r", "file:///rest/x")).isEmpty();
        assertThat(Locations.relativize("file:///r", "file:///r/../x")).isEmpty();
        assertThat(Locations.relativize("s3://bucket/r", "s3://other-bucket/r/x")).isEmpty();
    }

    @Test
    void printableEscapesControlCharacters() {
        assertThat(Locations.printable("a\u0000b\n")).isEqualTo("a\\u0000b\\u000a");
        assertThat(Locations.printable("x".repeat(300))).hasSize(203);
    }
}
