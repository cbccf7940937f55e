package com.listinglens.storage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Set;

/**
 * Signs manifests with an Ed25519 private key (publishers only: lens.storage.signing.private-key-file). Holds the
 * key; never prints it ({@link #toString()} names the key id only).
 */
public final class ManifestSigner {

    private static final System.Logger LOG = System.getLogger(ManifestSigner.class.getName());

    private final PrivateKey key;
    private final PublicKey publicKey;
    private final String keyId;

    private ManifestSigner(PrivateKey key, PublicKey publicKey) {
        this.key = key;
        this.publicKey = publicKey;
        this.keyId = SigningKeys.keyId(publicKey);
        // a wrong public key (or a JDK that derives it otherwise) would publish what no verifier accepts: checked now
        byte[] probe = "listing-lens signing probe".getBytes(StandardCharsets.UTF_8);
        if (!ManifestVerifier.verifies(publicKey, probe, sign(probe))) {
            throw new IllegalArgumentException("the signing key's public key does not match it");
        }
    }

    public static ManifestSigner of(KeyPair pair) {
        return new ManifestSigner(pair.getPrivate(), pair.getPublic());
    }

    /** The signer of a PEM private key file (PKCS#8; a PUBLIC KEY block beside it is used, else derived). */
    public static ManifestSigner load(Path file, String setting) {
        String where = setting + " (" + file + ")";
        warnIfReadableByOthers(file, where);
        return of(SigningKeys.privateKey(SigningKeys.read(file, setting), where));
    }

    private static void warnIfReadableByOthers(Path file, String where) {
        try {
            Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
            if (p.removeAll(EnumSet.of(PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ))) {
                LOG.log(System.Logger.Level.WARNING, where + " can be read by other users: chmod 600 it");
            }
        } catch (UnsupportedOperationException | IOException e) {
            // not a POSIX file system, or not there (reading it says so)
        }
    }

    public String keyId() {
        return keyId;
    }

    public PublicKey publicKey() {
        return publicKey;
    }

    /** The signature file of a manifest published as {@code kind}/{@code owner}/{@code version}. */
    public byte[] sign(String kind, String owner, String version, byte[] manifest) {
        byte[] sig = sign(ManifestSignature.message(kind, owner, version, manifest));
        return new ManifestSignature(ManifestSignature.FORMAT_VERSION, SigningKeys.ALGORITHM, keyId, kind, owner, version,
                Base64.getEncoder().encodeToString(sig)).toJson();
    }

    private byte[] sign(byte[] message) {
        try {
            Signature s = Signature.getInstance(SigningKeys.ALGORITHM);
            s.initSign(key);
            s.update(message);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with key " + keyId + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "ManifestSigner[keyId=" + keyId + ", privateKey=(redacted)]";
    }
}
