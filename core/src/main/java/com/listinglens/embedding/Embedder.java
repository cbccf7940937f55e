package com.listinglens.embedding;

import com.listinglens.budget.Deadline;

import java.util.ArrayList;
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

    /**
     * Embeds photos given as {@code views} tensors each, photo after photo (a photo's views in one order, such as
     * the crop sizes of multi-scale preprocessing: their lengths may differ). The tensors of one view are embedded
     * together; each photo's row is the L2-normalised mean of its views' embeddings. One view: {@link #embed(List)}.
     */
    default float[][] embedViews(List<float[]> tensors, int views) {
        if (views < 1 || tensors.size() % views != 0) {
            throw new IllegalArgumentException(tensors.size() + " tensors are not " + views + " views of whole photos");
        }
        if (views == 1) {
            return embed(tensors);
        }
        int photos = tensors.size() / views;
        float[][] out = new float[photos][];
        for (int v = 0; v < views; v++) {
            List<float[]> group = new ArrayList<>(photos);
            for (int i = 0; i < photos; i++) {
                group.add(tensors.get(i * views + v));
            }
            float[][] e = embed(group);
            for (int i = 0; i < photos; i++) {
                if (out[i] == null) {
                    out[i] = e[i].clone();
                } else {
                    for (int j = 0; j < out[i].length; j++) {
                        out[i][j] += e[i][j];
                    }
                }
            }
        }
        for (float[] row : out) {
            Vectors.l2NormalizeInPlace(row);
        }
        return out;
    }

    /** One tensor. */
    /**
     * {@link #embedViews(List, int)} within a request's deadline: refused if it has already passed. Implementations
     * that queue (the micro-batcher) also stop waiting when it passes.
     *
     * @throws com.listinglens.budget.DeadlineExceededException when the deadline passes first
     */
    default float[][] embedViews(List<float[]> tensors, int views, Deadline deadline) {
        deadline.check("waiting for the model");
        return embedViews(tensors, views);
    }

    default float[] embed(float[] chwTensor) {
        return embed(List.of(chwTensor))[0];
    }

    @Override
    void close();
}
