package com.listinglens.storage;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Checks that a manifest was signed by a trusted key (lens.storage.signing.public-key: one or more Ed25519 public
 * keys, more than one while keys are rotated). A manifest without its signature file is refused as
 * {@value #UNSIGNED}; one whose signature does not verify with any trusted key (changed after signing, signed by
 * another key, copied from another tenant or version) as {@value #BAD_SIGNATURE}.
 */
public final class ManifestVerifier {

    public static final String UNSIGNED = "unsigned";
    public static final String BAD_SIGNATURE = "bad-signature";

    private final Map<String, PublicKey> keys = new LinkedHashMap<>();

    private ManifestVerifier(Collection<PublicKey> trusted) {
        if (trusted.isEmpty()) {
            throw new IllegalArgumentException("a verifier needs at least one public key");
        }
        trusted.forEach(k -> keys.put(SigningKeys.keyId(k), k));
    }

    public static ManifestVerifier of(Collection<PublicKey> trusted) {
        return new ManifestVerifier(trusted);
    }

    /**
     * The verifier of a setting: PEM text (one or more PUBLIC KEY blocks) or the path of a PEM file (a mounted Secret).
     *
     * @throws IllegalArgumentException the file is missing or the PEM holds no Ed25519 public key
     */
    public static ManifestVerifier fromSetting(String value, String setting) {
        String v = value.strip();
        if (SigningKeys.isPem(v)) {
            return of(SigningKeys.publicKeys(v, setting));
        }
        Path file = Path.of(v);
        return of(SigningKeys.publicKeys(SigningKeys.read(file, setting), setting + " (" + file + ")"));
    }

    public Set<String> keyIds() {
        return keys.keySet();
    }

    /**
     * Passes when {@code signatureFile} is a valid signature by a trusted key of {@code manifest} as published for
     * {@code kind}/{@code owner}/{@code version}.
     *
     * @param signatureFile the bytes of manifest.json.sig, null when there is none
     * @param where         the manifest's key or path, for messages
     * @throws ArtifactRefusedException {@value #UNSIGNED} or {@value #BAD_SIGNATURE}
     */
    public void verify(String kind, String owner, String version, byte[] manifest, byte[] signatureFile, String where) {
        if (signatureFile == null) {
            throw new ArtifactRefusedException(UNSIGNED, where + " is not signed (no " + Layout.SIGNATURE
                    + " beside it), and lens.storage.signing.public-key asks for signed artifacts");
        }
        String sigWhere = where + ".sig";
        ManifestSignature s = ManifestSignature.parse(signatureFile, sigWhere);
        if (!SigningKeys.ALGORITHM.equalsIgnoreCase(s.algorithm())) {
            throw new ArtifactRefusedException(BAD_SIGNATURE, sigWhere + " is a " + s.algorithm() + " signature; only "
                    + SigningKeys.ALGORITHM + " is accepted");
        }
        byte[] sig;
        try {
            sig = Base64.getDecoder().decode(s.signature());
        } catch (IllegalArgumentException e) {
            throw new ArtifactRefusedException(BAD_SIGNATURE, sigWhere + " holds no valid base64 signature");
        }
        byte[] message = ManifestSignature.message(kind, owner, version, manifest);
        for (PublicKey k : keys.values()) {
            if (verifies(k, message, sig)) {
                return;
            }
        }
        String why;
        if (!keys.containsKey(s.keyId())) {
            why = "it was signed by key " + s.keyId() + ", which is not trusted (trusted: " + String.join(", ", keys.keySet()) + ")";
        } else if (!kind.equals(s.kind()) || !owner.equals(s.owner()) || !version.equals(s.version())) {
            why = "it was signed for " + s.kind() + "/" + s.owner() + "/" + s.version() + ", not " + kind + "/" + owner + "/" + version;
        } else {
            why = "it was changed after it was signed with key " + s.keyId();
        }
        throw new ArtifactRefusedException(BAD_SIGNATURE, where + " fails its signature: " + why);
    }

    static boolean verifies(PublicKey key, byte[] message, byte[] signature) {
        try {
            Signature v = Signature.getInstance(SigningKeys.ALGORITHM);
            v.initVerify(key);
            v.update(message);
            return v.verify(signature);
        } catch (SignatureException e) {
            return false;   // a signature of the wrong length or form
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "ManifestVerifier" + keys.keySet();
    }
}
