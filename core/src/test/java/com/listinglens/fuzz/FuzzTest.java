package com.listinglens.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The short fuzz runs of the test suite: each target for a bounded number of executions from the committed
 * fixtures and the regression inputs of {@code core/src/test/fuzz/} as seeds; any finding (an unexpected exception, a native crash, running out of memory) fails the test
 * and leaves its input in {@code target/fuzz/findings/}. Long runs: {@code bench/fuzz.sh}.
 */
class FuzzTest {

    private static final long DECODE_RUNS = Long.getLong("lens.fuzz.decode-runs", 30_000);
    private static final long NATIVE_RUNS = Long.getLong("lens.fuzz.native-runs", 30_000);
    private static final long MAX_SECONDS = Long.getLong("lens.fuzz.max-seconds", 60);

    @Test
    void decodePathSurvivesFuzzing() throws Exception {
        Path corpus = Files.createTempDirectory("lens-fuzz-decode");
        try {
            Fuzzer.Result r = Fuzzer.run(DecodeFuzz.class.getName(), DECODE_RUNS, MAX_SECONDS, corpus,
                    List.of(Path.of("test-images"), Path.of("core/src/test/fuzz/DecodeFuzz")), false);
            report("decode", r);
        } finally {
            Fuzzer.deleteTree(corpus);
        }
    }

    @Test
    void jniEdgeSurvivesFuzzing() throws Exception {
        Path corpus = Files.createTempDirectory("lens-fuzz-native");
        try {
            Fuzzer.Result r = Fuzzer.run(NativeIndexFuzz.class.getName(), NATIVE_RUNS, MAX_SECONDS, corpus,
                    List.of(Path.of("core/src/test/fuzz/NativeIndexFuzz")), false);
            report("jni", r);
        } finally {
            Fuzzer.deleteTree(corpus);
        }
    }

    private static void report(String what, Fuzzer.Result r) throws Exception {
        System.out.printf("fuzz %s: %,d executions in %d s, exit %d%n", what, r.runs(), r.seconds(), r.exitCode());
        String log = Files.readString(r.log());
        assertThat(r.finding()).as("%s fuzzing found a failure; see %s:%n%s", what, r.log(), tail(log)).isFalse();
        assertThat(r.exitCode()).as("%s fuzzer exit code; log %s:%n%s", what, r.log(), tail(log)).isZero();
        // it really fuzzed: the target ran many times (a run cut short by the time limit still counts)
        assertThat(r.runs()).as("executions; log %s", r.log()).isGreaterThan(1000);
    }

    private static String tail(String log) {
        return log.length() > 4000 ? log.substring(log.length() - 4000) : log;
    }
}
