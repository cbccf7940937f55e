package com.listinglens.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/** Runs {@code bin/lens} commands in this JVM ({@link LensCli#execute}) and keeps what they print. */
final class CliRun {

    private CliRun() {
    }

    /** Runs the command; {@code code[0]} gets its exit code; answers what it printed on standard output. */
    static String stdout(int[] code, String... args) {
        return captured(false, code, args);
    }

    /** Runs the command; {@code code[0]} gets its exit code; answers what it printed on standard error. */
    static String stderr(int[] code, String... args) {
        return captured(true, code, args);
    }

    /** The keys that make the tools' store a folder under {@code tmp} (set as system properties by the tests). */
    static Map<String, String> folderStore(Path tmp) {
        return Map.of("lens.storage.type", "directory", "lens.storage.directory", tmp.resolve("store").toString(),
                "lens.storage.cache-dir", tmp.resolve("cache").toString());
    }

    private static String captured(boolean err, int[] code, String... args) {
        PrintStream old = err ? System.err : System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream into = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        if (err) {
            System.setErr(into);
        } else {
            System.setOut(into);
        }
        try {
            code[0] = LensCli.execute(args);
        } finally {
            if (err) {
                System.setErr(old);
            } else {
                System.setOut(old);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
