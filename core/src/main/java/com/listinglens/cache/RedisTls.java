package com.listinglens.cache;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * TLS to Redis: a socket factory trusting the CA certificates of a PEM file ({@code lens.redis.tls-ca-file}), and
 * parameters that check the server's certificate names the host connected to, as HTTPS does (the JDK's TLS sockets
 * do not check the host name unless asked to).
 */
public final class RedisTls {

    private static final Pattern PEM_CERTIFICATE = Pattern.compile(
            "-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\\s]+?)-----END CERTIFICATE-----");

    private RedisTls() {
    }

    /** TLS parameters that verify the server's host name against its certificate. */
    public static SSLParameters verifyingHostName() {
        SSLParameters parameters = new SSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        return parameters;
    }

    /** A socket factory that trusts exactly the CA certificates of this PEM file. */
    public static SSLSocketFactory trusting(Path pemFile) {
        List<X509Certificate> certificates = certificates(pemFile);
        try {
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            for (int i = 0; i < certificates.size(); i++) {
                trusted.setCertificateEntry("redis-ca-" + i, certificates.get(i));
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context.getSocketFactory();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot set up TLS trusting the Redis CA file " + pemFile + ": " + e.getMessage(), e);
        }
    }

    /** The certificates of a PEM file, in order; a clear error when it cannot be read or holds none. */
    public static List<X509Certificate> certificates(Path pemFile) {
        String text;
        try {
            text = Files.readString(pemFile, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException("the Redis CA file (lens.redis.tls-ca-file) " + pemFile + " cannot be read: " + e, e);
        }
        CertificateFactory x509;
        try {
            x509 = CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw new IllegalStateException(e);
        }
        List<X509Certificate> out = new ArrayList<>();
        Matcher m = PEM_CERTIFICATE.matcher(text);
        while (m.find()) {
            String block = "-----BEGIN CERTIFICATE-----\n" + m.group(1).strip() + "\n-----END CERTIFICATE-----\n";
            try {
                out.add((X509Certificate) x509.generateCertificate(new ByteArrayInputStream(block.getBytes(StandardCharsets.US_ASCII))));
            } catch (CertificateException | IllegalArgumentException e) {
                throw new IllegalArgumentException("the Redis CA file (lens.redis.tls-ca-file) " + pemFile + ": certificate "
                        + (out.size() + 1) + " is not a valid X.509 certificate: " + e.getMessage(), e);
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("the Redis CA file (lens.redis.tls-ca-file) " + pemFile
                    + " holds no PEM certificate (-----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----)");
        }
        return out;
    }
}
