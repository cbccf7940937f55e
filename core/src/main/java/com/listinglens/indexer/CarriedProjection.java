package com.listinglens.indexer;

import com.listinglens.pool.Manifest;

import java.nio.file.Path;

/**
 * A projection the embeddings were already made with, carried into the pool {@link PoolBuilder#finish} writes from
 * {@code fromPool} (checked there: {@link EmbeddingPoolBuilder}'s rules); the pool keeps no unprojected photo vectors
 * then.
 */
public record CarriedProjection(Path fromPool, Manifest.ProjectionRef ref) {
}
