package com.listinglens.cli;

import com.listinglens.config.Settings;
import com.listinglens.catalog.CatalogReader;
import com.listinglens.catalog.Listing;
import com.listinglens.config.ConfigLoader;
import com.listinglens.config.LensConfig;
import com.listinglens.embedding.DjlEmbedder;
import com.listinglens.embedding.Embedder;
import com.listinglens.image.ImageDecoder;
import com.listinglens.image.MultiScale;
import com.listinglens.indexer.EmbeddingSet;
import com.listinglens.indexer.PhotoEmbedding;
import com.listinglens.indexer.Progress;
import com.listinglens.storage.Artifacts;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code lens embed}: a catalog's photos embedded exactly as a pool build embeds them, written as an
 * {@link EmbeddingSet} that {@code build-pool --embeddings} pools (embeddings made on one machine, pooled on another).
 */
@Command(name = "embed", mixinStandardHelpOptions = true,
        description = "Embed every photo of a JSONL catalog as pool builds do and write an embedding set (embeddings.json, "
                + "embeddings.f32, listings.jsonl) to a folder, for build-pool --embeddings.")
public final class EmbedCommand implements Callable<Integer> {

    @Option(names = {"-c", "--catalog"}, required = true, description = "JSONL catalog")
    Path catalog;

    @Option(names = {"-o", "--out"}, required = true, description = "folder of the embedding set")
    Path out;

    @Mixin
    SharedOptions.ImageRoot imageRoot = new SharedOptions.ImageRoot();

    @Mixin
    SharedOptions.BuildPrecision precision = new SharedOptions.BuildPrecision();

    @Override
    public Integer call() throws Exception {
        LensConfig config = ConfigLoader.load();
        if (!Files.isRegularFile(catalog)) {
            System.err.println("embed: catalog " + catalog + " does not exist");
            return 2;
        }
        CatalogReader.Catalog read = CatalogReader.read(catalog);
        read.errors().forEach(e -> System.err.println("skipped " + e));
        Path root = imageRoot.of(catalog);
        String p = precision.orDefault(config);
        try (Artifacts artifacts = Settings.artifacts(config)) {
            Settings.ResolvedModel model = Settings.resolveModel(config, artifacts, p);
            ImageDecoder decoder = Settings.decoder(config.image());
            MultiScale scales = Settings.scales(config, model);
            int batch = config.model().batchSize();
            long[] unusable = {0};
            try (Embedder embedder = new DjlEmbedder(model.settings());
                 PhotoEmbedding embedding = new PhotoEmbedding(decoder, scales, embedder, batch,
                         config.build().decodeThreads());
                 EmbeddingSet.Writer writer = new EmbeddingSet.Writer(out, model.space(), config.model().name(), embedder.dimension(), null)) {
                Progress progress = new Progress(System.err, "embedding", read.listings().size());
                embedding.embed(read.listings(), l -> root.resolve(l.image()), new PhotoEmbedding.Sink<>() {
                    @Override
                    public void embedded(Listing listing, float[] vector) throws IOException {
                        writer.add(listing, vector, 0);
                    }

                    @Override
                    public void unusable(Listing listing, Throwable cause) {
                        System.err.println("skipped " + listing.id() + ": photo " + listing.image() + " unusable: " + cause.getMessage());
                        unusable[0]++;
                    }
                }, progress);
                progress.finish();
                writer.finish();
                System.err.printf(Locale.ROOT, "embedding set %s: %d listings of dimension %d in space %s, %d photos unusable, %.1f s%n",
                        out, writer.count(), embedder.dimension(), model.space(), unusable[0], progress.elapsedSeconds());
            }
        }
        return 0;
    }
}
