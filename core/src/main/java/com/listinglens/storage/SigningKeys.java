package com.listinglens.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Ed25519 keys of artifact signing, with the JDK's own crypto: generated, written and read as PEM (public keys as
 * X.509 SubjectPublicKeyInfo, "PUBLIC KEY"; private keys as unencrypted PKCS#8, "PRIVATE KEY", as
 * {@code openssl genpkey -algorithm ed25519} writes them). A key's id is the first 8 bytes of the sha-256 of its
 * SubjectPublicKeyInfo, in hex. Errors name the setting or file and never quote key material.
 */
public final class SigningKeys {

    public static final String ALGORITHM = "Ed25519";

    private static final Pattern PEM = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);

    private SigningKeys() {
    }

    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no " + ALGORITHM, e);
        }
    }

    public static String publicPem(PublicKey key) {
        return pem("PUBLIC KEY", key.getEncoded());
    }

    public static String privatePem(PrivateKey key) {
        return pem("PRIVATE KEY", key.getEncoded());
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[]{'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /** The key's id: hex of the first 8 bytes of the sha-256 of its SubjectPublicKeyInfo. */
    public static String keyId(PublicKey key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getEncoded()), 0, 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether the text looks like PEM (as opposed to the path of a PEM file). */
    public static boolean isPem(String text) {
        return text.contains("-----BEGIN ");
    }

    /**
     * Every Ed25519 public key of PEM text (one or more "PUBLIC KEY" blocks).
     *
     * @throws IllegalArgumentException no block, a private key, or a block that is not an Ed25519 public key
     */
    public static List<PublicKey> publicKeys(String text, String where) {
        List<PublicKey> keys = new ArrayList<>();
        for (Block b : blocks(text, where)) {
            if (b.type().contains("PRIVATE KEY")) {
                throw new IllegalArgumentException(where + " holds a private key: give the public key (signing.pub) here, "
                        + "and keep the private key with the publishers only");
            }
            if (!b.type().equals("PUBLIC KEY")) {
                throw new IllegalArgumentException(where + " holds a PEM '" + b.type() + "' block; expected 'PUBLIC KEY' (Ed25519)");
            }
            keys.add(publicKey(b.der(), where));
        }
        return keys;
    }

    private static PublicKey publicKey(byte[] der, String where) {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException(where + " holds a PUBLIC KEY that is not an Ed25519 key", e);
        }
    }

    /**
     * The Ed25519 private key of PEM text (one unencrypted "PRIVATE KEY" block, PKCS#8), and its public key when the
     * text also holds one.
     */
    public static KeyPair privateKey(String text, String where) {
        PrivateKey key = null;
        PublicKey pub = null;
        for (Block b : blocks(text, where)) {
            switch (b.type()) {
                case "PRIVATE KEY" -> {
                    if (key != null) {
                        throw new IllegalArgumentException(where + " holds more than one private key");
                    }
                    try {
                        key = KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(b.der()));
                    } catch (GeneralSecurityException | RuntimeException e) {
                        // the cause could quote key bytes: not chained
                        throw new IllegalArgumentException(where + " holds a PRIVATE KEY that is not an Ed25519 PKCS#8 key");
                    }
                }
                case "PUBLIC KEY" -> pub = publicKey(b.der(), where);
                case "ENCRYPTED PRIVATE KEY" -> throw new IllegalArgumentException(where
                        + " holds an encrypted private key; give an unencrypted PKCS#8 key in a file only the publisher can read");
                default -> throw new IllegalArgumentException(where + " holds a PEM '" + b.type()
                        + "' block; expected 'PRIVATE KEY' (Ed25519, PKCS#8)");
            }
        }
        if (key == null) {
            throw new IllegalArgumentException(where + " holds no PRIVATE KEY");
        }
        return new KeyPair(pub != null ? pub : derivePublic(key), key);
    }

    /**
     * The public key of an Ed25519 private key: the JDK has no call for it, but its key pair generator makes the
     * private key from 32 random bytes, so a generator fed the key's own bytes makes the pair. Callers check the
     * result by signing and verifying (see {@link ManifestSigner}).
     */
    static PublicKey derivePublic(PrivateKey key) {
        byte[] seed = ((EdECPrivateKey) key).getBytes().orElseThrow(() ->
                new IllegalArgumentException("the private key's bytes are not readable"));
        SecureRandom fixed = new SecureRandom() {
            @Override
            public void nextBytes(byte[] bytes) {
                if (bytes.length != seed.length) {
                    throw new IllegalStateException("unexpected Ed25519 key generation");
                }
                System.arraycopy(seed, 0, bytes, 0, bytes.length);
            }
        };
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance(ALGORITHM);
            g.initialize(NamedParameterSpec.ED25519, fixed);
            return g.generateKeyPair().getPublic();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        } finally {
            Arrays.fill(seed, (byte) 0);
        }
    }

    /** The text of a key file, the file named in errors by {@code where}. */
    public static String read(Path file, String where) {
        try {
            return Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(where + ": no file " + file);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(where + ": cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
        }
    }

    private record Block(String type, byte[] der) {
    }

    private static List<Block> blocks(String text, String where) {
        // PEM pasted into one line of an environment variable or a properties file: "\n" as two characters
        String t = text.replace("\\n", "\n").replace("\\r", "");
        List<Block> out = new ArrayList<>();
        Matcher m = PEM.matcher(t);
        while (m.find()) {
            String body = m.group(2).replaceAll("\\s+", "");
            try {
                out.add(new Block(m.group(1), Base64.getDecoder().decode(body)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": the PEM '" + m.group(1) + "' block is not valid base64");
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(where + " holds no PEM block (-----BEGIN ...-----)");
        }
        return out;
    }
}
