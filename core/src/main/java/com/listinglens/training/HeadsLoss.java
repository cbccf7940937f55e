package com.listinglens.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;

import java.util.Arrays;

/**
 * Cross-entropy of both heads of {@link EmbeddingWithHeads} against soft (label-smoothed) targets:
 * {@code CE(leaf) + coarseWeight * CE(coarse)}. Labels are {@code [leafTargets, coarseTargets]}, each {@code [N, classes]}
 * rows summing to 1 ({@link #smoothed} makes them); predictions are the network's {@code [leafLogits, coarseLogits, ...]}.
 */
public final class HeadsLoss extends Loss {

    private final float coarseWeight;

    public HeadsLoss(float coarseWeight) {
        super("heads-loss");
        this.coarseWeight = coarseWeight;
    }

    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        NDArray leaf = crossEntropy(predictions.get(0), labels.get(0));
        return coarseWeight > 0 ? leaf.add(crossEntropy(predictions.get(1), labels.get(1)).mul(coarseWeight)) : leaf;
    }

    private static NDArray crossEntropy(NDArray logits, NDArray targets) {
        return logits.logSoftmax(1).mul(targets).sum(new int[] {1}).neg().mean();
    }

    /**
     * Soft targets, row-major {@code [n, classes]}: {@code 1 - smoothing} on the true class plus
     * {@code smoothing / classes} everywhere (label smoothing keeps the cosine logits from saturating on a small catalog).
     */
    public static float[] smoothed(int[] classOf, int classes, float smoothing) {
        if (!(smoothing >= 0 && smoothing < 1)) {
            throw new IllegalArgumentException("label smoothing must be in [0, 1)");
        }
        float[] t = new float[classOf.length * classes];
        float rest = smoothing / classes;
        Arrays.fill(t, rest);
        for (int i = 0; i < classOf.length; i++) {
            if (classOf[i] < 0 || classOf[i] >= classes) {
                throw new IllegalArgumentException("class " + classOf[i] + " outside 0.." + (classes - 1));
            }
            t[i * classes + classOf[i]] += 1 - smoothing;
        }
        return t;
    }
}
