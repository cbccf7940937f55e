package com.listinglens.cli;

import com.listinglens.config.Settings;
import com.listinglens.config.ConfigLoader;
import com.listinglens.config.LensConfig;
import com.listinglens.storage.Artifacts;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

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

    @Option(names = "--fp32", description = "fp32 TorchScript file; default: lens.model.fp32-path")
    Path fp32;

    @Option(names = "--fp16", description = "fp16 TorchScript file (for GPUs); default: lens.model.fp16-path, else none")
    Path fp16;

    @Option(names = "--views", split = ",", description = "views (crop sizes) the model embeds at, recorded in the manifest "
            + "(the service then defaults to them); default: lens.model.views")
    List<Integer> views;

    @Option(names = "--no-pointer", description = "upload only; leave the model's pointer where it is")
    boolean noPointer;

    @Override
    public Integer call() {
        LensConfig config = ConfigLoader.load();
        Map<String, Path> files = new LinkedHashMap<>();
        files.put("int8", int8 != null ? int8 : config.model().int8Path());
        files.put("fp32", fp32 != null ? fp32 : config.model().fp32Path());
        Path half = fp16 != null ? fp16 : config.model().fp16Path().orElse(null);
        if (half != null) {
            files.put("fp16", half);
        }
        List<Integer> recorded = views != null ? views : config.model().views().orElse(List.of());
        try (Artifacts artifacts = Settings.artifacts(config)) {
            Settings.publisher(config, artifacts, System.err).publishModel(
                    name != null ? name : config.model().name(), version, space != null ? space : config.model().space(),
                    config.model().dimension(), files, recorded, !noPointer);
        }
        return 0;
    }
}
