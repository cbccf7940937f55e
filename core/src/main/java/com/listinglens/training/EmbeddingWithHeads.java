package com.listinglens.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The network trained: the embedding model (a TorchScript block, what is kept and served) with two
 * {@link CosineHead}s on its output, one for the leaf category and one for the coarse (second-level) category. The
 * heads exist only for training; the forward pass returns {@code [leafLogits, coarseLogits, embedding]}.
 *
 * <pre>{@code
 * EmbeddingWithHeads net = new EmbeddingWithHeads(torchScriptBlock, 1280, leafClasses, coarseClasses, 16f);
 * model.setBlock(net);
 * }</pre>
 */
public final class EmbeddingWithHeads extends AbstractBlock {

    private final Block embedding;
    private final CosineHead leaf;
    private final CosineHead coarse;
    private final int dimension;

    public EmbeddingWithHeads(Block embedding, int dimension, int leafClasses, int coarseClasses, float scale) {
        super((byte) 1);
        this.dimension = dimension;
        this.embedding = addChildBlock("embedding", embedding);
        this.leaf = addChildBlock("leaf", new CosineHead(leafClasses, dimension, scale));
        this.coarse = addChildBlock("coarse", new CosineHead(Math.max(2, coarseClasses), dimension, scale));
    }

    public Block embedding() {
        return embedding;
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray e = embedding.forward(store, inputs, training, params).head();
        NDArray leafLogits = leaf.forward(store, new NDList(e), training, params).head();
        NDArray coarseLogits = coarse.forward(store, new NDList(e), training, params).head();
        return new NDList(leafLogits, coarseLogits, e);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        embedding.initialize(manager, dataType, inputShapes);
        Shape e = new Shape(inputShapes[0].get(0), dimension);
        leaf.initialize(manager, dataType, e);
        coarse.initialize(manager, dataType, e);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        long n = inputShapes[0].get(0);
        return new Shape[] {leaf.getOutputShapes(new Shape[] {new Shape(n, dimension)})[0],
                coarse.getOutputShapes(new Shape[] {new Shape(n, dimension)})[0], new Shape(n, dimension)};
    }
}
