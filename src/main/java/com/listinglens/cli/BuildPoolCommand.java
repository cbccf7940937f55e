package com.listinglens.cli;

import com.listinglens.app.Settings;
import com.listinglens.config.ConfigLoader;
import com.listinglens.config.LensConfig;
import com.listinglens.embedding.DjlEmbedder;
import com.listinglens.embedding.Embedder;
import com.listinglens.image.ImageDecoder;
import com.listinglens.image.ImageSettings;
import com.listinglens.image.Preprocessor;
import com.listinglens.indexer.PoolBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code lens build-pool}: catalogs in, pool directory out. */
@Command(name = "build-pool", mixinStandardHelpOptions = true,
        description = "Embed every photo of JSONL catalogs and write a pool directory (index, listings, manifest).")
public final class BuildPoolCommand implements Callable<Integer> {

    @Option(names = {"-c", "--catalog"}, description = "JSONL catalog (repeatable); default: lens.build.catalogs")
    List<Path> catalogs;

    @Option(names = {"-o", "--out"}, description = "pool directory to write; default: lens.pool.dir")
    Path out;

    @Option(names = "--image-root", description = "folder the catalogs' image paths are relative to; default: each catalog's folder")
    Path imageRoot;

    @Option(names = "--index-factory", description = "FAISS index_factory string; default: lens.build.index-factory")
    String indexFactory;

    @Option(names = "--metric", description = "inner_product or l2; default: lens.build.metric")
    String metric;

    @Option(names = "--precision", description = "model precision used to embed: fp32 or int8; default: lens.build.precision")
    String precision;

    @Option(names = "--replace", description = "replace an existing pool at --out")
    boolean replace;

    @Option(names = "--if-missing", description = "do nothing when a pool already exists at --out")
    boolean ifMissing;

    @Override
    public Integer call() throws Exception {
        LensConfig config = ConfigLoader.load();
        Path output = out != null ? out : config.pool().dir();
        if (ifMissing && com.listinglens.pool.PoolFiles.exists(output)) {
            System.err.println("pool " + output + " exists; nothing to build");
            return 0;
        }
        List<Path> sources = catalogs != null && !catalogs.isEmpty() ? catalogs : config.build().catalogs();
        String p = precision != null ? precision : config.build().precision();
        ImageSettings image = Settings.image(config.image());
        try (Embedder embedder = new DjlEmbedder(Settings.model(config.model(), p))) {
            PoolBuilder builder = new PoolBuilder(new ImageDecoder(image), new Preprocessor(image), embedder,
                    config.model().batchSize(), config.build().decodeThreads(), System.err);
            PoolBuilder.Report report = builder.build(new PoolBuilder.Request(sources,
                    imageRoot != null ? imageRoot : config.build().imageRoot().orElse(null), output,
                    indexFactory != null ? indexFactory : config.build().indexFactory(),
                    Settings.metric(metric != null ? metric : config.build().metric()),
                    config.model().name(), config.model().space(), replace));
            System.err.printf(Locale.ROOT, "pool %s written to %s: %d listings, %d catalog lines rejected, %d photos unusable, "
                            + "%.1f s (%.1f photos/s), model %s %s%n",
                    report.manifest().poolVersion(), report.pool(), report.manifest().listingCount(), report.rejectedLines(),
                    report.unreadableImages(), report.seconds(), report.manifest().listingCount() / report.seconds(),
                    config.model().name(), p);
        }
        return 0;
    }
}
