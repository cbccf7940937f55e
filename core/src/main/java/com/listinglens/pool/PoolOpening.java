package com.listinglens.pool;

import com.listinglens.catalog.CatalogReader;
import com.listinglens.projection.Projection;
import com.listinglens.vector.FaissIndex;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How a {@link Pool} is opened from its folder: the manifest read and checked against what the caller serves, every
 * file's size (and optionally sha-256) checked against the manifest, the projection against its fingerprint, then
 * the listings, photo vectors, index and re-ranking rows opened and checked against the manifest's counts and
 * dimensions. Nothing is half-opened. The searching is {@link Pool}'s, the re-ranking {@link Reranker}'s.
 */
final class PoolOpening {

    private PoolOpening() {
    }

    /**
     * Opens the pool in {@code dir}: manifest first, then (optionally) checksums, then listings and index,
     * each checked against the manifest and against what the caller serves. Nothing is half-opened: on any
     * failure what was opened is closed again and a {@link PoolException} says why.
     */
    static Pool open(Path dir, Pool.OpenOptions options) {
        Manifest manifest = PoolFiles.readManifest(dir);
        checkCompatible(manifest, options.expectedSpace(), options.expectedDimension());
        Path indexFile = dir.resolve(PoolFiles.INDEX);
        boolean stored = manifest.hasFile(PoolFiles.LISTING_STORE);
        Path listingsFile = dir.resolve(stored ? PoolFiles.LISTING_STORE : PoolFiles.LISTINGS);
        List<Path> checked = new ArrayList<>(List.of(indexFile, listingsFile));
        for (String rows : List.of(PoolFiles.INDEX_VECTORS, PoolFiles.INDEX_VECTORS_SQ8)) {
            if (manifest.hasFile(rows)) {
                checked.add(dir.resolve(rows));
            }
        }
        Manifest.ProjectionRef ref0 = manifest.projection();
        if (ref0 != null) {
            checked.add(dir.resolve(plainFileName(dir, ref0.file(), "projection")));
            if (ref0.photoVectors() != null) {
                checked.add(dir.resolve(plainFileName(dir, ref0.photoVectors(), "photo vectors")));
            }
        }
        for (Path file : checked) {
            Manifest.FileRef ref = manifest.file(file.getFileName().toString());
            try {
                if (!Files.isRegularFile(file) || Files.size(file) != ref.bytes()) {
                    throw new PoolException(PoolException.SIZE, "pool file " + file + " is missing or has the wrong size (manifest: "
                            + ref.bytes() + " bytes)");
                }
            } catch (IOException e) {
                throw new PoolException("cannot read " + file + ": " + e.getMessage(), e);
            }
            if (options.verifyChecksums() && !PoolFiles.sha256(file).equals(ref.sha256())) {
                throw new PoolException(PoolException.CHECKSUM, "pool file " + file + " does not match its sha-256 in the manifest");
            }
        }
        ListingStore listings = stored ? ListingStore.open(listingsFile) : readListings(listingsFile);
        PhotoVectors photos = null;
        PhotoVectors refine = null;
        Sq8Rows sq8 = null;
        FaissIndex index = null;
        try {
            if (listings.rows() != manifest.listingCount()) {
                throw new PoolException("pool " + dir + " lists " + listings.rows() + " listings but its manifest says "
                        + manifest.listingCount());
            }
            Projection projection = null;
            if (ref0 != null) {
                projection = readProjection(dir, manifest, ref0);
            }
            photos = ref0 == null || ref0.photoVectors() == null ? null
                    : PhotoVectors.open(dir.resolve(ref0.photoVectors()), manifest.listingCount(), ref0.inputDimension());
            index = FaissIndex.read(indexFile, options.memoryMap());
            if (index.count() != manifest.listingCount() || index.dimension() != manifest.dimension()) {
                throw new PoolException("index of pool " + dir + " holds " + index.count() + " vectors of dimension "
                        + index.dimension() + "; the manifest says " + manifest.listingCount() + " of " + manifest.dimension());
            }
            if (manifest.hasFile(PoolFiles.INDEX_VECTORS)) {
                refine = PhotoVectors.open(dir.resolve(PoolFiles.INDEX_VECTORS), manifest.listingCount(), manifest.dimension(), 4);
                if (manifest.hasFile(PoolFiles.INDEX_VECTORS_SQ8) && options.exact() > 0) {
                    // read in whole at open: every query ranks its candidates with these rows, so they should stay resident
                    sq8 = Sq8Rows.open(dir.resolve(PoolFiles.INDEX_VECTORS_SQ8), manifest.listingCount(), manifest.dimension(), true);
                }
            }
            // the caller's re-ranking factor, else the one the builder recommends
            int refineFactor = options.refine() > 0 ? options.refine()
                    : manifest.indexChoice() == null ? 1 : manifest.indexChoice().refine();
            return new Pool(dir, manifest, listings, index, projection, photos,
                    new Reranker(index.metric(), listings.rows(), refine, sq8, refineFactor, options.exact()));
        } catch (RuntimeException e) {
            if (index != null) {
                index.close();
            }
            if (photos != null) {
                photos.close();
            }
            if (refine != null) {
                refine.close();
            }
            if (sq8 != null) {
                sq8.close();
            }
            listings.close();
            throw e;
        }
    }

    /** A file name the manifest gives, refused unless it is a plain name inside the pool directory. */
    private static String plainFileName(Path dir, String name, String what) {
        if (name == null || !name.matches("[A-Za-z0-9._-]{1,64}") || name.startsWith(".")) {
            throw new PoolException(PoolException.INVALID, "pool " + dir + ": bad " + what + " file name '" + name + "'");
        }
        return name;
    }

    /**
     * Refuses a pool embedded in another space or dimension than the model that will query it (null space or
     * dimension 0: not checked). Callers may run it on a manifest alone, before fetching any pool file.
     */
    static void checkCompatible(Manifest manifest, String expectedSpace, int expectedDimension) {
        String space = manifest.model() == null ? null : manifest.model().space();
        if (expectedSpace != null && !expectedSpace.equals(space)) {
            throw new PoolException(PoolException.OTHER_SPACE, "pool " + manifest.poolVersion() + " was embedded in space '"
                    + space + "' but the service's model embeds in '" + expectedSpace + "'");
        }
        if (expectedDimension > 0 && expectedDimension != manifest.queryDimension()) {
            throw new PoolException(PoolException.OTHER_SPACE, "pool " + manifest.poolVersion() + " is queried with dimension "
                    + manifest.queryDimension() + " but the model gives " + expectedDimension);
        }
        Manifest.ProjectionRef p = manifest.projection();
        if (p != null && p.outputDimension() != manifest.dimension()) {
            throw new PoolException(PoolException.INVALID, "pool " + manifest.poolVersion() + ": its projection gives dimension "
                    + p.outputDimension() + " but its index has " + manifest.dimension());
        }
    }

    /** The pool's projection, checked against its fingerprint and dimensions in the manifest. */
    private static Projection readProjection(Path dir, Manifest manifest, Manifest.ProjectionRef ref) {
        Path file = dir.resolve(ref.file());
        if (!PoolFiles.sha256(file).equals(ref.sha256())) {
            throw new PoolException(PoolException.CHECKSUM, "projection " + file + " does not match its fingerprint in the manifest");
        }
        Projection projection;
        try {
            projection = Projection.read(file);
        } catch (RuntimeException e) {
            throw new PoolException("projection " + file + " cannot be read: " + e.getMessage(), e);
        }
        if (projection.inputDimension() != ref.inputDimension() || projection.outputDimension() != ref.outputDimension()) {
            throw new PoolException(PoolException.INVALID, "projection " + file + " maps " + projection.inputDimension() + " to "
                    + projection.outputDimension() + " dimensions; the manifest says " + ref.inputDimension() + " to "
                    + ref.outputDimension());
        }
        return projection;
    }

    /**
     * The listings of a format-1 pool (catalog lines), turned into a listing store in a temporary file that is unlinked
     * once mapped: the pool then reads them the same way as a format-2 pool's.
     */
    private static ListingStore readListings(Path file) {
        return ListingStore.temporary(out -> {
            try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                String line;
                long lineNo = 0;
                while ((line = in.readLine()) != null) {
                    lineNo++;
                    try {
                        out.add(CatalogReader.parse(line));
                    } catch (IllegalArgumentException e) {
                        throw new PoolException(file + ":" + lineNo + ": " + e.getMessage());
                    }
                }
            } catch (IOException e) {
                throw new PoolException("cannot read " + file + ": " + e.getMessage(), e);
            }
        });
    }

}
