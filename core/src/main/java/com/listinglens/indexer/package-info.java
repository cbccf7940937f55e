/**
 * Pool builds: photos embedded (PhotoEmbedding), the index policy, shards, the finishing steps that write a pool
 * folder (PoolBuilder, EmbeddingPoolBuilder). Takes its settings as values; must not read configuration itself.
 */
package com.listinglens.indexer;
