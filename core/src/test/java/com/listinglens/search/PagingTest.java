package com.listinglens.search;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PagingTest {

    @Test
    void pagesAreBoundedByPageSizeAndWindow() {
        Paging p = Paging.of(null, null, 20, 100, 1000);
        assertThat(p).isEqualTo(new Paging(0, 20));
        assertThat(p.depth()).isEqualTo(20);
        assertThat(p.next(1000)).isEqualTo(new Paging(20, 20));
        assertThat(new Paging(990, 20).next(1000)).isNull();
        assertThat(new Paging(980, 15).next(1000)).isEqualTo(new Paging(995, 5));
        assertThat(Paging.of(900, 100, 20, 100, 1000).depth()).isEqualTo(1000);
        assertThatThrownBy(() -> Paging.of(901, 100, 20, 100, 1000)).hasMessageContaining("beyond the 1000");
        assertThatThrownBy(() -> Paging.of(0, 101, 20, 100, 1000)).hasMessageContaining("1..100");
        assertThatThrownBy(() -> Paging.of(0, 0, 20, 100, 1000)).hasMessageContaining("1..100");
        assertThatThrownBy(() -> Paging.of(-1, 10, 20, 100, 1000)).hasMessageContaining(">= 0");
    }

    @Test
    void cursorsRoundTripAndRefuseAnythingElse() {
        Cursor c = new Cursor("0123456789abcdef0123456789abcdef", 40);
        assertThat(Cursor.parse(c.toString())).isEqualTo(c);
        for (String bad : new String[]{null, "", "0123456789abcdef0123456789abcdef", "0123456789abcdef0123456789abcdef.-1",
                "0123456789ABCDEF0123456789abcdef.1", "x.1", "0123456789abcdef0123456789abcdef.12345678"}) {
            assertThatThrownBy(() -> Cursor.parse(bad)).as(String.valueOf(bad)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
