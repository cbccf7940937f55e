package com.listinglens.indexer;

import com.listinglens.catalog.Listing;
import com.listinglens.pool.Manifest;

import java.util.List;

/**
 * The embedded listings a pool is finished from ({@link PoolBuilder#finish}), in pool-row order: {@code vectors} holds
 * {@code listings.size()} rows of {@code dimension} (the model's space); {@code sources} the catalogs they came from
 * with their counts; {@code liveAdded}/{@code liveDropped} what a live fold did (0 without one).
 */
public record EmbeddedListings(List<Listing> listings, float[] vectors, int dimension, List<Manifest.SourceCatalog> sources,
                               long rejectedLines, long unreadable, int liveAdded, long liveDropped) {
    public EmbeddedListings {
        if ((long) listings.size() * dimension != vectors.length) {
            throw new IllegalArgumentException(listings.size() + " listings of dimension " + dimension + " need "
                    + (long) listings.size() * dimension + " components, got " + vectors.length);
        }
    }
}
