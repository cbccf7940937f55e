package com.listinglens.pool;

import com.listinglens.catalog.Listing;

/** A listing found near a query, with its cosine similarity to the query (1 = same direction). */
public record Neighbour(Listing listing, float similarity) {
}
