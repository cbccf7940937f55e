package com.listinglens.deploy;

import com.listinglens.catalog.CatalogReader;
import com.listinglens.storage.FileBlobStore;
import com.listinglens.storage.Layout;
import com.listinglens.storage.Publisher;
import com.listinglens.support.TestPools;
import com.listinglens.support.TestStores;
import org.junit.jupiter.api.Test;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The CPU image on a real container engine (issue 29): {@code bin/images --no-build --check cpu} builds it from this
 * build's output (after {@code package}, so nothing is rebuilt), with the engine, the local base image and the jlinked
 * Java runtime it makes when missing, then {@code bench/containers.sh} runs it as the chart does (read-only root file
 * system, uid 10001, no capabilities, a memory limit, the model folder and the folder store mounted read-only, Redis with
 * a password in its own container, a user-defined network) and checks readiness, the HEALTHCHECK, a suggestion for a real
 * val photo, a search, a hostile upload's problem and {@code docker stop} under load. The model is published here as one
 * version's folder (as {@code bin/lens publish-model} writes it), the pool is the demo pool in a folder store.
 */
class ContainerImageIT {

    static final Path ROOT = com.listinglens.support.Root.path();

    @Test
    void theCpuImageBuildsAndRunsAsTheChartRunsIt() throws Exception {
        Path modelStore = TestStores.fresh("it-container-model");
        Path shared = TestPools.sharedDir();
        Map<String, Path> files = new LinkedHashMap<>();
        files.put("int8", shared.resolve("models/mobilenet_v2/mobilenet_v2_embed_int8.pt"));
        files.put("fp32", shared.resolve("models/mobilenet_v2/mobilenet_v2_embed_fp32.pt"));
        try (FileBlobStore fs = new FileBlobStore(modelStore)) {
            new Publisher(fs, new Layout(""), new PrintStream(PrintStream.nullOutputStream()))
                    .publishModel("mobilenet_v2", "it-1", "imagenet-mobilenet_v2-gap1280", 1280, files, List.of(),
                            CatalogReader.read(shared.resolve("datasets/grocery/val.jsonl")).spreadPhotos(16), true);
        }
        Path model = modelStore.resolve("models/mobilenet_v2/it-1");
        Path store = TestStores.demo();

        Path log = Files.createTempFile("lens-images-", ".log");
        ProcessBuilder pb = new ProcessBuilder(List.of(ROOT.resolve("bin/images").toString(), "--no-build", "--check", "cpu"))
                .directory(ROOT.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("LENS_IMAGES_MODEL", model.toString());
        pb.environment().put("LENS_IMAGES_STORE", store.toString());
        pb.environment().put("LENS_SHARED_DIR", shared.toString());
        long t0 = System.nanoTime();
        Process images = pb.start();
        boolean done = images.waitFor(25, TimeUnit.MINUTES);
        if (!done) {
            images.destroy();
            images.waitFor(60, TimeUnit.SECONDS);
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        System.out.printf("bin/images --no-build --check cpu (%.0f s):%n%s%n", (System.nanoTime() - t0) / 1e9, out);
        assertThat(done).as("bin/images --check finished in 25 minutes:%n%s", out).isTrue();
        assertThat(images.exitValue()).as(out).isZero();
        // the image was built and sized, and every check of bench/containers.sh passed
        assertThat(out).containsPattern("listing-lens:\\S+ +\\d+ MB +built in +[\\d.]+ s")
                .containsPattern("check: ready in [\\d.]+ s from docker run")
                .containsPattern("check: healthy \\(HEALTHCHECK")
                // no catalog is in the container: the probe ran on the photos the model version carries
                .containsPattern("check: inference path measured at start: .+ ok")
                .contains("check: runs as uid:gid 10001:0, CapEff 0000000000000000, root file system read-only")
                .contains("check: redis refuses clients without the password ok")
                .containsPattern("check: suggestion for \\S+: 200, .*category Packages, pool \\S+ ok")
                .containsPattern("check: search .*: 200, 5 results")
                .contains("check: hostile upload (test-images/hostile/png-claims-30000x30000.png): 413 application/problem+json")
                .containsPattern("check: stop under load: no request cut, the \\d+ in flight at SIGTERM answered whole")
                .contains("containers: every check passed")
                .doesNotContain("FAILED");
    }
}
