package com.listinglens.storage;

import com.listinglens.pool.PoolFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Brings the files of a published version to a local folder and verifies them against their manifest before
 * anybody loads them. A folder store is read in place; a bucket is downloaded into the local cache
 * ({@code <cache>/<kind>/<owner>/<version>/}), first into a partial folder that is renamed only once every file
 * matches its size and sha-256, so a crash mid-download never leaves a folder that looks complete.
 */
public final class Fetcher {

    private final BlobStore store;
    private final Path cacheDir;

    public Fetcher(BlobStore store, Path cacheDir) {
        this.store = store;
        this.cacheDir = cacheDir.toAbsolutePath().normalize();
    }

    public BlobStore store() {
        return store;
    }

    /** The cache folder of one version of {@code kind} ("pools", "models") owned by {@code owner} (tenant, model). */
    public Path cacheFolder(String kind, String owner, String version) {
        return cacheDir.resolve(Layout.segment("kind", kind)).resolve(Layout.segment("owner", owner))
                .resolve(Layout.segment("version", version));
    }

    /**
     * A verified local folder holding {@code files} of the version at {@code folderKey}.
     *
     * @param verifyChecksums hash every file (sizes are always checked)
     * @throws ArtifactRefusedException a file is missing, truncated, too long or differs from its checksum
     */
    public Path fetch(String folderKey, List<FileEntry> files, String kind, String owner, String version, boolean verifyChecksums) {
        if (files.isEmpty()) {
            throw new ArtifactRefusedException("empty-manifest", folderKey + ": the manifest lists no file");
        }
        for (FileEntry f : files) {
            if (!Layout.isSegment(f.name()) || f.name().equals(Layout.MANIFEST) || f.name().equals(Layout.SIGNATURE)) {
                throw new ArtifactRefusedException("invalid-manifest", folderKey + Layout.MANIFEST + " names the file '" + f.name()
                        + "', which is not a plain file name inside its folder");
            }
        }
        Optional<Path> inPlace = store.localFile(folderKey + Layout.MANIFEST);
        if (inPlace.isPresent()) {
            Path folder = inPlace.get().getParent();
            verify(folder, files, verifyChecksums, folderKey);
            return folder;
        }
        Path target = cacheFolder(kind, owner, version);
        if (Files.isDirectory(target)) {
            try {
                verify(target, files, verifyChecksums, folderKey);
                return target;
            } catch (ArtifactRefusedException stale) {
                deleteTree(target);
            }
        }
        Path partial = target.resolveSibling(version + ".partial-" + System.nanoTime());
        try {
            Files.createDirectories(partial);
            for (FileEntry f : files) {
                try {
                    store.download(folderKey + f.name(), partial.resolve(f.name()));
                } catch (BlobNotFoundException e) {
                    throw new ArtifactRefusedException("missing-file", folderKey + f.name() + " is listed in the manifest but not in the store");
                }
            }
            verify(partial, files, true, folderKey);
            try {
                Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(partial, target);
            }
            return target;
        } catch (IOException e) {
            throw new LocalStorageException("cannot write the cache folder " + partial + " (is the cache disk full or read-only?): "
                    + e.getMessage(), e);
        } finally {
            deleteTree(partial);
        }
    }

    /** Checks every file of {@code folder} against the manifest's sizes and (optionally) checksums. */
    public static void verify(Path folder, List<FileEntry> files, boolean checksums, String where) {
        for (FileEntry f : files) {
            Path file = folder.resolve(f.name());
            long size;
            try {
                if (!Files.isRegularFile(file)) {
                    throw new ArtifactRefusedException("missing-file", where + f.name() + " is listed in the manifest but missing");
                }
                size = Files.size(file);
            } catch (IOException e) {
                throw new StorageException("cannot read " + file + ": " + e.getMessage(), e);
            }
            if (size < f.bytes()) {
                throw new ArtifactRefusedException("truncated", where + f.name() + " is truncated: " + size + " of "
                        + f.bytes() + " bytes");
            }
            if (size > f.bytes()) {
                throw new ArtifactRefusedException("size-mismatch", where + f.name() + " has " + size
                        + " bytes; its manifest says " + f.bytes());
            }
            if (checksums && !PoolFiles.sha256(file).equalsIgnoreCase(f.sha256())) {
                throw new ArtifactRefusedException("checksum-mismatch", where + f.name() + " does not match its sha-256 in the manifest");
            }
        }
    }

    /** Removes cached versions of {@code kind}/{@code owner} except {@code keep} (and unfinished downloads). */
    public int evict(String kind, String owner, Set<String> keep) {
        Path dir = cacheDir.resolve(Layout.segment("kind", kind)).resolve(Layout.segment("owner", owner));
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        int removed = 0;
        try (Stream<Path> children = Files.list(dir)) {
            for (Path child : children.toList()) {
                if (!keep.contains(child.getFileName().toString())) {
                    deleteTree(child);
                    removed++;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return removed;
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }
}
