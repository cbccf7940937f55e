package com.listinglens.pool;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.listinglens.calibration.Calibration;

import java.time.Instant;
import java.util.List;

/**
 * What a pool is: written beside the index and listings, read first when a pool is opened. Everything a
 * service needs to decide whether it may serve the pool (format, embedding space, dimension, counts,
 * checksums) is here, so that a mismatch is refused before any native memory is touched.
 *
 * @param formatVersion  layout version of the pool directory ({@link #FORMAT_VERSION})
 * @param poolVersion    identifier of this build (reported with every answer)
 * @param model          the model that embedded the listings
 * @param dimension      embedding dimension
 * @param listingCount   vectors in the index = rows of the listing store (listings.bin; listings.jsonl in format 1)
 * @param builtAt        build time
 * @param indexFactory   FAISS index_factory string
 * @param metric         inner_product or l2
 * @param sources        catalogs the pool was built from
 * @param files          pool files with size and sha-256
 * @param live           live changes folded into this build (null: none; every logged change applies on top)
 * @param projection     the learned linear map between the model's embeddings and the index (null: none; then
 *                       {@code dimension} is the model's)
 * @param calibration    confidence maps fitted at build time on uploads the pool does not hold (null: raw vote shares)
 * @param indexChoice    how the builder chose {@code indexFactory} and the search parameters it recommends (null: the
 *                       factory string was given, the index's own parameters apply)
 */
public record Manifest(
        int formatVersion,
        String poolVersion,
        ModelRef model,
        int dimension,
        long listingCount,
        Instant builtAt,
        String indexFactory,
        String metric,
        List<SourceCatalog> sources,
        List<FileRef> files,
        @JsonInclude(JsonInclude.Include.NON_NULL) LiveFold live,
        @JsonInclude(JsonInclude.Include.NON_NULL) ProjectionRef projection,
        @JsonInclude(JsonInclude.Include.NON_NULL) Calibration calibration,
        @JsonInclude(JsonInclude.Include.NON_NULL) IndexChoice indexChoice) {

    /** Format 2 keeps the listings in a memory-mapped store (listings.bin); format 1 kept them as listings.jsonl. */
    public static final int FORMAT_VERSION = 2;
    /** The oldest format this service still reads. */
    public static final int MIN_FORMAT_VERSION = 1;

    /** A manifest without a recorded index choice. */
    public Manifest(int formatVersion, String poolVersion, ModelRef model, int dimension, long listingCount, Instant builtAt,
                    String indexFactory, String metric, List<SourceCatalog> sources, List<FileRef> files, LiveFold live,
                    ProjectionRef projection, Calibration calibration) {
        this(formatVersion, poolVersion, model, dimension, listingCount, builtAt, indexFactory, metric, sources, files, live,
                projection, calibration, null);
    }

    /** A manifest of a build that folded no live change. */
    public Manifest(int formatVersion, String poolVersion, ModelRef model, int dimension, long listingCount, Instant builtAt,
                    String indexFactory, String metric, List<SourceCatalog> sources, List<FileRef> files) {
        this(formatVersion, poolVersion, model, dimension, listingCount, builtAt, indexFactory, metric, sources, files, null, null, null);
    }

    /** A manifest without a projection. */
    public Manifest(int formatVersion, String poolVersion, ModelRef model, int dimension, long listingCount, Instant builtAt,
                    String indexFactory, String metric, List<SourceCatalog> sources, List<FileRef> files, LiveFold live) {
        this(formatVersion, poolVersion, model, dimension, listingCount, builtAt, indexFactory, metric, sources, files, live, null, null);
    }

    /** A manifest without calibration maps. */
    public Manifest(int formatVersion, String poolVersion, ModelRef model, int dimension, long listingCount, Instant builtAt,
                    String indexFactory, String metric, List<SourceCatalog> sources, List<FileRef> files, LiveFold live,
                    ProjectionRef projection) {
        this(formatVersion, poolVersion, model, dimension, listingCount, builtAt, indexFactory, metric, sources, files, live,
                projection, null);
    }

    /** This manifest with the confidence maps fitted for the pool. */
    public Manifest withCalibration(Calibration maps) {
        return new Manifest(formatVersion, poolVersion, model, dimension, listingCount, builtAt, indexFactory, metric, sources,
                files, live, projection, maps, indexChoice);
    }

    /**
     * Why the builder picked this index ({@code reason}, e.g. "auto: 50000000 listings >= 1000000") and the search
     * parameters to use with it where the service is not configured otherwise (0: the index's own); {@code refine}:
     * the index proposes refine x k candidates, re-ranked by the full vectors of {@code index-vectors.f32} (0: none).
     */
    public record IndexChoice(String reason, int nprobe, int efSearch, int refine) {
    }

    /** Whether the manifest lists a file of this name. */
    public boolean hasFile(String name) {
        return files.stream().anyMatch(f -> f.name().equals(name));
    }

    /** The pool's confidence maps (none: raw vote shares). */
    public Calibration calibrationOrNone() {
        return calibration == null ? Calibration.none() : calibration;
    }

    /**
     * A linear map learned at build time from the pool's own labels, applied to the model's embeddings (pool and
     * queries) before the index: {@code file} (one of {@link #files()}) maps {@code inputDimension} (the model's) to
     * {@code outputDimension} (the index's). {@code photoVectors} (one of {@link #files()}, may be null) holds the
     * listings' embeddings before the projection, for the near-duplicate test ({@link PhotoVectors}).
     */
    public record ProjectionRef(String file, String method, int inputDimension, int outputDimension, String sha256,
                                @JsonInclude(JsonInclude.Include.NON_NULL) String photoVectors) {

        /** A projection without the listings' unprojected embeddings (no near-duplicate test for its pool). */
        public ProjectionRef(String file, String method, int inputDimension, int outputDimension, String sha256) {
            this(file, method, inputDimension, outputDimension, sha256, null);
        }
    }

    /** The dimension of the embeddings this pool is queried with (the model's). */
    public int queryDimension() {
        return projection == null ? dimension : projection.inputDimension();
    }

    /**
     * The change log as far as a build folded it in: changes up to and including {@code through} are in the pool,
     * later ones are applied on top by the service.
     */
    public record LiveFold(String through, long added, long removed) {
    }

    public Manifest {
        sources = sources == null ? List.of() : List.copyOf(sources);
        files = files == null ? List.of() : List.copyOf(files);
    }

    /** The embedding model: its name, the space it embeds into, precision and file fingerprint. */
    public record ModelRef(String name, String space, String precision, String sha256) {
    }

    /** A catalog the pool was built from, with what was taken from it. */
    public record SourceCatalog(String path, String sha256, long lines, long accepted, long rejected, long unreadableImages) {
    }

    /** One pool file. */
    public record FileRef(String name, long bytes, String sha256) {
    }

    public FileRef file(String name) {
        return files.stream().filter(f -> f.name().equals(name)).findFirst()
                .orElseThrow(() -> new PoolException("manifest lists no file '" + name + "'"));
    }
}
