package com.listinglens.storage;

import com.listinglens.pool.Manifest;
import com.listinglens.pool.PoolException;
import com.listinglens.pool.PoolFiles;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reading side of the artifact store: follows a tenant's (or model's) {@code current} pointer to its manifest,
 * checks the manifest against the pointer's checksum, and brings the version's files to a verified local folder.
 * Shared by the service's pool watcher and the command-line tools. With a {@link ManifestVerifier} every manifest must
 * carry a valid signature by a trusted key ({@code manifest.json.sig}), checked before the manifest is parsed and so
 * before any file of its version is fetched; without one, artifacts are checked but not authenticated.
 */
public final class Artifacts implements AutoCloseable {

    public static final String POOLS = "pools";
    public static final String MODELS = "models";

    private final BlobStore store;
    private final Layout layout;
    private final Fetcher fetcher;
    private final ManifestVerifier verifier;

    /** Artifacts read without authentication (sizes and checksums only). */
    public Artifacts(BlobStore store, Layout layout, Path cacheDir) {
        this(store, layout, cacheDir, null);
    }

    /** @param verifier the trusted keys every manifest must be signed by (null: signatures are not checked) */
    public Artifacts(BlobStore store, Layout layout, Path cacheDir, ManifestVerifier verifier) {
        this.store = store;
        this.layout = layout;
        this.fetcher = new Fetcher(store, cacheDir);
        this.verifier = verifier;
    }

    /** The keys manifests must be signed by; empty when signatures are not checked. */
    public Optional<ManifestVerifier> verifier() {
        return Optional.ofNullable(verifier);
    }

    /**
     * Checks the signature of the manifest {@code bytes} of {@code folder} (a version folder key, ending in '/') when a
     * verifier is set; a manifest without a signature, or with one no trusted key made, is refused.
     */
    private void authenticate(String kind, String owner, String version, String folder, byte[] bytes) {
        if (verifier != null) {
            verifier.verify(kind, owner, version, bytes, store.read(folder + Layout.SIGNATURE).orElse(null), folder + Layout.MANIFEST);
        }
    }

    public BlobStore store() {
        return store;
    }

    public Layout layout() {
        return layout;
    }

    public Fetcher fetcher() {
        return fetcher;
    }

    /**
     * The tenant's pointer, empty when nothing was published for it; where artifacts are signed, its signature is
     * checked (an unsigned or forged pointer is refused).
     */
    public Optional<Pointer> poolPointer(String tenant) {
        String key = layout.poolPointer(tenant);
        return store.read(key).map(b -> authenticated(Pointer.parse(b, key), Pointer.POOL_KIND, tenant, key));
    }

    /**
     * The tenant's pointer as stored, not authenticated: only to name a version that was refused (a pointer that fails
     * its signature still says which version it names).
     */
    public Optional<Pointer> storedPoolPointer(String tenant) {
        String key = layout.poolPointer(tenant);
        return store.read(key).map(b -> Pointer.parse(b, key));
    }

    private Pointer authenticated(Pointer p, String kind, String owner, String key) {
        if (verifier != null) {
            p.verify(verifier, kind, owner, key);
        }
        return p;
    }

    /**
     * A pointer to one given version of the tenant's pools, as if {@code current} named it (a pinned version): the
     * sha-256 is that of the manifest found now, whose files are then verified as any version's are. Empty when the
     * version is not in the store.
     */
    public Optional<Pointer> versionPointer(String tenant, String version) {
        String key = layout.poolVersion(tenant, Layout.segment("pool version", version)) + Layout.MANIFEST;
        return store.read(key).map(bytes -> Pointer.of(version, Publisher.sha256(bytes), null));
    }

    /** The manifest the pointer names, checked against the pointer's sha-256. */
    public Manifest poolManifest(String tenant, Pointer pointer) {
        String key = layout.poolVersion(tenant, pointer.version()) + Layout.MANIFEST;
        byte[] bytes = store.read(key).orElseThrow(() ->
                new ArtifactRefusedException("missing-file", "the pointer of tenant " + tenant + " names " + pointer.version()
                        + " but " + key + " does not exist"));
        if (!Publisher.sha256(bytes).equals(pointer.manifestSha256())) {
            throw new ArtifactRefusedException(PoolException.CHECKSUM, key + " does not match the sha-256 its pointer gives");
        }
        authenticate(POOLS, tenant, pointer.version(), layout.poolVersion(tenant, pointer.version()), bytes);
        Manifest manifest;
        try {
            manifest = PoolFiles.parseManifest(bytes, key);
        } catch (PoolException e) {
            throw new ArtifactRefusedException(e.reason(), e.getMessage(), e);
        }
        if (!pointer.version().equals(manifest.poolVersion())) {
            throw new ArtifactRefusedException("invalid-manifest", key + " describes pool " + manifest.poolVersion()
                    + ", not " + pointer.version());
        }
        if (!manifest.hasFile(PoolFiles.INDEX) || !(manifest.hasFile(PoolFiles.LISTING_STORE) || manifest.hasFile(PoolFiles.LISTINGS))) {
            throw new ArtifactRefusedException("invalid-manifest", key + " does not list both " + PoolFiles.INDEX + " and its listings ("
                    + PoolFiles.LISTING_STORE + ", or " + PoolFiles.LISTINGS + " in format 1)");
        }
        return manifest;
    }

    /** A verified local folder of the pool version (manifest included). */
    public Path fetchPool(String tenant, Manifest manifest, boolean verifyChecksums) {
        String folder = layout.poolVersion(tenant, manifest.poolVersion());
        List<FileEntry> files = manifest.files().stream().map(f -> new FileEntry(f.name(), f.bytes(), f.sha256())).toList();
        Path local = fetcher.fetch(folder, files, POOLS, tenant, manifest.poolVersion(), verifyChecksums);
        if (!store.localFile(folder + Layout.MANIFEST).isPresent()) {
            // the manifest travels with the files: the pool folder is complete and self-describing
            PoolFiles.writeManifest(local, manifest);
        }
        return local;
    }

    /**
     * One file of a pool version, downloaded to {@code target} (replaced) and checked against the manifest's size and
     * sha-256: what a build needs of the pool before it (its folded live changes) without fetching the whole pool.
     */
    public Path fetchPoolFile(String tenant, Manifest manifest, String name, Path target) {
        Manifest.FileRef ref = manifest.file(name);
        String key = layout.poolVersion(tenant, manifest.poolVersion()) + name;
        store.download(key, target);
        Manifest.FileRef got = PoolFiles.describeFile(target);
        if (got.bytes() != ref.bytes() || !got.sha256().equals(ref.sha256())) {
            throw new ArtifactRefusedException(PoolException.CHECKSUM, key + " does not match the size and sha-256 its manifest gives");
        }
        return target;
    }

    /** The tenant's current pool as a verified local folder (for tools); fails when none is published. */
    public Path currentPool(String tenant) {
        Pointer pointer = poolPointer(tenant).orElseThrow(() -> new StorageException("no pool is published for tenant "
                + tenant + " in " + store.describe() + " (" + layout.poolPointer(tenant) + " is missing)"));
        return fetchPool(tenant, poolManifest(tenant, pointer), true);
    }

    /** Drops the tenant's cached pool versions except {@code keep}. */
    public int evictPools(String tenant, Set<String> keep) {
        return fetcher.evict(POOLS, tenant, keep);
    }

    /** The model version to serve: {@code version} if given, else the one the model's pointer names. */
    public ModelManifest modelManifest(String name, String version) {
        String v = version;
        String expectedSha = null;
        if (v == null) {
            String key = layout.modelPointer(name);
            Pointer p = store.read(key).map(b -> authenticated(Pointer.parse(b, key), Pointer.MODEL_KIND, name, key)).orElseThrow(() ->
                    new StorageException("no model " + name + " is published in " + store.describe() + " (" + key + " is missing)"));
            v = p.version();
            expectedSha = p.manifestSha256();
        }
        String key = layout.modelVersion(name, v) + Layout.MANIFEST;
        byte[] bytes = store.read(key).orElseThrow(() -> new StorageException("no model manifest " + key + " in " + store.describe()));
        if (expectedSha != null && !Publisher.sha256(bytes).equals(expectedSha)) {
            throw new ArtifactRefusedException(PoolException.CHECKSUM, key + " does not match the sha-256 its pointer gives");
        }
        authenticate(MODELS, name, v, layout.modelVersion(name, v), bytes);
        ModelManifest m = ModelManifest.parse(bytes, key);
        if (!name.equals(m.name()) || !v.equals(m.version())) {
            throw new ArtifactRefusedException("invalid-manifest", key + " describes " + m.name() + " " + m.version());
        }
        return m;
    }

    /** A verified local folder of the model version. */
    public Path fetchModel(ModelManifest manifest) {
        return fetcher.fetch(layout.modelVersion(manifest.name(), manifest.version()), manifest.entries(), MODELS,
                manifest.name(), manifest.version(), true);
    }

    @Override
    public void close() {
        store.close();
    }
}
