/**
 * Photos' tensors to embeddings: the model through DJL (DjlEmbedder, EmbeddingTranslator), micro-batching, libtorch's
 * quantized engine, and the inference paths measured at start (PathProbe, PathChoice, VariantCheck). Knows nothing of
 * pools, storage or HTTP.
 */
package com.listinglens.embedding;
