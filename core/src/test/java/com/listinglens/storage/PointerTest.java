package com.listinglens.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The {@code current} pointer: written by publishers, read (and distrusted) by every replica. */
class PointerTest {

    private static final String SHA = "0123456789abcdef".repeat(4);
    private static final Instant AT = Instant.parse("2025-03-14T15:09:26.535897932Z");

    private static byte[] json(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static ArtifactRefusedException refused(byte[] bytes) {
        ArtifactRefusedException e = catchThrowableOfType(ArtifactRefusedException.class, () -> Pointer.parse(bytes, "pools/t/current"));
        assertThat(e).as("refused").isNotNull();
        assertThat(e.getMessage()).contains("pools/t/current");
        return e;
    }

    @Test
    void roundTrips() {
        Pointer p = Pointer.of("v2025.03.14-1", SHA, AT);
        assertThat(p.formatVersion()).isEqualTo(Pointer.FORMAT_VERSION);

        Pointer back = Pointer.parse(p.toJson(), "pools/t/current");

        assertThat(back).isEqualTo(p);
        assertThat(back.publishedAt()).isEqualTo(AT);
    }

    @Test
    void writesReadableJsonWithAnIsoTimestamp() {
        String text = new String(Pointer.of("v1", SHA, AT).toJson(), StandardCharsets.UTF_8);
        assertThat(text).contains("\"formatVersion\":1", "\"version\":\"v1\"", "\"manifestSha256\":\"" + SHA + "\"",
                "\"publishedAt\":\"2025-03-14T15:09:26.535897932Z\"");
    }

    @Test
    void readsAPointerWrittenByHand() {
        Pointer p = Pointer.parse(json("""
                {"formatVersion": 1, "version": "v3", "manifestSha256": "%s", "publishedAt": "2025-01-01T00:00:00Z"}
                """.formatted(SHA)), "pools/t/current");
        assertThat(p.version()).isEqualTo("v3");
        assertThat(p.manifestSha256()).isEqualTo(SHA);
        assertThat(p.publishedAt()).isEqualTo(Instant.parse("2025-01-01T00:00:00Z"));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 2, 99, -1})
    void refusesAnUnknownFormatVersion(int format) {
        byte[] bytes = new Pointer(format, "v1", SHA, AT, null).toJson();
        ArtifactRefusedException e = refused(bytes);
        assertThat(e.reason()).isEqualTo("unknown-format");
        assertThat(e.getMessage()).contains("format version " + format);
    }

    @Test
    void refusesAPointerWithoutFormatVersionAsUnknownFormat() {
        // a missing int reads as 0: not a version this service knows
        ArtifactRefusedException e = refused(json("{\"version\":\"v1\",\"manifestSha256\":\"" + SHA + "\"}"));
        assertThat(e.reason()).isEqualTo("unknown-format");
    }

    @Test
    void refusesANewerFormatWithFieldsThisServiceDoesNotKnowAsUnknownFormat() {
        // a newer publisher may add fields; its pointer must be refused for its format, not as garbage
        ArtifactRefusedException e = refused(json("""
                {"formatVersion": 2, "version": "v1", "manifestSha256": "%s", "publishedAt": "2025-01-01T00:00:00Z",
                 "signature": "abc"}
                """.formatted(SHA)));
        assertThat(e.reason()).isEqualTo("unknown-format");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "abc", "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF",
            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde",
            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0",
            "g123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"})
    void refusesABadManifestSha(String sha) {
        ArtifactRefusedException e = refused(new Pointer(Pointer.FORMAT_VERSION, "v1", sha, AT, null).toJson());
        assertThat(e.reason()).isEqualTo("unreadable-pointer");
        assertThat(e.getMessage()).contains("sha-256");
    }

    @Test
    void refusesAMissingManifestSha() {
        assertThat(refused(new Pointer(Pointer.FORMAT_VERSION, "v1", null, AT, null).toJson()).reason()).isEqualTo("unreadable-pointer");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "..", "../other", "a/b", "v 1"})
    void refusesAVersionThatIsNotASegment(String version) {
        ArtifactRefusedException e = refused(new Pointer(Pointer.FORMAT_VERSION, version, SHA, AT, null).toJson());
        assertThat(e.reason()).isEqualTo("unreadable-pointer");
    }

    @Test
    void refusesAMissingVersion() {
        assertThat(refused(new Pointer(Pointer.FORMAT_VERSION, null, SHA, AT, null).toJson()).reason()).isEqualTo("unreadable-pointer");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not json", "{", "[1,2]", "\"v1\"", "{\"formatVersion\":\"one\"}"})
    void refusesBytesThatAreNoPointer(String text) {
        assertThat(refused(json(text)).reason()).isEqualTo("unreadable-pointer");
    }

    @Test
    void refusesAJsonNull() {
        // "null" is valid JSON but no pointer: refused like any other unreadable pointer, not a NullPointerException
        assertThat(refused(json("null")).reason()).isEqualTo("unreadable-pointer");
    }

    private static final java.security.KeyPair KEY = SigningKeys.generate();
    private static final ManifestVerifier TRUSTS_KEY = ManifestVerifier.of(java.util.List.of(KEY.getPublic()));

    @Test
    void aSignedPointerRoundTripsAndVerifiesForItsKindAndOwnerOnly() {
        Pointer signed = Pointer.of("v7", SHA, AT).signedBy(ManifestSigner.of(KEY), Pointer.POOL_KIND, "t");
        Pointer read = Pointer.parse(signed.toJson(), "pools/t/current");
        assertThat(read).isEqualTo(signed);
        read.verify(TRUSTS_KEY, Pointer.POOL_KIND, "t", "pools/t/current");
        // the same pointer is not valid for another tenant, or as a model's pointer
        assertThat(catchThrowableOfType(ArtifactRefusedException.class, () -> read.verify(TRUSTS_KEY, Pointer.POOL_KIND, "u", "x"))
                .reason()).isEqualTo(ManifestVerifier.BAD_SIGNATURE);
        assertThat(catchThrowableOfType(ArtifactRefusedException.class, () -> read.verify(TRUSTS_KEY, Pointer.MODEL_KIND, "t", "x"))
                .reason()).isEqualTo(ManifestVerifier.BAD_SIGNATURE);
        // nor by another key
        ManifestVerifier other = ManifestVerifier.of(java.util.List.of(SigningKeys.generate().getPublic()));
        assertThat(catchThrowableOfType(ArtifactRefusedException.class, () -> read.verify(other, Pointer.POOL_KIND, "t", "x"))
                .getMessage()).contains("not trusted");
    }

    @Test
    void changingAnyFieldOfASignedPointerBreaksItsSignature() {
        Pointer signed = Pointer.of("v7", SHA, AT).signedBy(ManifestSigner.of(KEY), Pointer.POOL_KIND, "t");
        String text = new String(signed.toJson(), StandardCharsets.UTF_8);
        for (String changed : new String[]{text.replace("\"v7\"", "\"v6\""), text.replace(SHA, "f".repeat(64)),
                text.replace("2025-03-14T15:09:26.535897932Z", "2026-03-14T15:09:26.535897932Z")}) {
            assertThat(changed).isNotEqualTo(text);
            Pointer p = Pointer.parse(json(changed), "pools/t/current");
            assertThat(catchThrowableOfType(ArtifactRefusedException.class, () -> p.verify(TRUSTS_KEY, Pointer.POOL_KIND, "t", "pools/t/current"))
                    .reason()).as(changed).isEqualTo(ManifestVerifier.BAD_SIGNATURE);
        }
    }

    @Test
    void anUnsignedPointerIsRefusedWhereSignaturesAreRequiredAndWrittenWithoutASignatureField() {
        Pointer unsigned = Pointer.of("v7", SHA, AT);
        assertThat(new String(unsigned.toJson(), StandardCharsets.UTF_8)).doesNotContain("signature");
        ArtifactRefusedException e = catchThrowableOfType(ArtifactRefusedException.class,
                () -> unsigned.verify(TRUSTS_KEY, Pointer.POOL_KIND, "t", "pools/t/current"));
        assertThat(e.reason()).isEqualTo(ManifestVerifier.UNSIGNED);
        assertThat(e.getMessage()).contains("pointer pools/t/current is not signed");
        assertThat(catchThrowableOfType(IllegalArgumentException.class,
                () -> Pointer.of("v7", SHA, null).signedBy(ManifestSigner.of(KEY), Pointer.POOL_KIND, "t"))).isNotNull();
    }

    @Test
    void olderThanComparesPublicationTimesAndIsFalseWithoutThem() {
        Pointer early = Pointer.of("v1", SHA, AT);
        Pointer late = Pointer.of("v2", SHA, AT.plusMillis(1));
        assertThat(early.isOlderThan(late)).isTrue();
        assertThat(late.isOlderThan(early)).isFalse();
        assertThat(early.isOlderThan(early)).isFalse();
        assertThat(early.isOlderThan(null)).isFalse();
        assertThat(Pointer.of("v1", SHA, null).isOlderThan(late)).isFalse();
        assertThat(early.isOlderThan(Pointer.of("v2", SHA, null))).isFalse();
    }
}
