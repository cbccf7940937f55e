package com.listinglens.bench.image;

import com.listinglens.image.HostileUploads;
import com.listinglens.image.TestImageFixtures;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Supplier;

/**
 * bench/test-images.sh: writes the image fixtures of {@code test-images/} from their generators in the core's test
 * classes ({@link TestImageFixtures#all}, the hostile uploads included), or prints the hostile uploads' table of
 * {@code test-images/README.md}. Run from the project root.
 * <p>
 * Usage: {@code TestImages [DIR=test-images]} or {@code TestImages --hostile-table}.
 */
public final class TestImages {

    private TestImages() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--hostile-table")) {
            System.out.println("| file | what is wrong | refusal | HTTP |");
            System.out.println("|---|---|---|---|");
            for (HostileUploads.Case c : HostileUploads.all()) {
                System.out.printf("| `hostile/%s` | %s | %s | %d |%n", c.file(), c.what(), c.reason(), c.status());
            }
            return;
        }
        Path dir = Path.of(args.length > 0 ? args[0] : "test-images");
        Files.createDirectories(dir);
        for (Map.Entry<String, Supplier<byte[]>> e : TestImageFixtures.all().entrySet()) {
            byte[] bytes = e.getValue().get();
            Path file = dir.resolve(e.getKey());
            Files.createDirectories(file.getParent());
            Files.write(file, bytes);
            System.out.printf("%-32s %7d bytes%n", e.getKey(), bytes.length);
        }
    }
}
