package com.listinglens.cli;

import com.listinglens.config.Settings;
import com.listinglens.catalog.CatalogReader;
import com.listinglens.catalog.Listing;
import com.listinglens.config.ConfigLoader;
import com.listinglens.config.LensConfig;
import com.listinglens.embedding.DjlEmbedder;
import com.listinglens.embedding.Embedder;
import com.listinglens.embedding.ModelSettings;
import com.listinglens.embedding.VariantCheck;
import com.listinglens.image.DecodedImage;
import com.listinglens.image.ImageDecoder;
import com.listinglens.image.MultiScale;
import com.listinglens.indexer.Progress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code lens check-model}: proves (or refuses) that two variants of a model embed into one space, so that pools built
 * with one may be queried with the other: both embed the same photos through the service's decoder and views, and
 * {@link VariantCheck} compares them against configurable minimums.
 */
@Command(name = "check-model", mixinStandardHelpOptions = true,
        description = "Embed a catalog's photos with two variants of the model (default: fp32 as the reference, int8 as the "
                + "candidate) and refuse the candidate (exit 1) when the mean cosine between a photo's two embeddings, or "
                + "the overlap of each photo's nearest other photos, is under its minimum (lens.model.check.*).")
public final class CheckModelCommand implements Callable<Integer> {

    @Option(names = "--reference", defaultValue = "fp32", description = "reference precision (int8, fp32); default ${DEFAULT-VALUE}")
    String reference;

    @Option(names = "--candidate", defaultValue = "int8", description = "candidate precision (int8, fp32); default ${DEFAULT-VALUE}")
    String candidate;

    @Option(names = "--reference-file", description = "the reference's TorchScript file; default: the configured one of its precision")
    Path referenceFile;

    @Option(names = "--candidate-file", description = "the candidate's TorchScript file; default: the configured one of its precision")
    Path candidateFile;

    @Option(names = {"-c", "--catalog"}, description = "catalog whose photos are embedded; default: lens.model.check.catalog")
    Path catalog;

    @Mixin
    SharedOptions.ImageRoot imageRoot = new SharedOptions.ImageRoot();

    @Option(names = "--views", split = ",", description = "views (crop sizes) both variants embed; default: lens.image.scales")
    List<Integer> viewList;

    @Option(names = "--limit", description = "embed only the first N photos of the catalog")
    Integer limit;

    @Option(names = "--min-mean-cosine", description = "default: lens.model.check.min-mean-cosine")
    Double minMeanCosine;

    @Option(names = "--min-neighbour-overlap", description = "default: lens.model.check.min-neighbour-overlap")
    Double minNeighbourOverlap;

    @Option(names = "--k", description = "neighbours compared per photo; default: lens.model.check.k")
    Integer k;

    @Override
    public Integer call() throws Exception {
        LensConfig config = ConfigLoader.load();
        LensConfig.Model.Check check = config.model().check();
        Path file = catalog != null ? catalog : check.catalog();
        if (!Files.isRegularFile(file)) {
            System.err.println("check-model: catalog " + file + " does not exist");
            return 2;
        }
        CatalogReader.Catalog photos = CatalogReader.read(file);
        photos.errors().forEach(e -> System.err.println("skipped " + e));
        List<Listing> listings = photos.listings();
        if (limit != null) {
            if (limit < 2) {
                System.err.println("check-model: --limit must be at least 2");
                return 2;
            }
            listings = listings.subList(0, Math.min(limit, listings.size()));
        }
        int kk = k != null ? k : check.k();
        if (listings.size() < 2 || kk < 1 || kk > listings.size() - 1) {
            System.err.printf(Locale.ROOT, "check-model: %d photos cannot compare %d neighbours each (k must lie in 1..photos - 1)%n",
                    listings.size(), kk);
            return 2;
        }
        Path root = imageRoot.of(file);
        ImageDecoder decoder = Settings.decoder(config.image());
        MultiScale views = viewList == null || viewList.isEmpty() ? Settings.scales(config)
                : new MultiScale(Settings.image(config.image()), viewList);
        List<byte[]> bytes = new ArrayList<>(listings.size());
        for (Listing l : listings) {
            bytes.add(Files.readAllBytes(root.resolve(l.image())));
        }
        ModelSettings ref = variant(config, reference, referenceFile);
        ModelSettings cand = variant(config, candidate, candidateFile);
        System.err.printf(Locale.ROOT, "check-model: %d photos of %s, views %s; reference %s (%s), candidate %s (%s)%n",
                listings.size(), file, views.crops(), ref.precision(), ref.path(), cand.precision(), cand.path());
        float[][] a = embed(ref, decoder, views, bytes, "reference");
        float[][] b = embed(cand, decoder, views, bytes, "candidate");
        VariantCheck.Result r = VariantCheck.compare(a, b, kk);
        double minCos = minMeanCosine != null ? minMeanCosine : check.minMeanCosine();
        double minOverlap = minNeighbourOverlap != null ? minNeighbourOverlap : check.minNeighbourOverlap();
        System.out.printf(Locale.ROOT, "%d photos: cosine between the variants' embeddings mean %.4f, p1 %.4f, min %.4f (minimum mean %.4f)%n",
                r.photos(), r.meanCosine(), r.p1Cosine(), r.minCosine(), minCos);
        System.out.printf(Locale.ROOT, "nearest other photos: top-%d overlap %.3f (minimum %.3f), same nearest photo %.1f %%%n",
                r.k(), r.neighbourOverlap(), minOverlap, 100 * r.topOneAgreement());
        String refusal = r.refusal(minCos, minOverlap);
        if (refusal != null) {
            System.out.println("REFUSED: " + cand.path() + " does not embed into the space of " + ref.path() + ": " + refusal);
            return 1;
        }
        System.out.println("OK: " + cand.path() + " shares the embedding space of " + ref.path());
        return 0;
    }

    private static ModelSettings variant(LensConfig config, String precision, Path file) {
        ModelSettings m = Settings.model(config.model(), precision);
        return file == null ? m : new ModelSettings(m.name(), file, m.precision(), m.device(), m.dimension(), m.batchSize(),
                m.predictors(), m.threads(), m.quantizedEngine());
    }

    private static float[][] embed(ModelSettings settings, ImageDecoder decoder, MultiScale views, List<byte[]> photos, String what) {
        float[][] out = new float[photos.size()][];
        Progress progress = new Progress(System.err, "embedding (" + what + ")", photos.size());
        try (Embedder embedder = new DjlEmbedder(settings)) {
            int batch = Math.max(1, settings.batchSize());
            for (int from = 0; from < photos.size(); from += batch) {
                int to = Math.min(photos.size(), from + batch);
                List<float[]> tensors = new ArrayList<>();
                for (int i = from; i < to; i++) {
                    try (DecodedImage image = decoder.decode(photos.get(i), views.decodeShorter())) {
                        tensors.addAll(views.toTensors(image));
                    }
                }
                float[][] rows = embedder.embedViews(tensors, views.views());
                System.arraycopy(rows, 0, out, from, rows.length);
                progress.advance(to - from);
            }
            progress.finish();
        }
        return out;
    }
}
