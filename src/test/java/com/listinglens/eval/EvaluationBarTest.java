package com.listinglens.eval;

import com.listinglens.cli.EvaluateCommand;
import com.listinglens.config.ConfigLoader;
import com.listinglens.support.TestPools;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The quality bar, end to end on real parts: the 296 val uploads against the demo pool
 * (train + iconic), queried with the int8 model as the service does.
 */
class EvaluationBarTest {

    @Test
    void valAccuracyMeetsTheBar() throws Exception {
        Path pool = TestPools.demo();
        Scorecard card = EvaluateCommand.evaluate(ConfigLoader.load(), TestPools.grocery().resolve("val.jsonl"), pool, null, "int8");
        System.out.print(card.table());
        assertThat(card.uploads()).isEqualTo(296);
        assertThat(card.field("category leaf").evaluated()).isEqualTo(296);
        assertThat(card.field("category leaf").accuracy()).isGreaterThanOrEqualTo(0.58);
        assertThat(card.field("category level 2").accuracy()).isGreaterThanOrEqualTo(0.75);

        // several photos of one item, fused by the configured fusion (mean of embeddings), do better than one
        Scorecard two = EvaluateCommand.evaluate(ConfigLoader.load(), TestPools.grocery().resolve("val.jsonl"), pool, null, "int8", 2);
        System.out.print(two.table());
        assertThat(two.uploads()).isEqualTo(125);
        assertThat(two.field("category leaf").accuracy()).isGreaterThan(card.field("category leaf").accuracy() + 0.03);
    }
}
