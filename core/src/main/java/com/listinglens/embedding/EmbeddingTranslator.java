package com.listinglens.embedding;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.Batchifier;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorContext;

/**
 * DJL translator from one CHW float32 tensor ({@code 3 * side * side} values) to one L2-normalised embedding.
 * {@link Batchifier#STACK} stacks the inputs to {@code [N, 3, side, side]} for the model and splits its
 * {@code [N, D]} output back into rows.
 */
public final class EmbeddingTranslator implements Translator<float[], float[]> {

    private final DataType inputType;

    /** @param inputType FLOAT32, or FLOAT16 for a half-precision model */
    public EmbeddingTranslator(DataType inputType) {
        this.inputType = inputType;
    }

    public EmbeddingTranslator() {
        this(DataType.FLOAT32);
    }

    @Override
    public NDList processInput(TranslatorContext ctx, float[] chw) {
        int side = sideOf(chw.length);
        NDArray array = ctx.getNDManager().create(chw, new Shape(3, side, side));
        if (inputType != DataType.FLOAT32) {
            array = array.toType(inputType, false);
        }
        return new NDList(array);
    }

    @Override
    public float[] processOutput(TranslatorContext ctx, NDList list) {
        NDArray out = list.get(0);
        if (out.getDataType() != DataType.FLOAT32) {
            out = out.toType(DataType.FLOAT32, false);
        }
        float[] row = out.toFloatArray();
        for (float v : row) {
            if (!Float.isFinite(v)) {
                throw new EmbeddingException("the model produced a non-finite embedding value");
            }
        }
        return Vectors.l2NormalizeInPlace(row);
    }

    @Override
    public Batchifier getBatchifier() {
        return Batchifier.STACK;
    }

    /** Side of a square CHW tensor of {@code length} floats. */
    static int sideOf(int length) {
        int side = (int) Math.round(Math.sqrt(length / 3.0));
        if (length <= 0 || 3 * side * side != length) {
            throw new IllegalArgumentException("a CHW tensor of 3 x side x side floats was expected, got " + length);
        }
        return side;
    }
}
