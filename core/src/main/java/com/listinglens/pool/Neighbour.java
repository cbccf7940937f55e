package com.listinglens.pool;

import com.listinglens.catalog.Listing;

/**
 * A listing found near a query, with its cosine similarity to the query in the pool's index space (1 = same
 * direction) and the cosine of the model's own embeddings ({@code photoSimilarity}: how alike the two photos are, the
 * near-duplicate test). They are equal in a pool without a projection; a projected pool without its listings'
 * unprojected embeddings gives NaN.
 */
public record Neighbour(Listing listing, float similarity, float photoSimilarity) {

    /** A neighbour in an unprojected space: the photos are as alike as the index says. */
    public Neighbour(Listing listing, float similarity) {
        this(listing, similarity, similarity);
    }

    /** Whether the two photos are (nearly) the same photo: their photo similarity reaches {@code threshold}. */
    public boolean nearDuplicate(double threshold) {
        return photoSimilarity >= threshold;
    }
}
