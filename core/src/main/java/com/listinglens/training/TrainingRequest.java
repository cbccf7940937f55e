package com.listinglens.training;

import com.listinglens.image.ImageDecoder;

import java.nio.file.Path;
import java.util.List;

/**
 * What to fine-tune and how: the base TorchScript model, the labelled photos, and the recipe. Built by the
 * {@code train-model} command from its options; {@link CatalogTrainer#train} runs it.
 *
 * @param baseModel fp32 TorchScript embedding model to start from (its weights are fine-tuned, its graph kept)
 * @param photos photo files, one per listing
 * @param leaf leaf class of each photo
 * @param coarse coarse class of each photo
 * @param leafClasses number of leaf classes
 * @param coarseClasses number of coarse classes
 * @param decoder decodes the photos as the service does (EXIF orientation applied)
 * @param dimension the model's embedding dimension
 * @param cropSize training input size (the view the model will serve)
 * @param resizeShorter the service's resize target for that view (hold-out photos are cut as the service cuts them)
 * @param mean normalisation means (RGB)
 * @param std normalisation standard deviations
 * @param recipe the hyper-parameters
 * @param out where the best fine-tuned TorchScript is written
 */
public record TrainingRequest(Path baseModel, List<Path> photos, int[] leaf, int[] coarse, int leafClasses, int coarseClasses,
                              ImageDecoder decoder, int dimension, int cropSize, int resizeShorter, float[] mean, float[] std,
                              Recipe recipe, Path out) {

    public TrainingRequest {
        photos = List.copyOf(photos);
        if (leaf.length != photos.size() || coarse.length != photos.size()) {
            throw new IllegalArgumentException("one leaf and one coarse class per photo are needed");
        }
    }

    /**
     * The hyper-parameters.
     *
     * @param batch photos per step
     * @param maxEpochs passes over the training photos at most
     * @param patience epochs without a better hold-out loss before stopping
     * @param learningRate peak Adam learning rate (after warm-up; cosine decay to 1 % of it)
     * @param warmupSteps linear warm-up steps
     * @param holdoutFraction share of each class held out to stop early on
     * @param freezeBelow blocks {@code features.0 .. features.(freezeBelow-1)} keep their weights (0: train all)
     * @param coarseWeight weight of the coarse head's loss
     * @param smoothing label smoothing
     * @param logitScale the cosine heads' scale
     * @param augmentation augmentation ranges
     * @param maxMinutes no new epoch starts after this many minutes of training
     * @param maxSteps stop after this many steps (0: no limit; a smoke run)
     * @param seed seeds the split, the augmentation, the heads' initialisation and the order of photos
     */
    public record Recipe(int batch, int maxEpochs, int patience, float learningRate, int warmupSteps, double holdoutFraction,
                         int freezeBelow, float coarseWeight, float smoothing, float logitScale,
                         AugmentationPlan.Ranges augmentation, double maxMinutes, int maxSteps, long seed) {
        public Recipe {
            if (batch < 2 || maxEpochs < 1 || patience < 1 || !(learningRate > 0) || warmupSteps < 0 || freezeBelow < 0
                    || coarseWeight < 0 || !(maxMinutes > 0) || maxSteps < 0) {
                throw new IllegalArgumentException("invalid training recipe " + this);
            }
        }
    }
}
