package com.listinglens.eval;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EvaluationResultsTest {

    static final EvaluationResults.Setup SETUP = new EvaluationResults.Setup("val.jsonl", "abc", "v1", 100, "mobilenet_v2",
            "int8", 1, "2025-01-01T00:00:00Z");

    @Test
    void theHeaderCountsEachFieldInTheScorecardsOrder() {
        Map<String, FieldOutcome> one = new LinkedHashMap<>();
        one.put("category leaf", new FieldOutcome("A > B", "A > B", 0.9, true));
        one.put("brand", new FieldOutcome("X", null, null, false));
        Map<String, FieldOutcome> two = new LinkedHashMap<>();
        two.put("category leaf", new FieldOutcome("A > B", "A > C", 0.6, false));
        EvaluationResults r = EvaluationResults.of("stock", SETUP, List.of(new UploadOutcome("1", "1.jpg", one),
                new UploadOutcome("2", "2.jpg", two)));
        assertThat(r.label()).isEqualTo("stock");
        assertThat(r.header().format()).isEqualTo(EvaluationResults.FORMAT);
        assertThat(r.header().uploads()).isEqualTo(2);
        assertThat(r.header().fields().keySet()).containsExactly("category leaf", "brand");
        assertThat(r.header().fields().get("category leaf")).isEqualTo(new EvaluationResults.Counts(2, 2, 1));
        assertThat(r.header().fields().get("brand")).isEqualTo(new EvaluationResults.Counts(1, 0, 0));
        assertThat(r.scorecard().field("category leaf").accuracy()).isEqualTo(0.5);
        assertThat(r.scorecard().field("brand").coverage()).isZero();
    }

    @Test
    void anOutcomeKeepsItsFieldOrderAndAnAbstentionIsNeverRight() {
        Map<String, FieldOutcome> fields = new LinkedHashMap<>();
        for (String f : new String[]{"z", "a", "m"}) {
            fields.put(f, new FieldOutcome("t", "t", 1.0, true));
        }
        assertThat(new UploadOutcome("1", "1.jpg", fields).fields().keySet()).containsExactly("z", "a", "m");
        assertThatThrownBy(() -> new FieldOutcome("t", null, null, true)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FieldOutcome(null, "t", null, false)).isInstanceOf(IllegalArgumentException.class);
        assertThat(new FieldOutcome("t", "u", null, false).scored()).isFalse();
        assertThat(new FieldOutcome("t", "u", 0.3, false).scored()).isTrue();
    }
}
