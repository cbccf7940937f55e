package com.listinglens.training;

import com.listinglens.catalog.Listing;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TrainingLabelsTest {

    static Listing listing(String id, String... category) {
        return new Listing(id, id + ".jpg", null, List.of(category), null, null, null, null);
    }

    @Test
    void leafAndCoarseClassesAreNumberedInSortedOrder() {
        List<Listing> ls = List.of(listing("a", "Fruit", "Pear", "Conference"), listing("b", "Fruit", "Apple", "Gala"),
                listing("c", "Fruit", "Apple", "Pink-Lady"), listing("d", "Packages", "Milk", "Arla"));
        TrainingLabels labels = TrainingLabels.of(ls);
        assertThat(labels.leafNames()).containsExactly("Fruit/Apple/Gala", "Fruit/Apple/Pink-Lady", "Fruit/Pear/Conference",
                "Packages/Milk/Arla");
        assertThat(labels.coarseNames()).containsExactly("Fruit/Apple", "Fruit/Pear", "Packages/Milk");
        assertThat(ls.stream().mapToInt(labels::leafOf).toArray()).containsExactly(2, 0, 1, 3);
        assertThat(ls.stream().mapToInt(labels::coarseOf).toArray()).containsExactly(1, 0, 0, 2);
    }

    @Test
    void theSameListingsInAnotherOrderGiveTheSameIndices() {
        List<Listing> ls = List.of(listing("a", "B", "x"), listing("b", "A", "y"), listing("c", "C", "z"));
        TrainingLabels one = TrainingLabels.of(ls);
        TrainingLabels other = TrainingLabels.of(List.of(ls.get(2), ls.get(0), ls.get(1)));
        for (Listing l : ls) {
            assertThat(other.leafOf(l)).isEqualTo(one.leafOf(l));
        }
    }

    @Test
    void aOneLevelCategoryIsItsOwnCoarseClass() {
        TrainingLabels labels = TrainingLabels.of(List.of(listing("a", "Books"), listing("b", "Toys")));
        assertThat(labels.coarseNames()).containsExactly("Books", "Toys");
    }

    @Test
    void listingsWithoutCategoryAreLeftOutAndFewerThanTwoClassesAreRefused() {
        Listing none = new Listing("n", "n.jpg", null, List.of(), null, null, null, null);
        assertThat(TrainingLabels.usable(none)).isFalse();
        assertThat(TrainingLabels.usable(listing("b", "A", " "))).isFalse();
        assertThatThrownBy(() -> TrainingLabels.of(List.of(none, listing("a", "A"), listing("b", "A"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 2 leaf categories");
    }

    @Test
    void anUnknownCategoryIsRefusedByName() {
        TrainingLabels labels = TrainingLabels.of(List.of(listing("a", "A"), listing("b", "B")));
        assertThatThrownBy(() -> labels.leafOf(listing("c", "C"))).hasMessageContaining("C");
    }
}
