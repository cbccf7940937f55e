package com.listinglens.eval;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfusionsTest {

    private static List<FieldOutcome> times(int n, String truth, String answer) {
        return Collections.nCopies(n, new FieldOutcome(truth, answer, answer == null ? null : 0.5,
                answer != null && answer.equals(truth)));
    }

    private static List<FieldOutcome> sample() {
        List<FieldOutcome> all = new ArrayList<>();
        all.addAll(times(5, "A", "A"));
        all.addAll(times(3, "A", "B"));
        all.addAll(times(1, "A", null));
        all.addAll(times(2, "B", "A"));
        all.addAll(times(2, "C", "A"));
        all.addAll(times(2, "C", null));
        all.addAll(times(4, "C", "C"));
        all.addAll(times(1, "D", "B"));
        return all;
    }

    @Test
    void countsWrongPairsMostFrequentFirst() {
        Confusions c = Confusions.of(sample(), 12);
        assertThat(c.evaluated()).isEqualTo(20);
        assertThat(c.wrong()).isEqualTo(11);
        assertThat(c.distinctPairs()).isEqualTo(6);
        assertThat(c.top()).extracting(p -> p.truth() + "->" + p.answer() + ":" + p.count() + "/" + p.truthUploads())
                .containsExactly("A->B:3/9", "B->A:2/2", "C->A:2/8", "C->null:2/8", "A->null:1/9", "D->B:1/1");
        assertThat(c.top().get(0).share()).isEqualTo(3 / 9.0);
        assertThat(c.top()).noneMatch(p -> p.answer() != null && p.answer().equals(p.truth()));
    }

    @Test
    void abstentionsAreWrongAsInTheScorecard() {
        Scorecard card = Scorecard.of(sample().stream().map(o -> new UploadOutcome("u", "i", java.util.Map.of("f", o))).toList());
        Confusions c = Confusions.of(card.outcomes("f"), 100);
        assertThat(c.wrong()).isEqualTo(card.field("f").evaluated() - Math.round(card.field("f").accuracy() * 20));
        assertThat(c.top()).filteredOn(Confusions.Pair::abstained).extracting(Confusions.Pair::count).containsExactly(2L, 1L);
    }

    @Test
    void tiesAreBrokenTheSameWayWhateverTheOrder() {
        List<FieldOutcome> all = new ArrayList<>(sample());
        all.addAll(times(2, "B", "C"));
        all.addAll(times(2, "B", null));
        Confusions first = Confusions.of(all, 12);
        Random random = new Random(3);
        for (int i = 0; i < 20; i++) {
            Collections.shuffle(all, random);
            assertThat(Confusions.of(all, 12)).isEqualTo(first);
        }
        // the pairs of count 2: by truth, then answer, abstentions after answers
        assertThat(first.top().subList(1, 6)).extracting(p -> p.truth() + "->" + p.answer())
                .containsExactly("B->A", "B->C", "B->null", "C->A", "C->null");
    }

    @Test
    void keepsTheTopWithinTheLimit() {
        Confusions c = Confusions.of(sample(), 2);
        assertThat(c.top()).hasSize(2);
        assertThat(c.distinctPairs()).isEqualTo(6);
        assertThat(c.wrong()).isEqualTo(11);
        assertThat(Confusions.of(sample(), 0).top()).isEmpty();
        assertThatThrownBy(() -> Confusions.of(sample(), -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void allRightOrNothingGivesNoPairs() {
        Confusions right = Confusions.of(times(4, "A", "A"), 12);
        assertThat(right.top()).isEmpty();
        assertThat(right.wrong()).isZero();
        assertThat(right.evaluated()).isEqualTo(4);
        Confusions none = Confusions.of(List.of(), 12);
        assertThat(none.top()).isEmpty();
        assertThat(none.evaluated()).isZero();
    }

    @Test
    void aLeafIsWrongWhenTheScorecardSaysSoEvenIfItsTextIsAPrefix() {
        // an answer one level short of the true path is wrong at the leaf
        List<FieldOutcome> leaf = List.of(new FieldOutcome("Fruit > Apple > Gala", "Fruit > Apple", 0.9, false));
        assertThat(Confusions.of(leaf, 12).top()).singleElement()
                .satisfies(p -> assertThat(p.answer()).isEqualTo("Fruit > Apple"));
    }
}
