package com.listinglens.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Keys of the artifact store: names are single safe segments, prefixes plain folder paths. */
class LayoutTest {

    @ParameterizedTest
    @ValueSource(strings = {"a", "Z", "0", "tenant-1", "v2024.06.01_3", "pool-v1.2", "A.b_c-d"})
    void acceptsPlainSegments(String value) {
        assertThat(Layout.segment("tenant", value)).isEqualTo(value);
        assertThat(Layout.isSegment(value)).isTrue();
    }

    @Test
    void acceptsSegmentsUpTo128Characters() {
        String max = "a".repeat(128);
        assertThat(Layout.segment("tenant", max)).isEqualTo(max);
        assertThat(Layout.isSegment(max)).isTrue();
    }

    @Test
    void refuses129Characters() {
        String tooLong = "a".repeat(129);
        assertThat(Layout.isSegment(tooLong)).isFalse();
        assertThatThrownBy(() -> Layout.segment("tenant", tooLong))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tenant")
                .hasMessageContaining("1-128");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "..", ".", "a/b", "/a", "a/", "a\\b", "a..b", "v1..", ".hidden", "-x", "_x",
            "a b", "a:b", "ä", "a*", "a\nb", "../x", "x/.."})
    void refusesUnsafeSegments(String value) {
        assertThat(Layout.isSegment(value)).isFalse();
        assertThatThrownBy(() -> Layout.segment("pool version", value))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pool version");
    }

    @ParameterizedTest
    @NullSource
    void refusesNull(String value) {
        assertThat(Layout.isSegment(value)).isFalse();
        assertThatThrownBy(() -> Layout.segment("tenant", value)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void normalisesPrefixes() {
        assertThat(new Layout(null).prefix()).isEmpty();
        assertThat(new Layout("").prefix()).isEmpty();
        assertThat(new Layout("  ").prefix()).isEmpty();
        assertThat(new Layout("/").prefix()).isEmpty();
        assertThat(new Layout("lens").prefix()).isEqualTo("lens/");
        assertThat(new Layout("a/b").prefix()).isEqualTo("a/b/");
        assertThat(new Layout("a/b/").prefix()).isEqualTo("a/b/");
        assertThat(new Layout("/a/b").prefix()).isEqualTo("a/b/");
        assertThat(new Layout(" a/b ").prefix()).isEqualTo("a/b/");
    }

    @ParameterizedTest
    @ValueSource(strings = {"..", "../a", "a/../b", "a/..", "a//b", "//a", "./a", "a/./b", "a b", "a\\b", ".hidden/x"})
    void refusesPrefixesThatAreNotPlainFolderPaths(String prefix) {
        assertThatThrownBy(() -> new Layout(prefix))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a plain folder path");
    }

    @Test
    void laysOutPoolKeys() {
        Layout root = new Layout("");
        assertThat(root.poolPointer("shop-1")).isEqualTo("pools/shop-1/current");
        assertThat(root.poolVersion("shop-1", "v7")).isEqualTo("pools/shop-1/v7/");
        assertThat(root.poolsOf("shop-1")).isEqualTo("pools/shop-1/");

        Layout prefixed = new Layout("env/prod");
        assertThat(prefixed.poolPointer("shop-1")).isEqualTo("env/prod/pools/shop-1/current");
        assertThat(prefixed.poolVersion("shop-1", "v7")).isEqualTo("env/prod/pools/shop-1/v7/");
        assertThat(prefixed.poolsOf("shop-1")).isEqualTo("env/prod/pools/shop-1/");
        assertThat(Layout.file(prefixed.poolVersion("shop-1", "v7"), Layout.MANIFEST))
                .isEqualTo("env/prod/pools/shop-1/v7/manifest.json");
    }

    @Test
    void laysOutModelKeys() {
        Layout layout = new Layout("lens");
        assertThat(layout.modelPointer("clip-b32")).isEqualTo("lens/models/clip-b32/current");
        assertThat(layout.modelVersion("clip-b32", "2024.1")).isEqualTo("lens/models/clip-b32/2024.1/");
    }

    @Test
    void checksEverySegmentOfAKey() {
        Layout layout = new Layout("lens");
        assertThatThrownBy(() -> layout.poolPointer("../other")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tenant");
        assertThatThrownBy(() -> layout.poolVersion("shop", "..")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pool version");
        assertThatThrownBy(() -> layout.poolsOf("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> layout.modelPointer("a/b")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("model name");
        assertThatThrownBy(() -> layout.modelVersion("clip", "v/1")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("model version");
        assertThatThrownBy(() -> Layout.file("lens/pools/shop/v1/", "../current")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("file name");
    }
}
