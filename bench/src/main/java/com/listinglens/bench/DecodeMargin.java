package com.listinglens.bench;

import com.listinglens.config.Settings;
import com.listinglens.catalog.CatalogReader;
import com.listinglens.catalog.Listing;
import com.listinglens.config.ConfigLoader;
import com.listinglens.config.LensConfig;
import com.listinglens.embedding.DjlEmbedder;
import com.listinglens.embedding.Embedder;
import com.listinglens.image.DecodedImage;
import com.listinglens.image.ImageDecoder;
import com.listinglens.image.ImageSettings;
import com.listinglens.image.MultiScale;
import com.listinglens.image.OpenCv;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What decoding big JPEGs at reduced DCT scale costs in embedding fidelity and buys in time (not a test:
 * bench/decode-margin.sh runs it): val photos upscaled to 1024 x 1024 and 4000 x 3000 JPEGs, embedded (fp32, the
 * configured views) after a full decode and after reduced decodes with margins 2 and 1 (the shorter side kept at
 * least that many times the largest resize target); cosine to the full decode, and decode + preprocess time.
 * Usage: DecodeMargin CATALOG PHOTOS
 */
public final class DecodeMargin {

    public static void main(String[] args) throws Exception {
        OpenCv.ensureLoaded();
        Path catalog = Path.of(args[0]);
        int n = Integer.parseInt(args[1]);
        LensConfig config = ConfigLoader.load();
        ImageSettings base = Settings.image(config.image());
        MultiScale views = Settings.scales(config);
        List<Listing> listings = CatalogReader.read(catalog).listings().subList(0, n);
        double[] margins = {0, 2, 1};
        try (Embedder model = new DjlEmbedder(Settings.model(config.model(), "fp32"))) {
            for (int[] size : new int[][]{{1024, 1024}, {4000, 3000}}) {
                float[][][] rows = new float[margins.length][n][];
                double[] ms = new double[margins.length];
                for (int i = 0; i < n; i++) {
                    byte[] jpeg = ModelThroughput.resized(Files.readAllBytes(catalog.toAbsolutePath().getParent()
                            .resolve(listings.get(i).image())), size[0], size[1]);
                    for (int m = 0; m < margins.length; m++) {
                        ImageDecoder decoder = new ImageDecoder(margins[m] == 0 ? base : base.withReducedDecodeMargin(margins[m]));
                        long t0 = System.nanoTime();
                        List<float[]> tensors;
                        try (DecodedImage img = decoder.decode(jpeg, margins[m] == 0 ? 0 : views.decodeShorter())) {
                            tensors = views.toTensors(img);
                        }
                        ms[m] += (System.nanoTime() - t0) / 1e6;
                        rows[m][i] = model.embedViews(tensors, views.views())[0];
                    }
                }
                for (int m = 0; m < margins.length; m++) {
                    double sum = 0;
                    double min = 1;
                    for (int i = 0; i < n; i++) {
                        double c = 0;
                        for (int j = 0; j < rows[0][i].length; j++) {
                            c += rows[0][i][j] * rows[m][i][j];
                        }
                        sum += c;
                        min = Math.min(min, c);
                    }
                    System.out.printf(Locale.ROOT, "%dx%d JPEG, %s: decode + preprocess %.1f ms mean; cosine to the full decode mean %.5f, min %.5f (%d photos)%n",
                            size[0], size[1], margins[m] == 0 ? "full decode" : "margin " + margins[m], ms[m] / n, sum / n, min, n);
                }
            }
        }
    }
}
