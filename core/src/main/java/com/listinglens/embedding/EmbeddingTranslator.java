package com.listinglens.embedding;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.Batchifier;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorContext;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * DJL translator from a batch of CHW float32 tensors (each {@code 3 * side * side} values, one side for the batch) to
 * one L2-normalised embedding per tensor: pre-processing and post-processing apart from the model call.
 *
 * <p>The batch crosses into libtorch with a single copy: the rows are written one after the other into a direct
 * buffer that becomes the model's {@code [N, 3, side, side]} input (no per-row tensors and no stacking, which copied
 * every photo twice more), and the {@code [N, D]} output is read back with one transfer. The buffer is kept for the
 * next batch: a translator belongs to one predictor, which one thread uses at a time, and the input tensor is freed
 * when the call ends.
 */
public final class EmbeddingTranslator implements Translator<float[][], float[][]> {

    private final DataType inputType;
    private ByteBuffer buffer;

    /** @param inputType FLOAT32, or FLOAT16 for a half-precision model */
    public EmbeddingTranslator(DataType inputType) {
        this.inputType = inputType;
    }

    public EmbeddingTranslator() {
        this(DataType.FLOAT32);
    }

    @Override
    public NDList processInput(TranslatorContext ctx, float[][] batch) {
        if (batch.length == 0) {
            throw new IllegalArgumentException("an empty batch");
        }
        int length = batch[0].length;
        int side = sideOf(length);
        long bytes = (long) batch.length * length * Float.BYTES;
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a batch of " + batch.length + " tensors of " + length + " values is too large");
        }
        if (buffer == null || buffer.capacity() < bytes) {
            buffer = ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.nativeOrder());
        }
        buffer.clear();
        FloatBuffer floats = buffer.asFloatBuffer();
        for (float[] row : batch) {
            if (row.length != length) {
                throw new IllegalArgumentException("all tensors of one batch must have the same length: " + length
                        + " and " + row.length);
            }
            floats.put(row);
        }
        buffer.limit((int) bytes);
        NDArray array = ctx.getNDManager().create(buffer, new Shape(batch.length, 3, side, side), DataType.FLOAT32);
        if (inputType != DataType.FLOAT32) {
            array = array.toType(inputType, false);
        }
        return new NDList(array);
    }

    @Override
    public float[][] processOutput(TranslatorContext ctx, NDList list) {
        NDArray out = list.get(0);
        if (out.getDataType() != DataType.FLOAT32) {
            out = out.toType(DataType.FLOAT32, false);
        }
        Shape shape = out.getShape();
        if (shape.dimension() != 2) {
            throw new EmbeddingException("the model returned a tensor of shape " + shape + ", expected [N, D]");
        }
        int n = (int) shape.get(0);
        int d = (int) shape.get(1);
        float[] all = out.toFloatArray();
        float[][] rows = new float[n][];
        for (int i = 0; i < n; i++) {
            float[] row = new float[d];
            System.arraycopy(all, i * d, row, 0, d);
            for (float v : row) {
                if (!Float.isFinite(v)) {
                    throw new EmbeddingException("the model produced a non-finite embedding value");
                }
            }
            rows[i] = Vectors.l2NormalizeInPlace(row);
        }
        return rows;
    }

    /** None: the whole batch is one input ({@link #processInput} builds the batch tensor itself). */
    @Override
    public Batchifier getBatchifier() {
        return null;
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
