package com.listinglens.app;

import com.listinglens.catalog.CatalogReader;
import com.listinglens.config.LensConfig;
import com.listinglens.config.Settings;
import com.listinglens.embedding.DjlEmbedder;
import com.listinglens.embedding.InferencePath;
import com.listinglens.embedding.ModelSettings;
import com.listinglens.embedding.PathProbe;
import com.listinglens.embedding.QuantizedEngine;
import com.listinglens.image.DecodedImage;
import com.listinglens.image.ImageDecoder;
import com.listinglens.image.ImageRejectedException;
import com.listinglens.image.MultiScale;
import com.listinglens.storage.Artifacts;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Decides how the service runs its model and loads it (lens.model.path):
 * <ol>
 *   <li>"auto" (CPU): reads the probe photos (those the model version carries, published with it; else
 *       lens.model.probe.photos of lens.model.check.catalog, spread evenly over it), decodes them into the service's views, and lets {@link PathProbe} measure fp32 and the int8 model on every
 *       quantized engine this libtorch supports; serves the fastest path whose embeddings agree with fp32's;</li>
 *   <li>a path label ("fp32", "int8/qnnpack", ...): serves that path, unmeasured;</li>
 *   <li>"configured", or the GPU: serves lens.model.precision with lens.model.quantized-engine, as before paths were
 *       measured.</li>
 * </ol>
 * Without readable probe photos, "auto" cannot check int8 against fp32 and serves fp32 (the reason says so).
 */
final class ServingModel {

    private static final Logger LOG = Logger.getLogger(ServingModel.class);

    /**
     * @param embedder the model as it will be served
     * @param resolved its settings, embedding space and version
     * @param path the path served (label), e.g. "int8/fbgemm"
     * @param how "measured", "pinned" or "configured"
     * @param reason why this path, in words (with the figures when measured)
     * @param probe what was measured, or null
     */
    record Loaded(DjlEmbedder embedder, Settings.ResolvedModel resolved, String path, String how, String reason,
                  PathProbe.Result probe) {
    }

    private ServingModel() {
    }

    static Loaded load(LensConfig config, Artifacts artifacts) {
        LensConfig.Model m = config.model();
        String mode = m.path().strip().toLowerCase(Locale.ROOT);
        if (m.device().equalsIgnoreCase("gpu") || mode.equals("configured")) {
            Settings.ResolvedModel resolved = Settings.resolveModel(config, artifacts, m.precision());
            DjlEmbedder embedder = new DjlEmbedder(resolved.settings());
            String path = served(embedder);
            return new Loaded(embedder, resolved, path, "configured", path + ": lens.model.precision=" + m.precision()
                    + (m.device().equalsIgnoreCase("gpu") ? " on the GPU" : ", lens.model.quantized-engine=" + m.quantizedEngine()), null);
        }
        if (!mode.equals("auto")) {
            InferencePath pinned = InferencePath.parse(mode);
            Settings.ResolvedModel resolved = Settings.resolveModel(config, artifacts, pinned.file());
            DjlEmbedder embedder = new DjlEmbedder(pinned.settings(resolved.settings()));
            return new Loaded(embedder, withSettings(resolved, embedder.settings()), pinned.label(), "pinned",
                    pinned.label() + ": pinned by lens.model.path", null);
        }
        Settings.ResolvedModel fp32 = Settings.resolveModel(config, artifacts, "fp32");
        Settings.ResolvedModel int8 = null;
        String noInt8 = null;
        try {
            int8 = Settings.resolveModel(config, artifacts, "int8");
        } catch (IllegalArgumentException e) {
            noInt8 = e.getMessage();
        }
        // the variant with 7-bit activations, where the model has one (lens.model.int8-rr-path, or the version's file)
        Settings.ResolvedModel int8rr = null;
        try {
            int8rr = Settings.resolveModel(config, artifacts, "int8-rr");
            if (!Files.isRegularFile(int8rr.settings().path())) {
                LOG.warnf("lens.model.int8-rr-path %s is not a file: its paths are not measured", int8rr.settings().path());
                int8rr = null;
            }
        } catch (IllegalArgumentException e) {
            LOG.debugf("no int8 model with 7-bit activations: %s", e.getMessage());
        }
        MultiScale views = Settings.scales(config, fp32);
        Probe photos = probePhotos(config, fp32, views);
        if (photos.tensors().isEmpty() || int8 == null) {
            DjlEmbedder embedder = new DjlEmbedder(fp32.settings());
            String why = int8 == null ? "there is no int8 model (" + noInt8 + ")"
                    : "int8 could not be checked against fp32: " + photos.problem() + " (pin lens.model.path to serve int8 unchecked)";
            LOG.warnf("serving fp32 unmeasured: %s", why);
            return new Loaded(embedder, fp32, InferencePath.FP32.label(), "measured", "fp32: " + why, null);
        }
        LensConfig.Model.Check check = m.check();
        List<QuantizedEngine.Kind> engines = m.quantizedEngine().equalsIgnoreCase("auto") || m.quantizedEngine().equalsIgnoreCase("default")
                ? List.of() : List.of(QuantizedEngine.Kind.parse(m.quantizedEngine()));
        int batch = m.batching().enabled() ? Math.max(1, m.batching().maxBatch()) : Math.max(1, m.batchSize());
        Map<String, ModelSettings> int8Files = new LinkedHashMap<>();
        int8Files.put("", int8.settings());
        if (int8rr != null) {
            int8Files.put(InferencePath.REDUCED_RANGE, int8rr.settings());
        }
        PathProbe.Result r = PathProbe.run(fp32.settings(), int8Files, engines, photos.tensors(), views.views(),
                new PathProbe.Settings(m.probe().timePerPath(), batch, check.minMeanCosine(), check.minNeighbourOverlap(), check.k()),
                line -> LOG.infof("inference path %s", line));
        LOG.info(PathProbe.describe(r));
        InferencePath chosen = r.choice().chosen().path();
        Settings.ResolvedModel resolved = !chosen.isInt8() ? fp32 : chosen.variant().isEmpty() ? int8 : int8rr;
        DjlEmbedder embedder = new DjlEmbedder(chosen.settings(resolved.settings()));
        return new Loaded(embedder, withSettings(resolved, embedder.settings()), chosen.label(), "measured", r.choice().reason(), r);
    }

    private static Settings.ResolvedModel withSettings(Settings.ResolvedModel r, ModelSettings s) {
        return r.withSettings(s);
    }

    /** The path a loaded embedder runs: its precision, and for int8 the quantized engine now active. */
    private static String served(DjlEmbedder embedder) {
        String precision = embedder.info().precision();
        if (!precision.equals("int8")) {
            return precision;
        }
        return QuantizedEngine.loaded().map(q -> "int8/" + q.current().label()).orElse("int8");
    }

    /** The probe photos' view tensors, photo after photo, or none with the reason. */
    record Probe(List<float[]> tensors, String problem) {
    }

    /**
     * The probe photos as view tensors: the model version's own, when it carries them; else lens.model.probe.photos of
     * lens.model.check.catalog.
     */
    static Probe probePhotos(LensConfig config, Settings.ResolvedModel model, MultiScale views) {
        int wanted = config.model().probe().photos();
        if (wanted < 2) {
            return new Probe(List.of(), "lens.model.probe.photos is " + wanted + " (at least 2 are needed)");
        }
        List<Path> files;
        String source;
        if (!model.probePhotos().isEmpty()) {
            files = model.probePhotos().subList(0, Math.min(wanted, model.probePhotos().size()));
            source = "model version " + model.version() + "'s probe photos";
        } else {
            Path catalog = config.model().check().catalog();
            if (!Files.isReadable(catalog)) {
                return new Probe(List.of(), "the model version carries no probe photos and the probe catalog " + catalog
                        + " (lens.model.check.catalog) is not readable");
            }
            files = CatalogReader.read(catalog).spreadPhotos(wanted);
            source = "the probe catalog " + catalog;
        }
        ImageDecoder decoder = Settings.decoder(config.image());
        List<float[]> tensors = new ArrayList<>();
        int used = 0;
        for (Path file : files) {
            try (DecodedImage image = decoder.decode(Files.readAllBytes(file), views.decodeShorter())) {
                tensors.addAll(views.toTensors(image));
                used++;
            } catch (IOException | ImageRejectedException e) {
                LOG.warnf("probe photo %s skipped: %s", file, e.getMessage());
            }
        }
        if (used < 2) {
            return new Probe(List.of(), "fewer than 2 of " + source + " could be read");
        }
        LOG.infof("start-up probe on %d photos: %s", used, source);
        return new Probe(tensors, null);
    }
}
