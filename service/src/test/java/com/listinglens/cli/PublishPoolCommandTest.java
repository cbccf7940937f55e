package com.listinglens.cli;

import com.listinglens.storage.Pointer;
import com.listinglens.support.PoolWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** lens publish-pool into a folder store: a pool uploaded and made current, then the pointer moved back (--point-to). */
class PublishPoolCommandTest {

    @TempDir
    Path tmp;

    private Map<String, String> properties;

    @BeforeEach
    void storeInATempFolder() {
        properties = CliRun.folderStore(tmp);
        properties.forEach(System::setProperty);
    }

    @AfterEach
    void clear() {
        properties.keySet().forEach(System::clearProperty);
    }

    private static String run(int[] code, String... args) {
        return CliRun.stderr(code, args);
    }

    private Pointer current() throws Exception {
        Path file = tmp.resolve("store/pools/shop/current");
        return Pointer.parse(Files.readAllBytes(file), file.toString());
    }

    private Path pool(String version) {
        List<com.listinglens.catalog.Listing> listings = List.of(
                new com.listinglens.catalog.Listing("a-" + version, "a.jpg", "a", List.of("A"), null, null, null, Map.of()),
                new com.listinglens.catalog.Listing("b-" + version, "b.jpg", "b", List.of("B"), null, null, null, Map.of()));
        return PoolWriter.write(tmp.resolve("build-" + version), version, listings, PoolWriter.unitVectors(2, 8, 1), 8, "IDMap,Flat");
    }

    @Test
    void aPoolIsPublishedThenThePointerMovedBackToTheFirstVersion() throws Exception {
        int[] code = new int[1];
        run(code, "publish-pool", "--pool", pool("v1").toString(), "--tenant", "shop");
        assertThat(code[0]).isZero();
        run(code, "publish-pool", "--pool", pool("v2").toString(), "--tenant", "shop");
        assertThat(code[0]).isZero();
        Pointer v2 = current();
        assertThat(v2.version()).isEqualTo("v2");
        String log = run(code, "publish-pool", "--point-to", "v1", "--tenant", "shop");
        assertThat(code[0]).as(log).isZero();
        assertThat(log).contains("current v2 -> v1");
        Pointer back = current();
        assertThat(back.version()).isEqualTo("v1");
        assertThat(back.publishedAt()).as("a new pointer, not the old one").isAfterOrEqualTo(v2.publishedAt());
    }

    @Test
    void neitherOrBothSourcesOrAVersionNotInTheStoreAreRefused() throws Exception {
        int[] code = new int[1];
        assertThat(run(code, "publish-pool", "--tenant", "shop")).contains("give either --pool");
        assertThat(code[0]).isEqualTo(1);
        assertThat(run(code, "publish-pool", "--pool", pool("v1").toString(), "--point-to", "v1")).contains("give either --pool");
        assertThat(code[0]).isEqualTo(1);
        assertThat(run(code, "publish-pool", "--point-to", "v1", "--no-pointer")).contains("--no-pointer");
        assertThat(code[0]).isEqualTo(1);
        assertThat(run(code, "publish-pool", "--point-to", "v9", "--tenant", "shop")).contains("pool v9 of tenant shop is not in");
        assertThat(code[0]).isEqualTo(1);
        assertThat(tmp.resolve("store/pools/shop/current")).doesNotExist();
    }
}
