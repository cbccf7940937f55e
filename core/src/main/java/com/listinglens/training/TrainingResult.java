package com.listinglens.training;

import java.util.List;

/**
 * What a training run did: per epoch its losses and hold-out accuracy, which epoch was kept, and why it stopped.
 *
 * @param trainPhotos photos trained on
 * @param holdoutPhotos photos held out for early stopping
 * @param trainedParameters parameter tensors updated (the rest frozen)
 * @param frozenParameters parameter tensors kept as they were
 * @param epochs one entry per epoch run
 * @param bestEpoch the epoch whose weights were written (1-based; 0 when no epoch finished)
 * @param firstLoss mean training loss of the first steps (a quarter of them, 10 at most)
 * @param lastLoss mean training loss of the last steps (as many)
 * @param steps optimiser steps taken
 * @param stoppedBecause "patience", "max-epochs", "time", "max-steps"
 * @param seconds wall time of the whole run (caching photos included)
 */
public record TrainingResult(int trainPhotos, int holdoutPhotos, int trainedParameters, int frozenParameters,
                             List<Epoch> epochs, int bestEpoch, double firstLoss, double lastLoss, int steps,
                             String stoppedBecause, double seconds) {

    public TrainingResult {
        epochs = List.copyOf(epochs);
    }

    /** One epoch: mean training loss, hold-out loss and leaf accuracy of the leaf head, learning rate at its end. */
    public record Epoch(int epoch, int steps, double trainLoss, double holdoutLoss, double holdoutLeafAccuracy,
                        double holdoutCoarseAccuracy, double learningRate, double seconds) {
    }
}
