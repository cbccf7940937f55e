package com.listinglens.training;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.CosineTracker;
import ai.djl.training.tracker.Tracker;
import ai.djl.training.tracker.WarmUpTracker;
import ai.djl.util.Pair;
import com.listinglens.image.DecodedImage;
import com.listinglens.indexer.Progress;
import org.opencv.core.Mat;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * Fine-tunes a TorchScript embedding model on labelled photos with DJL's PyTorch engine, and writes the best weights
 * (lowest hold-out loss) back as TorchScript with the base model's graph: same input, same output, new space.
 *
 * <ol>
 *   <li>Split: {@link TrainingSplit} holds a seeded share of each class out to stop early on.</li>
 *   <li>Cache: every photo decoded once as the service decodes it, shorter side scaled to {@code cropSize * 10/7}
 *       (room for random crops), kept in memory.</li>
 *   <li>Train: the TorchScript block ({@code trainParam}) under two {@link CosineHead}s
 *       ({@link EmbeddingWithHeads}), {@link HeadsLoss} with label smoothing, Adam with warm-up and cosine decay; each
 *       step's batch is augmented ({@link AugmentationPlan}, {@link Augmenter}) on a second thread while the step runs.
 *       Blocks below {@code freezeBelow} keep their ImageNet weights (the general edge and texture filters).</li>
 *   <li>After each epoch: hold-out loss and accuracy on the service's single centre view; the weights are written when
 *       the loss is the lowest so far; training stops after {@code patience} epochs without one.</li>
 * </ol>
 *
 * <pre>{@code
 * TrainingResult result = new CatalogTrainer(System.err).train(request);
 * }</pre>
 */
public final class CatalogTrainer {

    private static final Pattern BLOCK = Pattern.compile("^features\\.(\\d+)\\.");

    private final PrintStream log;

    public CatalogTrainer(PrintStream log) {
        this.log = log;
    }

    /** A batch ready for a step: the input tensor and the classes of its photos. */
    private record Batch(float[] x, int[] leaf, int[] coarse) {
    }

    public TrainingResult train(TrainingRequest req) throws IOException {
        long t0 = System.nanoTime();
        TrainingRequest.Recipe r = req.recipe();
        TrainingSplit split = TrainingSplit.of(req.leaf(), r.holdoutFraction(), r.seed());
        if (split.train().size() < r.batch()) {
            throw new IllegalArgumentException("only " + split.train().size() + " photos to train on: fewer than one batch of "
                    + r.batch());
        }
        log.printf(Locale.ROOT, "training on %d photos, %d held out to stop early on (seed %d); %d leaf and %d coarse classes%n",
                split.train().size(), split.holdout().size(), r.seed(), req.leafClasses(), req.coarseClasses());
        List<Mat> cache = cache(req);
        Engine engine = Engine.getEngine("PyTorch");
        engine.setRandomSeed((int) r.seed());
        Criteria<NDList, NDList> criteria = Criteria.builder().setTypes(NDList.class, NDList.class)
                .optModelPath(req.baseModel()).optEngine("PyTorch").optOption("trainParam", "true").build();
        try (ZooModel<NDList, NDList> base = criteria.loadModel(); Model model = Model.newInstance("catalog-embedding", "PyTorch")) {
            Block embedding = base.getBlock();
            if (!(embedding instanceof PtSymbolBlock)) {
                throw new IllegalStateException("the base model did not load as a TorchScript block: " + embedding.getClass());
            }
            int frozen = 0;
            int trained = 0;
            for (Pair<String, Parameter> p : embedding.getParameters()) {
                Matcher m = BLOCK.matcher(p.getKey());
                boolean freeze = m.find() && Integer.parseInt(m.group(1)) < r.freezeBelow();
                p.getValue().freeze(freeze);
                if (freeze) {
                    frozen++;
                } else {
                    trained++;
                }
            }
            EmbeddingWithHeads net = new EmbeddingWithHeads(embedding, req.dimension(), req.leafClasses(), req.coarseClasses(),
                    r.logitScale());
            model.setBlock(net);
            int stepsPerEpoch = split.train().size() / r.batch();
            int totalSteps = stepsPerEpoch * r.maxEpochs();
            if (r.maxSteps() > 0) {
                totalSteps = Math.min(totalSteps, r.maxSteps());
            }
            Tracker schedule = WarmUpTracker.builder().optWarmUpSteps(Math.min(r.warmupSteps(), totalSteps / 5))
                    .setMainTracker(CosineTracker.builder().setBaseValue(r.learningRate()).optFinalValue(r.learningRate() / 100)
                            .setMaxUpdates(Math.max(1, totalSteps)).build()).build();
            DefaultTrainingConfig config = new DefaultTrainingConfig(new HeadsLoss(r.coarseWeight()))
                    .optOptimizer(Optimizer.adam().optLearningRateTracker(schedule).build());
            log.printf(Locale.ROOT, "model %s: %d parameter tensors trained, %d frozen (features.0-%d); %d steps of %d per epoch, "
                            + "at most %d epochs, %.0f min%n", req.baseModel().getFileName(), trained, frozen, r.freezeBelow() - 1,
                    stepsPerEpoch, r.batch(), r.maxEpochs(), r.maxMinutes());
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(r.batch(), 3, req.cropSize(), req.cropSize()));
                Loop loop = new Loop(req, split, cache, trainer, (PtSymbolBlock) embedding, stepsPerEpoch, totalSteps, schedule);
                TrainingResult result = loop.run(t0, trained, frozen);
                return result;
            }
        } catch (ModelNotFoundException | MalformedModelException e) {
            throw new IOException("cannot load the base model " + req.baseModel() + ": " + e.getMessage(), e);
        } finally {
            cache.forEach(Mat::release);
        }
    }

    /** Decodes every photo once, as the service does, scaled so that its shorter side is {@code cropSize * 10/7}. */
    private List<Mat> cache(TrainingRequest req) throws IOException {
        int shorter = Math.round(req.cropSize() * 10f / 7f);
        Mat[] mats = new Mat[req.photos().size()];
        Progress progress = new Progress(log, "reading photos", mats.length);
        IOException[] failure = new IOException[1];
        IntStream.range(0, mats.length).parallel().forEach(i -> {
            try {
                byte[] bytes = Files.readAllBytes(req.photos().get(i));
                try (DecodedImage image = req.decoder().decode(bytes, shorter)) {
                    Mat src = image.mat();
                    double s = (double) shorter / Math.min(src.cols(), src.rows());
                    Mat out = new Mat();
                    Imgproc.resize(src, out, new Size(Math.max(1, Math.round(src.cols() * s)), Math.max(1, Math.round(src.rows() * s))),
                            0, 0, s < 1 ? Imgproc.INTER_AREA : Imgproc.INTER_LINEAR);
                    mats[i] = out;
                }
            } catch (IOException | RuntimeException e) {
                synchronized (failure) {
                    failure[0] = new IOException(req.photos().get(i) + ": " + e.getMessage(), e);
                }
            }
            progress.advance(1);
        });
        progress.finish();
        if (failure[0] != null) {
            for (Mat m : mats) {
                if (m != null) {
                    m.release();
                }
            }
            throw failure[0];
        }
        return List.of(mats);
    }

    /** One training run's state: the epochs, the steps, the best hold-out loss so far. */
    private final class Loop {
        private final TrainingRequest req;
        private final TrainingRequest.Recipe r;
        private final TrainingSplit split;
        private final List<Mat> cache;
        private final Trainer trainer;
        private final PtSymbolBlock embedding;
        private final int stepsPerEpoch;
        private final int totalSteps;
        private final Tracker schedule;
        private final Random random;
        private final Augmenter augmenter;
        private final List<Double> firstLosses = new ArrayList<>();
        private final List<Double> recentLosses = new ArrayList<>();
        private int steps;

        Loop(TrainingRequest req, TrainingSplit split, List<Mat> cache, Trainer trainer, PtSymbolBlock embedding,
             int stepsPerEpoch, int totalSteps, Tracker schedule) {
            this.req = req;
            this.r = req.recipe();
            this.split = split;
            this.cache = cache;
            this.trainer = trainer;
            this.embedding = embedding;
            this.stepsPerEpoch = stepsPerEpoch;
            this.totalSteps = totalSteps;
            this.schedule = schedule;
            this.random = new Random(r.seed());
            this.augmenter = new Augmenter(req.cropSize(), req.mean(), req.std());
        }

        TrainingResult run(long t0, int trained, int frozen) throws IOException {
            List<TrainingResult.Epoch> epochs = new ArrayList<>();
            double best = Double.POSITIVE_INFINITY;
            int bestEpoch = 0;
            String stopped = "max-epochs";
            ExecutorService prefetch = Executors.newSingleThreadExecutor(t -> {
                Thread thread = new Thread(t, "training-batches");
                thread.setDaemon(true);
                return thread;
            });
            try {
                for (int epoch = 1; epoch <= r.maxEpochs(); epoch++) {
                    if ((System.nanoTime() - t0) / 60e9 > r.maxMinutes()) {
                        stopped = "time";
                        break;
                    }
                    long e0 = System.nanoTime();
                    int epochNumber = epoch;
                    List<Integer> order = new ArrayList<>(split.train());
                    Collections.shuffle(order, random);
                    int epochSteps = Math.min(stepsPerEpoch, totalSteps - steps);
                    Progress progress = new Progress(log, String.format(Locale.ROOT, "epoch %d/%d", epoch, r.maxEpochs()), epochSteps);
                    double lossSum = 0;
                    Future<Batch> next = prefetch.submit(() -> batch(order, epochNumber, 0, augmenter));
                    for (int s = 0; s < epochSteps; s++) {
                        Batch b = await(next);
                        int following = s + 1;
                        if (following < epochSteps) {
                            next = prefetch.submit(() -> batch(order, epochNumber, following, augmenter));
                        }
                        double loss = step(b);
                        lossSum += loss;
                        note(loss);
                        steps++;
                        progress.advance(1);
                    }
                    progress.finish();
                    double[] held = holdout();
                    double lr = schedule.getNewValue("", steps);
                    epochs.add(new TrainingResult.Epoch(epoch, epochSteps, lossSum / Math.max(1, epochSteps), held[0], held[1], held[2], lr,
                            (System.nanoTime() - e0) / 1e9));
                    boolean better = split.holdout().isEmpty() || held[0] < best;
                    if (better) {
                        best = split.holdout().isEmpty() ? best : held[0];
                        bestEpoch = epoch;
                        write();
                    }
                    log.printf(Locale.ROOT, "epoch %d: train loss %.4f; hold-out loss %.4f, leaf %.1f %%, coarse %.1f %%; lr %.2e; %.0f s%s%n",
                            epoch, lossSum / Math.max(1, epochSteps), held[0], 100 * held[1], 100 * held[2], lr,
                            (System.nanoTime() - e0) / 1e9, better ? " (best so far: written)" : "");
                    if (steps >= totalSteps) {
                        stopped = r.maxSteps() > 0 && steps >= r.maxSteps() ? "max-steps" : "max-epochs";
                        break;
                    }
                    if (epoch - bestEpoch >= r.patience()) {
                        stopped = "patience";
                        break;
                    }
                }
            } finally {
                prefetch.shutdownNow();
            }
            return new TrainingResult(split.train().size(), split.holdout().size(), trained, frozen, epochs, bestEpoch,
                    mean(firstLosses), mean(recentLosses), steps, stopped, (System.nanoTime() - t0) / 1e9);
        }

        private Batch batch(List<Integer> order, int epoch, int step, Augmenter a) {
            int n = r.batch();
            int len = a.tensorLength();
            float[] x = new float[n * len];
            int[] leaf = new int[n];
            int[] coarse = new int[n];
            // one Random per batch, seeded from the run's seed and the batch's place: the same run draws the same plans
            Random local = new Random(r.seed() * 31 + (long) epoch * 1_000_003L + step);
            for (int i = 0; i < n; i++) {
                int photo = order.get(step * n + i);
                Mat m = cache.get(photo);
                a.apply(m, AugmentationPlan.draw(local, m.cols(), m.rows(), r.augmentation()), x, i * len);
                leaf[i] = req.leaf()[photo];
                coarse[i] = req.coarse()[photo];
            }
            return new Batch(x, leaf, coarse);
        }

        private double step(Batch b) {
            try (NDManager m = trainer.getManager().newSubManager()) {
                int n = b.leaf().length;
                NDArray x = m.create(b.x(), new Shape(n, 3, req.cropSize(), req.cropSize()));
                NDArray leaf = m.create(HeadsLoss.smoothed(b.leaf(), req.leafClasses(), r.smoothing()), new Shape(n, req.leafClasses()));
                int coarseClasses = Math.max(2, req.coarseClasses());
                NDArray coarse = m.create(HeadsLoss.smoothed(b.coarse(), coarseClasses, r.smoothing()), new Shape(n, coarseClasses));
                double value;
                try (GradientCollector gc = trainer.newGradientCollector()) {
                    NDList predictions = trainer.forward(new NDList(x));
                    NDArray loss = trainer.getLoss().evaluate(new NDList(leaf, coarse), predictions);
                    gc.backward(loss);
                    value = loss.getFloat();
                }
                trainer.step();
                if (!Double.isFinite(value)) {
                    throw new IllegalStateException("training diverged: loss " + value + " at step " + steps
                            + "; lower the learning rate");
                }
                return value;
            }
        }

        /** Hold-out loss (hard targets), leaf and coarse accuracy of the heads, on the service's centre view. */
        private double[] holdout() {
            List<Integer> photos = split.holdout();
            if (photos.isEmpty()) {
                return new double[] {Double.NaN, Double.NaN, Double.NaN};
            }
            Augmenter a = new Augmenter(req.cropSize(), req.mean(), req.std());
            int len = a.tensorLength();
            double fraction = (double) req.cropSize() / req.resizeShorter();
            double loss = 0;
            int leafRight = 0;
            int coarseRight = 0;
            boolean grad = JniUtils.isGradMode();
            JniUtils.setGradMode(false);
            try {
                for (int from = 0; from < photos.size(); from += r.batch()) {
                    int n = Math.min(r.batch(), photos.size() - from);
                    float[] x = new float[n * len];
                    int[] leaf = new int[n];
                    int[] coarse = new int[n];
                    for (int i = 0; i < n; i++) {
                        int photo = photos.get(from + i);
                        Mat m = cache.get(photo);
                        a.apply(m, AugmentationPlan.centre(m.cols(), m.rows(), fraction), x, i * len);
                        leaf[i] = req.leaf()[photo];
                        coarse[i] = req.coarse()[photo];
                    }
                    try (NDManager m = trainer.getManager().newSubManager()) {
                        NDList out = trainer.evaluate(new NDList(m.create(x, new Shape(n, 3, req.cropSize(), req.cropSize()))));
                        int coarseClasses = Math.max(2, req.coarseClasses());
                        NDArray l = trainer.getLoss().evaluate(new NDList(
                                m.create(HeadsLoss.smoothed(leaf, req.leafClasses(), 0), new Shape(n, req.leafClasses())),
                                m.create(HeadsLoss.smoothed(coarse, coarseClasses, 0), new Shape(n, coarseClasses))), out);
                        loss += l.getFloat() * n;
                        long[] leafPred = out.get(0).argMax(1).toLongArray();
                        long[] coarsePred = out.get(1).argMax(1).toLongArray();
                        for (int i = 0; i < n; i++) {
                            leafRight += leafPred[i] == leaf[i] ? 1 : 0;
                            coarseRight += coarsePred[i] == coarse[i] ? 1 : 0;
                        }
                    }
                }
            } finally {
                JniUtils.setGradMode(grad);
            }
            return new double[] {loss / photos.size(), (double) leafRight / photos.size(), (double) coarseRight / photos.size()};
        }

        /** The embedding block as TorchScript (the base model's graph with the trained weights), written atomically. */
        private void write() throws IOException {
            Path out = req.out().toAbsolutePath();
            Files.createDirectories(out.getParent());
            Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
            try (OutputStream os = Files.newOutputStream(tmp)) {
                JniUtils.writeModule(embedding, os, false);
            }
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }

        private void note(double loss) {
            // the first and the last quarter of the steps, 10 at most: "did the loss fall" compares the two
            int window = Math.max(1, Math.min(10, totalSteps / 4));
            if (firstLosses.size() < window) {
                firstLosses.add(loss);
            }
            recentLosses.add(loss);
            if (recentLosses.size() > window) {
                recentLosses.remove(0);
            }
        }

        private Batch await(Future<Batch> f) {
            try {
                return f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("preparing a batch failed: " + e.getCause().getMessage(), e.getCause());
            }
        }
    }

    private static double mean(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }
}
