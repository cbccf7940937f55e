package com.listinglens.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A classifier on the cosine between an embedding and one learned direction per class (normalised softmax, as in
 * NormFace): {@code logits = scale * normalise(x) . normalise(W)^T}. Trained through it, the embedding's classes
 * separate by angle, which is exactly what the pool's cosine (inner product of L2-normalised vectors) search measures;
 * a plain linear head would also reward feature length, which the pool throws away.
 *
 * <pre>{@code
 * CosineHead head = new CosineHead(81, 1280, 16f);   // classes, embedding dimension, logit scale
 * NDArray logits = head.forward(store, new NDList(embeddings), true).head();
 * }</pre>
 */
public final class CosineHead extends AbstractBlock {

    private final int classes;
    private final float scale;
    private final Parameter weight;

    public CosineHead(int classes, int dimension, float scale) {
        super((byte) 1);
        if (classes < 2 || dimension < 1 || !(scale > 0)) {
            throw new IllegalArgumentException("a cosine head needs >= 2 classes, a dimension and a positive scale");
        }
        this.classes = classes;
        this.scale = scale;
        this.weight = addParameter(Parameter.builder().setName("weight").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(classes, dimension)).build());
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray w = store.getValue(weight, x.getDevice(), training);
        return new NDList(x.normalize(2, 1, 1e-6).matMul(w.normalize(2, 1, 1e-6).transpose()).mul(scale));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), classes)};
    }
}
