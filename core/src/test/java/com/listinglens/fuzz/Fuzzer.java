package com.listinglens.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs one Jazzer fuzz target in a child JVM (the Jazzer driver needs its own process: libFuzzer owns the main loop
 * and a native crash must not take the caller down) and reads back what it did.
 *
 * <p>Used by {@code FuzzTest} for the short runs of the test suite, and by {@code FuzzRun} (the bench module,
 * {@code bench/fuzz.sh}) for long ones.
 * Findings (crash inputs and Java reproducers) are written to {@code target/fuzz/findings/}; once fixed, a finding
 * becomes a fixture and a regression test.
 */
public final class Fuzzer {

    /** What a run did. */
    public record Result(int exitCode, long runs, boolean finding, Path log, long seconds) {}

    private static final Pattern DONE = Pattern.compile("Done (\\d+) runs in (\\d+) second");
    private static final Pattern STATUS = Pattern.compile("^#(\\d+)\\s");

    private Fuzzer() {}

    /**
     * Fuzzes {@code target} for {@code runs} executions or {@code maxSeconds}, whichever ends first, writing new
     * inputs to {@code corpus} and reading seeds from {@code seeds} too. Progress lines are echoed when {@code echo}.
     */
    public static Result run(String target, long runs, long maxSeconds, Path corpus, List<Path> seeds, boolean echo)
            throws IOException, InterruptedException {
        Path out = Path.of("target", "fuzz");
        Path findings = out.resolve("findings");
        Files.createDirectories(findings);
        Files.createDirectories(corpus);
        Path log = out.resolve(target.substring(target.lastIndexOf('.') + 1) + ".log");
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx2g", "-XX:+EnableDynamicAgentLoading", "--enable-native-access=ALL-UNNAMED",
                "-Dlens.shared-dir=" + System.getProperty("lens.shared-dir", "../shared"),
                "-cp", classpath,
                "com.code_intelligence.jazzer.Jazzer",
                "--target_class=" + target,
                "--instrumentation_includes=com.listinglens.**",
                "--reproducer_path=" + findings,
                "-artifact_prefix=" + findings + "/",
                "-runs=" + runs,
                "-max_total_time=" + maxSeconds,
                "-rss_limit_mb=4096",
                "-timeout=120", // one input running 2 minutes is a hang: a finding
                "-print_final_stats=1",
                corpus.toString()));
        for (Path s : seeds) {
            cmd.add(s.toString());
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        long start = System.nanoTime();
        Process p = pb.start();
        long done = -1;
        long lastStatus = 0;
        boolean finding = false;
        try (var reader = p.inputReader(); var writer = Files.newBufferedWriter(log)) {
            String line;
            while ((line = reader.readLine()) != null) {
                writer.write(line);
                writer.newLine();
                Matcher m = DONE.matcher(line);
                if (m.find()) {
                    done = Long.parseLong(m.group(1));
                }
                Matcher s = STATUS.matcher(line);
                if (s.find()) {
                    lastStatus = Long.parseLong(s.group(1));
                }
                // a slow unit (libFuzzer writes one for any input over 10 s) is a timing on a shared machine, not a
                // failure: an input that trains a fuzzed factory's large codebook took 10-16 s on a loaded 2-core
                // machine; it stays in findings/ for a look, and a real hang still ends as a libFuzzer timeout (==ERROR)
                boolean slowUnit = line.contains("Test unit written") && line.contains("/slow-unit-");
                if (line.contains("== Java Exception") || line.contains("deadly signal") || line.contains("==ERROR")
                        || line.contains("out-of-memory") || (line.contains("Test unit written") && !slowUnit)) {
                    finding = true;
                }
                if (echo && (line.startsWith("#") || line.startsWith("==") || line.startsWith("Done")
                        || line.contains("Exception") || line.contains("\tat com.listinglens"))) {
                    System.out.println(line);
                }
            }
        }
        if (!p.waitFor(maxSeconds + 300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
        return new Result(p.exitValue(), done >= 0 ? done : lastStatus, finding, log, seconds);
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
