package com.listinglens.pool;

import com.listinglens.catalog.Listing;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ListingFilterTest {

    static Listing listing(String id, List<String> category, String brand, Double price) {
        return new Listing(id, "x.jpg", "t", category, brand, null, price, null);
    }

    @Test
    void everyPartMustMatch() {
        ListingFilter f = new ListingFilter(ListingFilter.categoryPath(" Packages / Milk "), Set.of("ARLA", " Garant"), 5.0, 10.0,
                Set.of("x2"));
        assertThat(f.matches(listing("x1", List.of("Packages", "Milk", "Standard"), "Arla", 7.0))).isTrue();
        assertThat(f.matches(listing("x1", List.of("packages", "milk"), "garant", 5.0))).isTrue();
        assertThat(f.matches(listing("x2", List.of("Packages", "Milk"), "Arla", 7.0))).as("excluded id").isFalse();
        assertThat(f.matches(listing("x1", List.of("Packages"), "Arla", 7.0))).as("shallower than the prefix").isFalse();
        assertThat(f.matches(listing("x1", List.of("Packages", "Juice"), "Arla", 7.0))).isFalse();
        assertThat(f.matches(listing("x1", List.of("Packages", "Milk"), null, 7.0))).as("no brand").isFalse();
        assertThat(f.matches(listing("x1", List.of("Packages", "Milk"), "Arla", null))).as("no price under a price bound").isFalse();
        assertThat(f.matches(listing("x1", List.of("Packages", "Milk"), "Arla", 10.01))).isFalse();
        assertThat(ListingFilter.NONE.matches(listing("x1", List.of(), null, null))).isTrue();
        assertThat(ListingFilter.NONE.isNone()).isTrue();
        assertThat(f.isNone()).isFalse();
    }

    @Test
    void badFiltersAreRefused() {
        assertThatThrownBy(() -> new ListingFilter(List.of(), Set.of(), 10.0, 5.0, Set.of())).hasMessageContaining("above");
        assertThatThrownBy(() -> new ListingFilter(List.of(), Set.of(), -1.0, null, Set.of())).hasMessageContaining(">= 0");
        assertThatThrownBy(() -> new ListingFilter(List.of(), Set.of(), Double.NaN, null, Set.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ListingFilter(ListingFilter.categoryPath("a//b"), Set.of(), null, null, Set.of()))
                .hasMessageContaining("non-empty");
        assertThatThrownBy(() -> new ListingFilter(List.of(), Set.of(" "), null, null, Set.of())).hasMessageContaining("brand");
        Set<String> many = new java.util.HashSet<>();
        for (int i = 0; i <= ListingFilter.MAX_EXCLUDED; i++) {
            many.add("id" + i);
        }
        assertThatThrownBy(() -> new ListingFilter(List.of(), Set.of(), null, null, many)).hasMessageContaining("excluded");
        assertThat(ListingFilter.categoryPath("  ")).isEmpty();
    }

    @Test
    void columnsCompileTheSameSetAsThePredicate() {
        List<Listing> ls = List.of(listing("a", List.of("Fruit", "Apple"), "X", 1.0), listing("b", List.of("Fruit", "Pear"), null, null),
                listing("c", List.of("Veg"), "x", 3.0), listing("d", List.of("Fruit", "Apple", "Red"), "Y", 2.0));
        ListingStore store = ListingStore.of(ls);
        PoolColumns columns = new PoolColumns(store);
        assertThat(columns.compile(ListingFilter.NONE, null)).isNull();
        assertThat(columns.row("c")).isEqualTo(2);
        assertThat(columns.row("zz")).isEqualTo(-1);
        ListingFilter f = new ListingFilter(List.of("Fruit"), Set.of(), null, 2.5, Set.of());
        var bits = columns.compile(f, new long[]{0b1000});
        for (int r = 0; r < ls.size(); r++) {
            assertThat(bits.contains(r)).as("row " + r).isEqualTo(f.matches(ls.get(r)) && r != 3);
        }
        var allButB = columns.compile(ListingFilter.NONE, new long[]{0b10});
        assertThat(allButB.count()).isEqualTo(3);
        assertThat(allButB.contains(1)).isFalse();
    }
}
