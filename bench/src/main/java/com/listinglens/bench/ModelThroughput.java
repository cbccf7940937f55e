package com.listinglens.bench;

import com.listinglens.config.Settings;
import com.listinglens.config.ConfigLoader;
import com.listinglens.config.LensConfig;
import com.listinglens.embedding.DjlEmbedder;
import com.listinglens.embedding.Embedder;
import com.listinglens.embedding.InferencePath;
import com.listinglens.embedding.ModelSettings;
import com.listinglens.embedding.PathProbe;
import com.listinglens.image.DecodedImage;
import com.listinglens.image.ImageDecoder;
import com.listinglens.image.MultiScale;
import com.listinglens.image.OpenCv;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.Size;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The raw model's throughput, as the service would run it with nothing else around: photos already decoded and
 * preprocessed into the configured views, embedded in batches of {@code lens.model.batching.max-batch} by as many
 * threads as the service has predictors, for a fixed time, on every inference path (not a test: bench/throughput.sh runs it).
 * Also times decode + preprocess of a 4000 x 3000 JPEG. Usage: ModelThroughput SOURCE_PHOTO SECONDS
 */
public final class ModelThroughput {

    public static void main(String[] args) throws Exception {
        OpenCv.ensureLoaded();
        Path source = Path.of(args[0]);
        double seconds = Double.parseDouble(args[1]);
        LensConfig config = ConfigLoader.load();
        ImageDecoder decoder = new ImageDecoder(Settings.image(config.image()));
        MultiScale views = Settings.scales(config);
        int batch = config.model().batching().maxBatch();
        int threads = Math.max(1, config.model().predictors());
        byte[] big = resized(Files.readAllBytes(source), 4000, 3000);
        byte[] k1 = resized(Files.readAllBytes(source), 1024, 1024);
        // decode + preprocess of the big JPEG (the views the service makes), one thread, after 200 unmeasured rounds:
        // the service runs this code compiled, and the first rounds run the header checks' byte scans interpreted
        List<Double> ms = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            long t0 = System.nanoTime();
            try (DecodedImage img = decoder.decode(big, views.decodeShorter())) {
                views.toTensors(img);
            }
            if (i >= 200) {
                ms.add((System.nanoTime() - t0) / 1e6);
            }
        }
        ms.sort(Double::compare);
        System.out.printf(Locale.ROOT, "decode + preprocess (views %s) of a 4000x3000 JPEG (%d KB): p50 %.1f ms, p99 %.1f ms over %d%n",
                views.crops(), big.length / 1024, ms.get(ms.size() / 2), ms.get((int) Math.ceil(0.99 * ms.size()) - 1), ms.size());
        List<float[]> tensors;
        try (DecodedImage img = decoder.decode(k1, views.decodeShorter())) {
            tensors = views.toTensors(img);
        }
        List<float[]> batchTensors = new ArrayList<>();
        for (int i = 0; i < batch; i++) {
            batchTensors.addAll(tensors);
        }
        // every inference path the service could serve here (fp32, int8 on each quantized engine), as the start-up
        // measurement would try them, plus int8 as lens.model.quantized-engine configures it ("int8": the path the
        // service served before it measured)
        List<String> paths = new ArrayList<>(List.of("int8", "fp32"));
        // and, where lens.model.int8-rr-path names the 7-bit variant, int8-rr/<engine> on each engine too
        boolean reducedRange = config.model().int8RrPath().filter(Files::isRegularFile).isPresent();
        try (Embedder probe = new DjlEmbedder(Settings.model(config.model(), "fp32"))) {
            PathProbe.supportedEngines().forEach(k -> paths.add(InferencePath.int8(k).label()));
            if (reducedRange) {
                PathProbe.supportedEngines().forEach(k -> paths.add(InferencePath.int8(InferencePath.REDUCED_RANGE, k).label()));
            }
        }
        for (String path : paths) {
            ModelSettings settings = path.equals("int8") ? Settings.model(config.model(), "int8")
                    : InferencePath.parse(path).settings(Settings.model(config.model(), InferencePath.parse(path).file()));
            try (Embedder model = new DjlEmbedder(settings)) {
                for (int i = 0; i < 3; i++) {
                    model.embedViews(batchTensors, views.views());
                }
                ExecutorService pool = Executors.newFixedThreadPool(threads);
                long end = System.nanoTime() + (long) (seconds * 1e9);
                long t0 = System.nanoTime();
                List<Future<Integer>> done = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    done.add(pool.submit(() -> {
                        int photos = 0;
                        while (System.nanoTime() < end) {
                            model.embedViews(batchTensors, views.views());
                            photos += batch;
                        }
                        return photos;
                    }));
                }
                int photos = 0;
                for (Future<Integer> f : done) {
                    photos += f.get();
                }
                double s = (System.nanoTime() - t0) / 1e9;
                pool.shutdown();
                System.out.printf(Locale.ROOT, "raw model %s: %.1f photos/s (views %s, batches of %d photos, %d threads, %.0f s)%n",
                        path, photos / s, views.crops(), batch, threads, s);
            }
        }
    }

    static byte[] resized(byte[] jpeg, int w, int h) {
        Mat src = Imgcodecs.imdecode(new MatOfByte(jpeg), Imgcodecs.IMREAD_COLOR);
        Mat dst = new Mat();
        Imgproc.resize(src, dst, new Size(w, h), 0, 0, Imgproc.INTER_CUBIC);
        MatOfByte out = new MatOfByte();
        Imgcodecs.imencode(".jpg", dst, out, new org.opencv.core.MatOfInt(Imgcodecs.IMWRITE_JPEG_QUALITY, 90));
        return out.toArray();
    }
}
