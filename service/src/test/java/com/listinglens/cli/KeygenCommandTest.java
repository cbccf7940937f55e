package com.listinglens.cli;

import com.listinglens.catalog.Listing;
import com.listinglens.config.ConfigLoader;
import com.listinglens.config.LensConfig;
import com.listinglens.config.Settings;
import com.listinglens.pool.PoolFiles;
import com.listinglens.storage.Artifacts;
import com.listinglens.storage.Layout;
import com.listinglens.storage.ManifestSignature;
import com.listinglens.storage.ManifestSigner;
import com.listinglens.storage.ManifestVerifier;
import com.listinglens.support.PoolWriter;
import com.listinglens.support.TestStores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** lens keygen writes a key pair the configuration signs and verifies with. */
class KeygenCommandTest {

    @TempDir
    Path tmp;

    @Test
    void keygenWritesAPairThatSignsPublicationsTheServiceAccepts() throws Exception {
        Path dir = tmp.resolve("keys");
        assertThat(LensCli.execute("keygen", "--out", dir.toString())).isZero();
        Path key = dir.resolve(KeygenCommand.PRIVATE);
        Path pub = dir.resolve(KeygenCommand.PUBLIC);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        assertThat(Files.readString(key)).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(Files.readString(pub)).startsWith("-----BEGIN PUBLIC KEY-----");
        byte[] before = Files.readAllBytes(key);
        assertThat(LensCli.execute("keygen", "--out", dir.toString())).as("an existing pair is kept").isEqualTo(2);
        assertThat(Files.readAllBytes(key)).isEqualTo(before);

        // publishers sign with the private key file, services verify with the public key file: all from the configuration
        Path store = TestStores.fresh("keygen");
        LensConfig config = ConfigLoader.load(Map.of("lens.storage.type", "directory", "lens.storage.directory", store.toString(),
                "lens.storage.cache-dir", tmp.resolve("cache").toString(), "lens.storage.signing.private-key-file", key.toString(),
                "lens.storage.signing.public-key", pub.toString()));
        List<Listing> listings = List.of(new Listing("k-0", "img/0.jpg", "t", List.of("A"), null, null, null, Map.of()),
                new Listing("k-1", "img/1.jpg", "t", List.of("A"), null, null, null, Map.of()));
        Path pool = PoolWriter.write(tmp.resolve("pool"), "v1", listings, PoolWriter.unitVectors(2, 8, 2), 8, "IDMap,Flat");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (Artifacts a = Settings.artifacts(config)) {
            assertThat(a.verifier()).isPresent();
            Settings.publisher(config, a, new PrintStream(log, true, StandardCharsets.UTF_8)).publishPool(pool, "default", true);
            assertThat(a.currentPool("default").resolve(PoolFiles.INDEX)).isRegularFile();
        }
        String keyId = ManifestSigner.load(key, "k").keyId();
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("signed with key " + keyId).doesNotContain("warning");
        assertThat(ManifestVerifier.fromSetting(pub.toString(), "p").keyIds()).containsExactly(keyId);
        assertThat(ManifestSignature.parse(Files.readAllBytes(store.resolve("pools/default/v1/" + Layout.SIGNATURE)), "s").keyId())
                .isEqualTo(keyId);
        String privateBody = Files.readString(key).lines().filter(l -> !l.startsWith("-----")).findFirst().orElseThrow();
        assertThat(log.toString(StandardCharsets.UTF_8)).doesNotContain(privateBody);
    }
}
