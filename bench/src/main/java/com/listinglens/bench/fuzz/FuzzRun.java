package com.listinglens.bench.fuzz;

import com.listinglens.fuzz.Fuzzer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * bench/fuzz.sh: one long coverage-guided fuzz run of a Jazzer target, through the same {@link Fuzzer} that the test
 * suite's {@code FuzzTest} runs for 30,000 executions per target (the targets and {@code Fuzzer} are the core's test
 * classes, from its test jar). The child JVM gets this program's classpath.
 * <p>
 * Usage: {@code FuzzRun TARGET_CLASS RUNS [MAX_SECONDS=3600] [CORPUS_DIR] [SEED_DIR...]}; exits 1 on a finding or a
 * failed run.
 */
public final class FuzzRun {

    private FuzzRun() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: FuzzRun TARGET_CLASS RUNS [MAX_SECONDS] [CORPUS_DIR] [SEED_DIR...]");
            System.exit(2);
        }
        String target = args[0];
        long runs = Long.parseLong(args[1]);
        long maxSeconds = args.length > 2 ? Long.parseLong(args[2]) : 3600;
        Path corpus = Path.of(args.length > 3 ? args[3] : "target/fuzz/corpus-" + target.substring(target.lastIndexOf('.') + 1));
        List<Path> seeds = new ArrayList<>();
        for (int i = 4; i < args.length; i++) {
            seeds.add(Path.of(args[i]));
        }
        Fuzzer.Result r = Fuzzer.run(target, runs, maxSeconds, corpus, seeds, true);
        System.out.printf("%nfuzz %s: %,d executions in %d s (%,.0f/s), exit %d, %s; log %s%n", target, r.runs(), r.seconds(),
                r.runs() / Math.max(1.0, r.seconds()), r.exitCode(), r.finding() ? "FINDING in target/fuzz/findings" : "no finding",
                r.log());
        if (r.exitCode() != 0 || r.finding()) {
            System.exit(1);
        }
    }
}
