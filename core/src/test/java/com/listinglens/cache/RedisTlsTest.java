package com.listinglens.cache;

import com.listinglens.support.RedisServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * TLS to Redis (lens.redis.tls, lens.redis.tls-ca-file): the CA file's certificates are loaded, a bad file is a clear
 * error naming the setting, and against a real TLS redis-server the certificate must both chain to that CA and name
 * the host connected to. Fixtures (src/test/resources/redis-tls): a test CA and a server certificate for DNS:localhost
 * only, both valid until 2126.
 */
class RedisTlsTest {

    static final String PASSWORD = "s3cret";

    @TempDir
    Path tmp;

    static Path fixture(String name) throws Exception {
        return Path.of(RedisTlsTest.class.getResource("/redis-tls/" + name).toURI());
    }

    static RedisSettings settings(String host, int port, Path caFile) {
        return new RedisSettings(host, port, null, PASSWORD, true, 0, Duration.ofSeconds(2), 2, Duration.ZERO, caFile);
    }

    @Test
    void thePemCertificatesAreLoaded() throws Exception {
        List<X509Certificate> ca = RedisTls.certificates(fixture("ca.crt"));
        assertThat(ca).hasSize(1);
        assertThat(ca.get(0).getSubjectX500Principal().getName()).isEqualTo("CN=Listing Lens test CA");
        // a bundle: several certificates, with the labels and blank lines CA bundles carry between them
        Path bundle = tmp.resolve("bundle.pem");
        Files.writeString(bundle, "# Listing Lens test CA\n" + Files.readString(fixture("ca.crt")) + "\n# the server\n"
                + Files.readString(fixture("server.crt")));
        assertThat(RedisTls.certificates(bundle)).extracting(c -> c.getSubjectX500Principal().getName())
                .containsExactly("CN=Listing Lens test CA", "CN=localhost");
        assertThat(RedisTls.trusting(bundle)).isNotNull();
        assertThat(RedisTls.verifyingHostName().getEndpointIdentificationAlgorithm()).isEqualTo("HTTPS");
    }

    @Test
    void aBadCaFileIsAClearError() throws Exception {
        Path missing = tmp.resolve("missing.pem");
        assertThatThrownBy(() -> RedisTls.trusting(missing)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lens.redis.tls-ca-file").hasMessageContaining(missing.toString()).hasMessageContaining("cannot be read");

        Path key = fixture("server.key");
        assertThatThrownBy(() -> RedisTls.trusting(key)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lens.redis.tls-ca-file").hasMessageContaining(key.toString()).hasMessageContaining("holds no PEM certificate");

        Path corrupt = tmp.resolve("corrupt.pem");
        Files.writeString(corrupt, "-----BEGIN CERTIFICATE-----\nTUlJQm5vdCBhIGNlcnRpZmljYXRl\n-----END CERTIFICATE-----\n");
        assertThatThrownBy(() -> RedisTls.trusting(corrupt)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lens.redis.tls-ca-file").hasMessageContaining("certificate 1 is not a valid X.509 certificate");

        // the store refuses to start with it, rather than failing on every command later
        assertThatThrownBy(() -> new RedisStore(settings("localhost", 6379, corrupt))).hasMessageContaining("lens.redis.tls-ca-file");
        // and a CA file without TLS is a mistake, not silently ignored
        assertThatThrownBy(() -> new RedisSettings("localhost", 6379, null, null, false, 0, Duration.ofSeconds(1), 1, Duration.ZERO,
                fixture("ca.crt"))).hasMessageContaining("lens.redis.tls is false");
    }

    @Test
    void theServerMustChainToTheCaAndNameTheHost() throws Exception {
        try (RedisServer redis = RedisServer.tls(fixture("server.crt"), fixture("server.key"), PASSWORD)) {
            try (RedisStore store = new RedisStore(settings("localhost", redis.port(), fixture("ca.crt")))) {
                store.set("lens:test:tls", "over TLS", Duration.ofSeconds(30));
                assertThat(store.get("lens:test:tls")).isEqualTo(Optional.of("over TLS"));
            }
            // the same server by its address: the certificate names only localhost, so host-name verification refuses it
            try (RedisStore store = new RedisStore(settings("127.0.0.1", redis.port(), fixture("ca.crt")))) {
                assertThat(store.ping()).isFalse();
                assertThat(store.lastFailure()).contains("No subject alternative names matching IP address 127.0.0.1");
            }
            // without the CA file the JVM's trust store applies, which does not know the test CA
            try (RedisStore store = new RedisStore(settings("localhost", redis.port(), null))) {
                assertThat(store.ping()).isFalse();
                assertThat(store.lastFailure()).contains("PKIX path building failed");
            }
        }
    }
}
