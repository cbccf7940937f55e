/**
 * Fine-tuning the embedding model on a catalog's own labelled listings (issue 26): the labels a catalog gives
 * ({@link com.listinglens.training.TrainingLabels}), a seeded split that holds photos out for early stopping
 * ({@link com.listinglens.training.TrainingSplit}), augmentation suited to phone photos
 * ({@link com.listinglens.training.AugmentationPlan} drawn at random, {@link com.listinglens.training.Augmenter} applying it
 * with OpenCV), the cosine heads and loss whose penultimate features are the embedding the pool indexes
 * ({@link com.listinglens.training.CosineHead}, {@link com.listinglens.training.EmbeddingWithHeads},
 * {@link com.listinglens.training.HeadsLoss}), and the loop itself ({@link com.listinglens.training.CatalogTrainer}).
 *
 * <p>Reads photos and writes TorchScript files, so it is a tool package: it knows nothing of pools, storage, HTTP or
 * configuration (the {@code train-model} command turns settings into a {@link com.listinglens.training.TrainingRequest}).
 * Labels, split and plans are pure and unit-tested.
 */
package com.listinglens.training;
