package com.listinglens.cli;

import com.listinglens.support.TestPools;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** lens check-model on the real shared model: its int8 variant shares the fp32 variant's space; a stricter bar refuses it. */
class CheckModelCommandTest {

    private static String run(int[] code, String... args) {
        String text = CliRun.stdout(code, args);
        System.out.print(text);
        return text;
    }

    @Test
    void theInt8VariantSharesTheSpaceAndAStricterBarRefusesIt() {
        String val = TestPools.grocery().resolve("val.jsonl").toString();
        int[] code = new int[1];
        String ok = run(code, "check-model", "--catalog", val, "--limit", "60");
        assertThat(code[0]).as(ok).isZero();
        assertThat(ok).contains("60 photos").contains("OK:");

        String refused = run(code, "check-model", "--catalog", val, "--limit", "60", "--min-mean-cosine", "0.9999");
        assertThat(code[0]).isEqualTo(1);
        assertThat(refused).contains("REFUSED").contains("mean cosine");
    }

    @Test
    void badUsageIsAClearErrorNotACrash() throws Exception {
        int[] code = new int[1];
        run(code, "check-model", "--catalog", "/nowhere.jsonl");
        assertThat(code[0]).isEqualTo(2);
        Path one = Files.createTempFile("lens-one-", ".jsonl");
        Files.writeString(one, Files.readAllLines(TestPools.grocery().resolve("val.jsonl")).get(0) + "\n");
        run(code, "check-model", "--catalog", one.toString(), "--image-root", TestPools.grocery().toString());
        assertThat(code[0]).isEqualTo(2);
        Path notAModel = Files.createTempFile("lens-not-a-model-", ".pt");
        Files.writeString(notAModel, "not torchscript");
        run(code, "check-model", "--catalog", TestPools.grocery().resolve("val.jsonl").toString(), "--limit", "4", "--k", "2",
                "--candidate-file", notAModel.toString());
        assertThat(code[0]).isEqualTo(1);
    }
}
