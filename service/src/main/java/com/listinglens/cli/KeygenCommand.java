package com.listinglens.cli;

import com.listinglens.storage.ManifestSigner;
import com.listinglens.storage.SigningKeys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.util.Arrays;
import java.util.concurrent.Callable;

/** {@code lens keygen}: an Ed25519 key pair to sign published models and pools with. */
@Command(name = "keygen", mixinStandardHelpOptions = true,
        description = "Make an Ed25519 key pair for signed artifacts: DIR/signing.key (PKCS#8 PEM, mode 600: "
                + "lens.storage.signing.private-key-file of the publishers) and DIR/signing.pub (PEM: "
                + "lens.storage.signing.public-key of the services).")
public final class KeygenCommand implements Callable<Integer> {

    public static final String PRIVATE = "signing.key";
    public static final String PUBLIC = "signing.pub";

    @Option(names = {"-o", "--out"}, required = true, description = "folder to write signing.key and signing.pub to")
    Path out;

    @Option(names = "--force", description = "replace an existing key pair in the folder")
    boolean force;

    @Override
    public Integer call() throws IOException {
        Files.createDirectories(out);
        Path priv = out.resolve(PRIVATE);
        Path pub = out.resolve(PUBLIC);
        if (!force && (Files.exists(priv) || Files.exists(pub))) {
            System.err.println("keygen: " + out + " already holds " + PRIVATE + " or " + PUBLIC + " (--force replaces them)");
            return 2;
        }
        KeyPair pair = SigningKeys.generate();
        String keyId = ManifestSigner.of(pair).keyId();
        writePrivate(priv, SigningKeys.privatePem(pair.getPrivate()).getBytes(StandardCharsets.US_ASCII));
        Files.writeString(pub, SigningKeys.publicPem(pair.getPublic()), StandardCharsets.US_ASCII);
        System.err.println("key " + keyId + ": private key " + priv + " (keep it with the publishers: "
                + "lens.storage.signing.private-key-file), public key " + pub + " (lens.storage.signing.public-key)");
        return 0;
    }

    /** Creates the file readable by its owner only from the start (no moment where others could read the key). */
    private static void writePrivate(Path file, byte[] pem) throws IOException {
        Files.deleteIfExists(file);
        boolean posix = file.getFileSystem().supportedFileAttributeViews().contains("posix");
        FileAttribute<?>[] attrs = posix
                ? new FileAttribute<?>[]{PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new FileAttribute<?>[0];
        try {
            Files.createFile(file, attrs);
        } catch (FileAlreadyExistsException e) {
            throw new IOException(file + " appeared while it was being written", e);
        }
        try (OutputStream o = Files.newOutputStream(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            o.write(pem);
        } finally {
            Arrays.fill(pem, (byte) 0);
        }
    }
}
