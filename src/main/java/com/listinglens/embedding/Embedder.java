package com.listinglens.embedding;

import java.util.List;

/** Turns preprocessed photos into L2-normalised embeddings. Implementations are thread-safe. */
public interface Embedder extends AutoCloseable {

    ModelInfo info();

    int dimension();

    /**
     * Embeds CHW float32 tensors (all the same length, {@code 3 * side * side}), returning one L2-normalised row of
     * {@link #dimension()} floats per input, in order.
     *
     * @throws EmbeddingException if the model fails
     */
    float[][] embed(List<float[]> chwTensors);

    /** One tensor. */
    default float[] embed(float[] chwTensor) {
        return embed(List.of(chwTensor))[0];
    }

    @Override
    void close();
}
