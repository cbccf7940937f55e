package com.listinglens.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.listinglens.catalog.CatalogReader;
import com.listinglens.catalog.Listing;
import com.listinglens.config.ConfigLoader;
import com.listinglens.config.LensConfig;
import com.listinglens.config.Settings;
import com.listinglens.image.ImageSettings;
import com.listinglens.pool.PoolFiles;
import com.listinglens.training.AugmentationPlan;
import com.listinglens.training.CatalogTrainer;
import com.listinglens.training.TrainingLabels;
import com.listinglens.training.TrainingRequest;
import com.listinglens.training.TrainingResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code lens train-model}: fine-tunes the embedding model on a catalog's labelled listings and makes every variant the
 * service serves, in four steps:
 * <ol>
 *   <li>fp32: {@link CatalogTrainer} (Java, DJL's PyTorch engine) fine-tunes the base fp32 TorchScript for one view;</li>
 *   <li>int8 and fp16: {@code models/quantize_int8.py} (Debian's python3-torch; Java cannot quantize) runs
 *       quantization-aware training from the fine-tuned weights, with 7-bit activations so the int8 file is exact on
 *       QNNPACK and on x86 without VNNI, and saves the fp16 file for GPUs;</li>
 *   <li>check: {@code check-model} proves the int8 file embeds into the fp32 file's space;</li>
 *   <li>report: {@code training.json} beside the files, with the space fingerprint and the publish command.</li>
 * </ol>
 * Never trains on the evaluation or calibration catalogs: a training catalog that shares a photo with them is refused.
 */
@Command(name = "train-model", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Fine-tune the embedding model on a catalog's labelled listings (category path as the label) for one view, "
                + "then make its int8 (quantization-aware, 7-bit activations) and fp16 variants and check they share its space.")
public final class TrainModelCommand implements Callable<Integer> {

    @Option(names = {"-c", "--catalog"}, description = "training catalog(s); default: lens.build.catalogs (repeatable)")
    List<Path> catalogs;

    @Option(names = "--exclude-catalog", description = "catalogs never to train on (evaluation, calibration); default: "
            + "lens.build.calibration-catalog and lens.model.check.catalog (repeatable)")
    List<Path> excluded;

    @Option(names = "--base-model", description = "fp32 TorchScript to start from; default: lens.model.fp32-path")
    Path baseModel;

    @Option(names = {"-o", "--out"}, defaultValue = "target/models/trained", description = "folder for the model files; default ${DEFAULT-VALUE}")
    Path out;

    @Option(names = "--name", description = "model name; default: lens.model.name + '-catalog'")
    String name;

    @Option(names = "--view", defaultValue = "224", description = "the one view (crop size) trained for and served; default ${DEFAULT-VALUE}")
    int view;

    @Option(names = "--epochs", defaultValue = "12", description = "at most this many epochs; default ${DEFAULT-VALUE}")
    int epochs;

    @Option(names = "--patience", defaultValue = "3", description = "stop after this many epochs without a lower hold-out loss; default ${DEFAULT-VALUE}")
    int patience;

    @Option(names = "--batch", defaultValue = "32", description = "photos per step; default ${DEFAULT-VALUE}")
    int batch;

    @Option(names = "--lr", defaultValue = "2e-4", description = "peak learning rate (Adam, warm-up then cosine decay); default ${DEFAULT-VALUE}")
    float learningRate;

    @Option(names = "--warmup", defaultValue = "100", description = "warm-up steps; default ${DEFAULT-VALUE}")
    int warmup;

    @Option(names = "--holdout", defaultValue = "0.1", description = "share of each class held out to stop early on; default ${DEFAULT-VALUE}")
    double holdout;

    @Option(names = "--freeze-below", defaultValue = "7", description = "keep the weights of blocks features.0 .. N-1; default ${DEFAULT-VALUE}")
    int freezeBelow;

    @Option(names = "--coarse-weight", defaultValue = "0.5", description = "weight of the second-level category head; default ${DEFAULT-VALUE}")
    float coarseWeight;

    @Option(names = "--smoothing", defaultValue = "0.1", description = "label smoothing; default ${DEFAULT-VALUE}")
    float smoothing;

    @Option(names = "--logit-scale", defaultValue = "16", description = "scale of the cosine heads; default ${DEFAULT-VALUE}")
    float logitScale;

    @Option(names = "--no-augment", description = "train on centre crops only (no augmentation)")
    boolean noAugment;

    @Option(names = "--max-minutes", defaultValue = "40", description = "no new epoch after this many minutes; default ${DEFAULT-VALUE}")
    double maxMinutes;

    @Option(names = "--max-steps", defaultValue = "0", description = "stop after N steps (0: no limit; smoke runs)")
    int maxSteps;

    @Option(names = "--max-photos", defaultValue = "0", description = "train on N photos drawn evenly over the classes (0: all; smoke runs)")
    int maxPhotos;

    @Option(names = "--seed", defaultValue = "7", description = "seeds the split, the augmentation and the heads; default ${DEFAULT-VALUE}")
    long seed;

    @Option(names = "--qat-steps", defaultValue = "150", description = "quantization-aware training steps for the int8 file; default ${DEFAULT-VALUE}")
    int qatSteps;

    @Option(names = "--no-variants", description = "fine-tune only: no int8 and fp16 files, no check")
    boolean noVariants;

    @Option(names = "--python", defaultValue = "/usr/bin/python3", description = "Python with torch for the int8 step; default ${DEFAULT-VALUE}")
    String python;

    @Option(names = "--quantizer", defaultValue = "models/quantize_int8.py", description = "the int8 tooling; default ${DEFAULT-VALUE}")
    Path quantizer;

    @Override
    public Integer call() throws Exception {
        LensConfig config = ConfigLoader.load();
        long t0 = System.nanoTime();
        List<Path> sources = catalogs != null && !catalogs.isEmpty() ? catalogs : config.build().catalogs();
        List<Path> never = excluded != null ? excluded : defaultExcluded(config);
        List<Listing> listings = new ArrayList<>();
        List<Path> photos = new ArrayList<>();
        for (Path c : sources) {
            CatalogReader.Catalog cat = CatalogReader.read(c);
            cat.errors().forEach(e -> System.err.println("skipped " + e));
            Path root = c.toAbsolutePath().getParent();
            for (Listing l : cat.listings()) {
                if (TrainingLabels.usable(l)) {
                    listings.add(l);
                    photos.add(root.resolve(l.image()).normalize());
                }
            }
        }
        String overlap = overlap(photos, never);
        if (overlap != null) {
            System.err.println("train-model: refused: " + overlap);
            return 2;
        }
        if (maxPhotos > 0 && maxPhotos < listings.size()) {
            List<Integer> keep = spread(listings, maxPhotos);
            listings = keep.stream().map(listings::get).toList();
            photos = keep.stream().map(photos::get).toList();
        }
        TrainingLabels labels = TrainingLabels.of(listings);
        int[] leaf = listings.stream().mapToInt(labels::leafOf).toArray();
        int[] coarse = listings.stream().mapToInt(labels::coarseOf).toArray();
        ImageSettings image = Settings.image(config.image());
        int resize = Math.round((float) view * image.resizeShorter() / image.cropSize());
        String modelName = name != null ? name : config.model().name() + "-catalog";
        Path base = baseModel != null ? baseModel : config.model().fp32Path();
        Files.createDirectories(out);
        Path fp32 = out.resolve(modelName + "_fp32.pt");
        TrainingRequest.Recipe recipe = new TrainingRequest.Recipe(batch, epochs, patience, learningRate, warmup, holdout, freezeBelow,
                coarseWeight, smoothing, logitScale, noAugment ? AugmentationPlan.Ranges.NONE : AugmentationPlan.Ranges.PHONE,
                maxMinutes, maxSteps, seed);
        TrainingRequest request = new TrainingRequest(base, photos, leaf, coarse, labels.leafNames().size(), labels.coarseNames().size(),
                Settings.decoder(config.image()), config.model().dimension(), view, resize, image.mean(), image.std(), recipe, fp32);
        System.err.printf(Locale.ROOT, "train-model: %d listings of %s; excluded from training: %s; base %s; view %d%n",
                listings.size(), sources, never, base, view);
        TrainingResult result = new CatalogTrainer(System.err).train(request);
        if (result.bestEpoch() == 0) {
            System.err.println("train-model: no epoch finished; nothing written");
            return 1;
        }
        double trainSeconds = result.seconds();
        Map<String, Object> variants = new LinkedHashMap<>();
        variants.put("fp32", describe(fp32));
        Integer checked = null;
        if (!noVariants) {
            Path int8 = out.resolve(modelName + "_int8.pt");
            Path fp16 = out.resolve(modelName + "_fp16.pt");
            int rc = quantize(sources, fp32, int8, fp16);
            if (rc != 0) {
                System.err.println("train-model: the int8 step failed (exit " + rc + ")");
                return 1;
            }
            variants.put("int8", describe(int8));
            variants.put("fp16", describe(fp16));
            checked = new CommandLine(new CheckModelCommand()).execute("--reference-file", fp32.toString(),
                    "--candidate-file", int8.toString(), "--views", Integer.toString(view));
        }
        String space = modelName + "-d" + config.model().dimension() + "-" + PoolFiles.sha256(fp32).substring(0, 12);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("name", modelName);
        report.put("space", space);
        report.put("views", List.of(view));
        report.put("base", base.toString());
        report.put("catalogs", sources.stream().map(Path::toString).toList());
        report.put("excluded", never.stream().map(Path::toString).toList());
        report.put("leafClasses", labels.leafNames());
        report.put("recipe", recipe);
        report.put("result", result);
        report.put("files", variants);
        report.put("int8Check", checked == null ? "not run" : checked == 0 ? "OK" : "REFUSED");
        report.put("seconds", (System.nanoTime() - t0) / 1e9);
        Path json = out.resolve("training.json");
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), report);
        System.out.print(summary(result, trainSeconds, (System.nanoTime() - t0) / 1e9, space, variants, checked));
        System.out.printf(Locale.ROOT, "report: %s%npublish with:%n  bin/lens publish-model --version V --name %s --space %s --views %d "
                        + "--fp32 %s%s%n", json, modelName, space, view, fp32,
                noVariants ? "" : " --int8 " + out.resolve(modelName + "_int8.pt") + " --fp16 " + out.resolve(modelName + "_fp16.pt"));
        return checked != null && checked != 0 ? 1 : 0;
    }

    private static List<Path> defaultExcluded(LensConfig config) {
        List<Path> never = new ArrayList<>();
        String calibration = config.build().calibrationCatalog();
        if (!calibration.isBlank() && !calibration.equals("none")) {
            never.add(Path.of(calibration));
        }
        never.add(config.model().check().catalog());
        return never.stream().distinct().toList();
    }

    /** Why training on these photos is refused (a photo or catalog file it shares with an excluded catalog), or null. */
    static String overlap(List<Path> photos, List<Path> excluded) {
        Set<Path> mine = new HashSet<>();
        photos.forEach(p -> mine.add(p.toAbsolutePath().normalize()));
        for (Path c : excluded) {
            if (!Files.isRegularFile(c)) {
                continue;
            }
            Path root = c.toAbsolutePath().getParent();
            for (Listing l : CatalogReader.read(c).listings()) {
                Path p = root.resolve(l.image()).toAbsolutePath().normalize();
                if (mine.contains(p)) {
                    return "photo " + p + " is in " + c + ", which is never trained on (an evaluation or calibration catalog)";
                }
            }
        }
        return null;
    }

    /** N listings spread over the leaf classes (round robin over the classes, in catalog order): a small but varied set. */
    static List<Integer> spread(List<Listing> listings, int n) {
        Map<String, List<Integer>> byLeaf = new LinkedHashMap<>();
        for (int i = 0; i < listings.size(); i++) {
            byLeaf.computeIfAbsent(String.join("/", listings.get(i).category()), k -> new ArrayList<>()).add(i);
        }
        List<Integer> keep = new ArrayList<>();
        for (int round = 0; keep.size() < n; round++) {
            boolean any = false;
            for (List<Integer> members : byLeaf.values()) {
                if (round < members.size() && keep.size() < n) {
                    keep.add(members.get(round));
                    any = true;
                }
            }
            if (!any) {
                break;
            }
        }
        keep.sort(null);
        return keep;
    }

    private int quantize(List<Path> sources, Path fp32, Path int8, Path fp16) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(python, tooling(quantizer).toString(), "--fp32", fp32.toString(), "--out", int8.toString(),
                "--fp16-out", fp16.toString(), "--crops", Integer.toString(view), "--qat-steps", Integer.toString(qatSteps),
                "--seed", Long.toString(seed), "--threads", Integer.toString(Runtime.getRuntime().availableProcessors())));
        if (maxPhotos > 0) {
            cmd.addAll(List.of("--photos", Integer.toString(Math.max(8, maxPhotos))));
        }
        for (Path c : sources) {
            cmd.addAll(List.of("--catalog", c.toString()));
        }
        System.err.println("train-model: " + String.join(" ", cmd));
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        return p.waitFor();
    }

    /** The tooling script: as given, or (a relative path run from a module folder, as tests are) found in a parent folder. */
    static Path tooling(Path script) {
        if (Files.isRegularFile(script) || script.isAbsolute()) {
            return script;
        }
        for (Path dir = Path.of("").toAbsolutePath().getParent(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve(script))) {
                return dir.resolve(script);
            }
        }
        return script;
    }

    private static Map<String, Object> describe(Path file) throws IOException {
        return Map.of("path", file.toString(), "bytes", Files.size(file), "sha256", PoolFiles.sha256(file));
    }

    static String summary(TrainingResult r, double trainSeconds, double totalSeconds, String space, Map<String, Object> variants,
                          Integer checked) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%nepoch  train loss  hold-out loss  hold-out leaf  hold-out coarse  seconds%n"));
        for (TrainingResult.Epoch e : r.epochs()) {
            b.append(String.format(Locale.ROOT, "%5d  %10.4f  %13.4f  %12.1f%%  %14.1f%%  %7.0f%s%n", e.epoch(), e.trainLoss(),
                    e.holdoutLoss(), 100 * e.holdoutLeafAccuracy(), 100 * e.holdoutCoarseAccuracy(), e.seconds(),
                    e.epoch() == r.bestEpoch() ? "  <- kept" : ""));
        }
        b.append(String.format(Locale.ROOT, "trained on %d photos (%d held out), %d steps, stopped: %s; loss %.4f in the first steps, "
                        + "%.4f in the last%nfine-tuning %.1f min, whole run %.1f min; space %s%n", r.trainPhotos(), r.holdoutPhotos(),
                r.steps(), r.stoppedBecause(), r.firstLoss(), r.lastLoss(), trainSeconds / 60, totalSeconds / 60, space));
        variants.forEach((k, v) -> b.append(String.format(Locale.ROOT, "  %-5s %s%n", k, ((Map<?, ?>) v).get("path"))));
        if (checked != null) {
            b.append(checked == 0 ? "int8 shares the fp32 space (check-model OK)\n" : "int8 REFUSED by check-model\n");
        }
        return b.toString();
    }
}
