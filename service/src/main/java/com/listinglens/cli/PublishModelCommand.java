package com.listinglens.cli;

import com.listinglens.catalog.CatalogReader;
import com.listinglens.config.ConfigLoader;
import com.listinglens.config.Settings;
import com.listinglens.config.LensConfig;
import com.listinglens.storage.Artifacts;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code lens publish-model}: model files into the store as models/<name>/<version>/. */
@Command(name = "publish-model", mixinStandardHelpOptions = true,
        description = "Upload model files (one per precision) to the store as models/<name>/<version>/ with a manifest, "
                + "and move models/<name>/current to it. Defaults: the configured model (lens.model.*).")
public final class PublishModelCommand implements Callable<Integer> {

    @Option(names = {"-v", "--version"}, required = true, description = "version to publish as (letters, digits, '.', '_', '-')")
    String version;

    @Option(names = "--name", description = "model name; default: lens.model.name")
    String name;

    @Option(names = "--space", description = "embedding space; default: lens.model.space")
    String space;

    @Option(names = "--int8", description = "int8 TorchScript file; default: lens.model.int8-path")
    Path int8;

    @Option(names = "--int8-rr", description = "int8 TorchScript file with 7-bit activations (models/quantize_int8.py; the "
            + "fast exact int8 path on CPUs without AVX-512 VNNI), measured at start beside the others; default: "
            + "lens.model.int8-rr-path, else none")
    Path int8Rr;

    @Option(names = "--fp32", description = "fp32 TorchScript file; default: lens.model.fp32-path")
    Path fp32;

    @Option(names = "--fp16", description = "fp16 TorchScript file (for GPUs); default: lens.model.fp16-path, else none")
    Path fp16;

    @Option(names = "--views", split = ",", description = "views (crop sizes) the model embeds at, recorded in the manifest "
            + "(the service then defaults to them); default: lens.model.views")
    List<Integer> views;

    @Option(names = "--no-pointer", description = "upload only; leave the model's pointer where it is")
    boolean noPointer;

    @Option(names = "--probe-catalog", description = "catalog whose photos the version carries for the service's start-up "
            + "probe (spread evenly over it); default: lens.model.check.catalog, skipped with a warning when unreadable")
    Path probeCatalog;

    @Option(names = "--probe-photos", description = "how many probe photos the version carries; default: lens.model.probe.photos")
    Integer probePhotos;

    @Option(names = "--no-probe-photos", description = "publish without probe photos (the service then probes on its "
            + "lens.model.check.catalog, and serves fp32 unmeasured where that is missing)")
    boolean noProbePhotos;

    @Override
    public Integer call() {
        LensConfig config = ConfigLoader.load();
        Map<String, Path> files = new LinkedHashMap<>();
        files.put("int8", int8 != null ? int8 : config.model().int8Path());
        Path reducedRange = int8Rr != null ? int8Rr : config.model().int8RrPath().orElse(null);
        if (reducedRange != null) {
            files.put("int8-rr", reducedRange);
        }
        files.put("fp32", fp32 != null ? fp32 : config.model().fp32Path());
        Path half = fp16 != null ? fp16 : config.model().fp16Path().orElse(null);
        if (half != null) {
            files.put("fp16", half);
        }
        List<Integer> recorded = views != null ? views : config.model().views().orElse(List.of());
        List<Path> probe = probe(config);
        try (Artifacts artifacts = Settings.artifacts(config)) {
            Settings.publisher(config, artifacts, System.err).publishModel(
                    name != null ? name : config.model().name(), version, space != null ? space : config.model().space(),
                    config.model().dimension(), files, recorded, probe, !noPointer);
        }
        return 0;
    }

    /**
     * The probe photos to publish with the version: a pod that runs it then measures its inference paths on them,
     * with no catalog mounted.
     */
    private List<Path> probe(LensConfig config) {
        if (noProbePhotos) {
            return List.of();
        }
        int n = probePhotos != null ? probePhotos : config.model().probe().photos();
        if (n < 2 || n > 256) {
            throw new IllegalArgumentException("--probe-photos must be 2..256, got " + n);
        }
        Path catalog = probeCatalog != null ? probeCatalog : config.model().check().catalog();
        if (!Files.isReadable(catalog)) {
            if (probeCatalog != null) {
                throw new IllegalArgumentException("--probe-catalog " + catalog + " is not readable");
            }
            System.err.println("warning: lens.model.check.catalog " + catalog + " is not readable: the version is published "
                    + "without probe photos (pass --probe-catalog, or --no-probe-photos to say so)");
            return List.of();
        }
        List<Path> photos = CatalogReader.read(catalog).spreadPhotos(n);
        if (photos.size() < 2) {
            throw new IllegalArgumentException("probe catalog " + catalog + " has " + photos.size() + " listings; the probe needs 2");
        }
        return photos;
    }
}
