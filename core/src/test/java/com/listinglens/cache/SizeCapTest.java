package com.listinglens.cache;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SizeCapTest {

    static String render(List<String> items) {
        return "{\"items\":[" + String.join(",", items.stream().map(s -> "\"" + s + "\"").toList()) + "]}";
    }

    @Test
    void keepsTheLongestPrefixThatFits() {
        List<String> items = List.of("aaaa", "bbbb", "cccc", "dddd", "eeee");
        assertThat(SizeCap.fit(items, SizeCapTest::render, 1000)).isEqualTo(new SizeCap.Fitted(render(items), 5, render(items).length()));
        int three = render(items.subList(0, 3)).length();
        SizeCap.Fitted f = SizeCap.fit(items, SizeCapTest::render, three + 2);
        assertThat(f.kept()).isEqualTo(3);
        assertThat(f.value()).isEqualTo(render(items.subList(0, 3)));
        assertThat(f.bytes()).isLessThanOrEqualTo(three + 2);
        assertThat(SizeCap.fit(items, SizeCapTest::render, render(List.of()).length()).kept()).isZero();
        assertThat(SizeCap.fit(items, SizeCapTest::render, 3).value()).isNull();
    }

    @Test
    void countsUtf8Bytes() {
        List<String> items = List.of("äääää", "ööööö");
        SizeCap.Fitted f = SizeCap.fit(items, SizeCapTest::render, render(items).length() + 2);
        assertThat(f.kept()).isEqualTo(1);
    }
}
