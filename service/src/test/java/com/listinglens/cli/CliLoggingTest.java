package com.listinglens.cli;

import com.listinglens.catalog.Listing;
import com.listinglens.support.PoolWriter;
import com.listinglens.support.TestStores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The tools log for a person at a terminal ({@code bin/lens}, or {@code lens} in an image, whose entrypoint names no
 * log manager): Listing Lens's log records are text lines on stderr, even where the images turn the service's JSON
 * lines on, and no "LogManager accessed before" error. Run as its own JVM, as {@code bin/lens} runs it.
 */
class CliLoggingTest {

    @TempDir
    Path tmp;

    @Test
    void theToolsLogTextLinesOnStderr() throws Exception {
        List<Listing> listings = List.of(new Listing("l-0", "img/0.jpg", "t", List.of("A"), null, null, null, Map.of()),
                new Listing("l-1", "img/1.jpg", "t", List.of("A"), null, null, null, Map.of()));
        Path pool = PoolWriter.write(tmp.resolve("pool"), "v1", listings, PoolWriter.unitVectors(2, 8, 2), 8, "IDMap,Flat");
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", classpath, LensCli.class.getName(),
                "publish-pool", "--pool", pool.toString(), "--tenant", "logs")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("LENS_STORAGE_") || k.equals("LENS_DEBUG"));
        env.put("LENS_STORAGE_TYPE", "directory");
        env.put("LENS_STORAGE_DIRECTORY", TestStores.fresh("cli-logging").toString());
        env.put("LENS_STORAGE_CACHE_DIR", tmp.resolve("cache").toString());
        // what the images set for the service: the tools still log text
        env.put("QUARKUS_LOG_CONSOLE_JSON_ENABLED", "true");
        Process tool = pb.start();
        String err = new String(tool.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(tool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(tool.exitValue()).as(err).isZero();
        // no signing key configured: Settings warns once, and the person sees it as a text line
        assertThat(err).as(err).containsPattern("(?m)^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} WARN(ING)? +\\[co\\.li\\.co\\.Settings\\] "
                + "artifacts are not authenticated");
        assertThat(err).as(err).doesNotContainPattern("(?m)^\\s*\\{").doesNotContain("LogManager accessed before");
    }
}
