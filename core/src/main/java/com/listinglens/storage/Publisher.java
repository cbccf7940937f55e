package com.listinglens.storage;

import com.listinglens.pool.Manifest;
import com.listinglens.pool.PoolException;
import com.listinglens.pool.PoolFiles;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Puts pools and models into the store in the order that keeps readers safe: every data file, then the manifest,
 * then a check that each object is there with its size, and only then the {@code current} pointer. A reader that
 * follows the pointer therefore always finds a complete version; a publication that fails half-way leaves the
 * pointer where it was. With a {@link ManifestSigner} the manifest's signature ({@code manifest.json.sig}) is written
 * just before the manifest.
 */
public final class Publisher {

    private final BlobStore store;
    private final Layout layout;
    private final PrintStream log;
    private final ManifestSigner signer;

    /** A publisher of unsigned versions. */
    public Publisher(BlobStore store, Layout layout, PrintStream log) {
        this(store, layout, log, null);
    }

    /** @param signer signs every manifest published (null: versions are published unsigned) */
    public Publisher(BlobStore store, Layout layout, PrintStream log, ManifestSigner signer) {
        this.store = store;
        this.layout = layout;
        this.log = log;
        this.signer = signer;
    }

    /** What a publication did. */
    public record Published(String owner, String version, String folder, long bytes, int files, boolean pointerMoved,
                            String previous, double seconds) {
    }

    /**
     * Publishes the pool in {@code poolDir} for {@code tenant} under its manifest's version.
     *
     * @param movePointer move {@code pools/<tenant>/current} to it (false: upload only, e.g. to stage it)
     */
    public Published publishPool(Path poolDir, String tenant, boolean movePointer) {
        long t0 = System.nanoTime();
        Layout.segment("tenant", tenant);
        Manifest manifest = PoolFiles.readManifest(poolDir);
        String version = Layout.segment("pool version", manifest.poolVersion());
        byte[] manifestBytes = read(poolDir.resolve(PoolFiles.MANIFEST));
        List<FileEntry> files = manifest.files().stream().map(f -> new FileEntry(f.name(), f.bytes(), f.sha256())).toList();
        // every name must be one segment inside the version folder, as readers require, before anything is uploaded
        files.forEach(f -> Layout.segment("pool file name", f.name()));
        if (files.stream().map(FileEntry::name).distinct().count() != files.size()
                || files.stream().anyMatch(f -> f.name().equals(Layout.MANIFEST) || f.name().equals(Layout.SIGNATURE))) {
            throw new PoolException("the manifest of " + poolDir + " names a file twice, or names " + Layout.MANIFEST
                    + " or " + Layout.SIGNATURE);
        }
        log.printf(Locale.ROOT, "publishing pool %s of tenant %s (%d listings) to %s%n", version, tenant,
                manifest.listingCount(), store.describe());
        try {
            Fetcher.verify(poolDir, files, true, poolDir + "/");
        } catch (ArtifactRefusedException e) {
            throw new PoolException(e.reason(), "will not publish a pool that fails its own manifest: " + e.getMessage());
        }
        String folder = layout.poolVersion(tenant, version);
        byte[] signature = signer == null ? null : signer.sign(Artifacts.POOLS, tenant, version, manifestBytes);
        long bytes = upload(folder, poolDir, files, manifestBytes, signature);
        String previous = null;
        if (movePointer) {
            previous = movePointer(layout.poolPointer(tenant), Pointer.POOL_KIND, tenant, version, manifestBytes);
        }
        double s = (System.nanoTime() - t0) / 1e9;
        log.printf(Locale.ROOT, "published pool %s of tenant %s: %d files, %.1f MB in %.1f s%s%n", version, tenant,
                files.size() + 1, bytes / 1e6, s, movePointer ? "; current: " + previous + " -> " + version : " (pointer not moved)");
        return new Published(tenant, version, folder, bytes, files.size() + 1, movePointer, previous, s);
    }

    /**
     * Moves the tenant's pointer to a version already in the store (a rollback, or a staged version made current):
     * a new pointer, with the time of now and signed when this publisher signs, so that replicas that refuse older
     * pointers (signed stores) take it. Answers the version the pointer named before.
     *
     * @throws StorageException the version is not in the store
     */
    public String pointTo(String tenant, String version) {
        Layout.segment("tenant", tenant);
        String folder = layout.poolVersion(tenant, Layout.segment("pool version", version));
        byte[] manifestBytes = store.read(folder + Layout.MANIFEST).orElseThrow(() -> new StorageException(
                "pool " + version + " of tenant " + tenant + " is not in " + store.describe() + " (" + folder + Layout.MANIFEST + " is missing)"));
        String previous = movePointer(layout.poolPointer(tenant), Pointer.POOL_KIND, tenant, version, manifestBytes);
        log.printf(Locale.ROOT, "tenant %s: current %s -> %s%s%n", tenant, previous, version, signer == null ? "" : " (pointer signed with key " + signer.keyId() + ")");
        return previous;
    }

    /**
     * Publishes model files (precision -> TorchScript file) as {@code models/<name>/<version>/}.
     */
    public Published publishModel(String name, String version, String space, int dimension, Map<String, Path> filesByPrecision,
                                  boolean movePointer) {
        return publishModel(name, version, space, dimension, filesByPrecision, List.of(), List.of(), movePointer);
    }

    /**
     * Publishes model files as {@code models/<name>/<version>/}, with the views (crop sizes) the model embeds at
     * (empty: none recorded, the service's configured views apply) and the probe photos the version travels with
     * (stored as {@code probe-NN.<ext>}; empty: none, the service then probes on its configured catalog).
     */
    public Published publishModel(String name, String version, String space, int dimension, Map<String, Path> filesByPrecision,
                                  List<Integer> views, List<Path> probePhotos, boolean movePointer) {
        long t0 = System.nanoTime();
        Layout.segment("model name", name);
        Layout.segment("model version", version);
        if (filesByPrecision.isEmpty()) {
            throw new IllegalArgumentException("a model needs at least one file");
        }
        List<ModelManifest.ModelFile> files = new ArrayList<>();
        Path dir = null;
        for (Map.Entry<String, Path> e : filesByPrecision.entrySet()) {
            Path file = e.getValue();
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("model file " + file + " does not exist");
            }
            Manifest.FileRef ref = PoolFiles.describeFile(file);
            Layout.segment("model file name", ref.name());
            files.add(new ModelManifest.ModelFile(ref.name(), e.getKey().toLowerCase(Locale.ROOT), ref.bytes(), ref.sha256()));
        }
        if (files.stream().map(ModelManifest.ModelFile::name).distinct().count() != files.size()
                || files.stream().anyMatch(f -> f.name().equals(Layout.MANIFEST) || f.name().equals(Layout.SIGNATURE))) {
            throw new IllegalArgumentException("model files must have distinct names other than " + Layout.MANIFEST + " and "
                    + Layout.SIGNATURE + ": "
                    + files.stream().map(ModelManifest.ModelFile::name).toList());
        }
        List<FileEntry> probe = new ArrayList<>();
        for (Path photo : probePhotos) {
            if (!Files.isRegularFile(photo)) {
                throw new IllegalArgumentException("probe photo " + photo + " does not exist");
            }
            Manifest.FileRef ref = PoolFiles.describeFile(photo);
            String ext = ref.name().contains(".") ? ref.name().substring(ref.name().lastIndexOf('.')).toLowerCase(Locale.ROOT) : "";
            probe.add(new FileEntry(Layout.segment("probe photo name", String.format(Locale.ROOT, "probe-%02d%s", probe.size(), ext)),
                    ref.bytes(), ref.sha256()));
        }
        ModelManifest manifest = new ModelManifest(ModelManifest.FORMAT_VERSION, name, version, space, dimension, Instant.now(), files,
                views, probe);
        byte[] manifestBytes = manifest.toJson();
        String folder = layout.modelVersion(name, version);
        log.printf(Locale.ROOT, "publishing model %s %s (%s) to %s%n", name, version, space, store.describe());
        long bytes = 0;
        int i = 0;
        for (Map.Entry<String, Path> e : filesByPrecision.entrySet()) {
            ModelManifest.ModelFile f = files.get(i++);
            bytes += put(e.getValue(), Layout.file(folder, f.name()), f.bytes());
        }
        for (int p = 0; p < probe.size(); p++) {
            bytes += put(probePhotos.get(p), Layout.file(folder, probe.get(p).name()), probe.get(p).bytes());
        }
        writeSignature(folder, signer == null ? null : signer.sign(Artifacts.MODELS, name, version, manifestBytes));
        store.write(folder + Layout.MANIFEST, manifestBytes);
        check(folder + Layout.MANIFEST, manifestBytes.length);
        String previous = movePointer ? movePointer(layout.modelPointer(name), Pointer.MODEL_KIND, name, version, manifestBytes) : null;
        double s = (System.nanoTime() - t0) / 1e9;
        log.printf(Locale.ROOT, "published model %s %s: %d files and %d probe photos, %.1f MB in %.1f s%n", name, version,
                files.size() + 1, probe.size(), bytes / 1e6, s);
        return new Published(name, version, folder, bytes, files.size() + 1 + probe.size(), movePointer, previous, s);
    }

    private long upload(String folder, Path dir, List<FileEntry> files, byte[] manifestBytes, byte[] signature) {
        Optional<byte[]> existing = store.read(folder + Layout.MANIFEST);
        if (existing.isPresent()) {
            if (!Arrays.equals(existing.get(), manifestBytes)) {
                throw new StorageException(folder + " already holds another manifest: versions are immutable, build a new one");
            }
            if (allThere(folder, files)) {
                log.println("  " + folder + " is already in the store, complete: not uploaded again");
                // the same manifest signed now (say, published unsigned before): its signature is added or renewed
                writeSignature(folder, signature);
                return 0;
            }
            log.println("  " + folder + " is in the store but incomplete: uploading its files again");
        }
        long bytes = 0;
        for (FileEntry f : files) {
            bytes += put(dir.resolve(f.name()), Layout.file(folder, f.name()), f.bytes());
        }
        writeSignature(folder, signature);
        store.write(folder + Layout.MANIFEST, manifestBytes);
        check(folder + Layout.MANIFEST, manifestBytes.length);
        return bytes + manifestBytes.length;
    }

    /** Writes the manifest's signature before the manifest, so that a signed manifest is never without it. */
    private void writeSignature(String folder, byte[] signature) {
        if (signature == null) {
            return;
        }
        store.write(folder + Layout.SIGNATURE, signature);
        check(folder + Layout.SIGNATURE, signature.length);
        log.println("  " + folder + Layout.SIGNATURE + ": signed with key " + signer.keyId());
    }

    private boolean allThere(String folder, List<FileEntry> files) {
        return files.stream().allMatch(f -> store.size(folder + f.name()).map(s -> s == f.bytes()).orElse(false));
    }

    private long put(Path file, String key, long bytes) {
        long t0 = System.nanoTime();
        store.upload(file, key);
        check(key, bytes);
        log.printf(Locale.ROOT, "  %s: %.1f MB in %.1f s%n", key, bytes / 1e6, (System.nanoTime() - t0) / 1e9);
        return bytes;
    }

    private void check(String key, long bytes) {
        long stored = store.size(key).orElseThrow(() -> new StorageException(key + " is not in the store after its upload"));
        if (stored != bytes) {
            throw new StorageException(key + " has " + stored + " bytes in the store after its upload, not " + bytes);
        }
    }

    /**
     * Moves a pointer to {@code version}, signed (in the same object) when this publisher signs; answers the version
     * it named before (null if none).
     */
    private String movePointer(String key, String kind, String owner, String version, byte[] manifestBytes) {
        String previous = store.read(key).map(b -> {
            try {
                return Pointer.parse(b, key).version();
            } catch (ArtifactRefusedException e) {
                return "(unreadable)";
            }
        }).orElse(null);
        Pointer pointer = Pointer.of(version, sha256(manifestBytes), Instant.now());
        store.write(key, (signer == null ? pointer : pointer.signedBy(signer, kind, owner)).toJson());
        return previous;
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
