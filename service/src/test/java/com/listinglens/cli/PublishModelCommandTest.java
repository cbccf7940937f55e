package com.listinglens.cli;

import com.listinglens.storage.FileEntry;
import com.listinglens.storage.ModelManifest;
import com.listinglens.support.TestPools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * lens publish-model into a folder store: by default the version carries probe photos spread over
 * lens.model.check.catalog (what a pod needs to measure its inference paths with no catalog mounted); the flags
 * choose another catalog, another count or none, and bad ones are refused with a message and a non-zero exit.
 */
class PublishModelCommandTest {

    @TempDir
    Path tmp;

    private Map<String, String> properties;

    @BeforeEach
    void storeInATempFolder() {
        properties = new HashMap<>(CliRun.folderStore(tmp));
        properties.put("lens.model.check.catalog", TestPools.grocery().resolve("val.jsonl").toString());
        properties.forEach(System::setProperty);
    }

    @AfterEach
    void clear() {
        properties.keySet().forEach(System::clearProperty);
    }

    private String run(int[] code, String... args) throws Exception {
        Path int8 = Files.writeString(tmp.resolve("m_int8.pt"), "int8 weights");
        Path fp32 = Files.writeString(tmp.resolve("m_fp32.pt"), "fp32 weights");
        String[] all = new String[args.length + 5];
        all[0] = "publish-model";
        all[1] = "--int8=" + int8;
        all[2] = "--fp32=" + fp32;
        all[3] = "--name=tiny";
        all[4] = "--space=space-x";
        System.arraycopy(args, 0, all, 5, args.length);
        return CliRun.stderr(code, all);
    }

    private ModelManifest manifest(String version) throws Exception {
        Path file = tmp.resolve("store/models/tiny/" + version + "/manifest.json");
        return ModelManifest.parse(Files.readAllBytes(file), file.toString());
    }

    @Test
    void aVersionCarriesProbePhotosFromTheCheckCatalogByDefault() throws Exception {
        int[] code = new int[1];
        String log = run(code, "--version", "p1");
        assertThat(code[0]).as(log).isZero();
        ModelManifest m = manifest("p1");
        assertThat(m.probe()).hasSize(16).extracting(FileEntry::name).startsWith("probe-00.jpg", "probe-01.jpg");
        Path folder = tmp.resolve("store/models/tiny/p1");
        // the first probe photo is the catalog's first listing's photo, byte for byte
        Path first = TestPools.grocery().resolve(com.listinglens.catalog.CatalogReader.read(TestPools.grocery().resolve("val.jsonl"))
                .listings().get(0).image());
        assertThat(folder.resolve("probe-00.jpg")).hasSameBinaryContentAs(first);
        assertThat(log).contains("16 probe photos");
    }

    @Test
    void theFlagsChooseTheCountOrNone() throws Exception {
        int[] code = new int[1];
        assertThat(run(code, "--version", "p2", "--probe-photos", "4")).contains("4 probe photos");
        assertThat(code[0]).isZero();
        assertThat(manifest("p2").probe()).hasSize(4);
        run(code, "--version", "p3", "--no-probe-photos");
        assertThat(code[0]).isZero();
        assertThat(manifest("p3").probe()).isEmpty();
    }

    @Test
    void anUnreadableCatalogOrABadCountIsRefusedAndNothingIsPublished() throws Exception {
        int[] code = new int[1];
        String log = run(code, "--version", "p4", "--probe-catalog", tmp.resolve("nope.jsonl").toString());
        assertThat(code[0]).isEqualTo(1);
        assertThat(log).contains("--probe-catalog").contains("nope.jsonl").contains("not readable");
        log = run(code, "--version", "p5", "--probe-photos", "1");
        assertThat(code[0]).isEqualTo(1);
        assertThat(log).contains("--probe-photos must be 2..256");
        assertThat(tmp.resolve("store/models/tiny/p4")).doesNotExist();
        assertThat(tmp.resolve("store/models/tiny/p5")).doesNotExist();
    }

    @Test
    void withoutACheckCatalogTheVersionIsPublishedWithoutProbePhotosAndAWarning() throws Exception {
        System.setProperty("lens.model.check.catalog", tmp.resolve("missing/val.jsonl").toString());
        int[] code = new int[1];
        String log = run(code, "--version", "p6");
        assertThat(code[0]).as(log).isZero();
        assertThat(log).contains("warning: lens.model.check.catalog").contains("without probe photos");
        assertThat(manifest("p6").probe()).isEmpty();
    }

    @Test
    void theSevenBitVariantTravelsAsTheVersionsInt8RrFileOnlyWhenGiven() throws Exception {
        Path rr = Files.writeString(tmp.resolve("m_int8_rr.pt"), "7-bit int8 weights");
        int[] code = new int[1];
        String log = run(code, "--version", "r1", "--int8-rr", rr.toString(), "--no-probe-photos");
        assertThat(code[0]).as(log).isZero();
        ModelManifest m = manifest("r1");
        assertThat(m.file("int8-rr")).get().extracting(ModelManifest.ModelFile::name).isEqualTo("m_int8_rr.pt");
        assertThat(m.file("int8")).get().extracting(ModelManifest.ModelFile::name).isEqualTo("m_int8.pt");
        assertThat(tmp.resolve("store/models/tiny/r1/m_int8_rr.pt")).hasSameBinaryContentAs(rr);
        run(code, "--version", "r2", "--no-probe-photos");
        assertThat(code[0]).isZero();
        assertThat(manifest("r2").file("int8-rr")).isEmpty();
    }
}
