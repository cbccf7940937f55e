package com.listinglens.indexer;

import com.listinglens.embedding.Embedder;
import com.listinglens.image.DecodedImage;
import com.listinglens.image.ImageDecoder;
import com.listinglens.image.MultiScale;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Photos to embeddings, the one way builds embed them (the pool builder, {@code bin/lens embed}): each photo read and
 * decoded on one of {@code decodeThreads} threads at the reduced scale the views need, cut into the configured views
 * ({@link MultiScale}), and embedded {@code batchSize} photos at a time, a row being the mean of its views as the
 * service queries. A photo that cannot be read or decoded is reported to the sink and skipped, never fatal; an
 * embedding failure is.
 */
public final class PhotoEmbedding implements AutoCloseable {

    /** Where the embeddings go, in the order of the items. */
    public interface Sink<T> {
        void embedded(T item, float[] embedding) throws IOException;

        void unusable(T item, Throwable cause);
    }

    private final ImageDecoder decoder;
    private final MultiScale scales;
    private final Embedder embedder;
    private final int batchSize;
    private final ExecutorService decoders;

    public PhotoEmbedding(ImageDecoder decoder, MultiScale scales, Embedder embedder, int batchSize, int decodeThreads) {
        requireSizes(batchSize, decodeThreads);
        this.decoder = decoder;
        this.scales = scales;
        this.embedder = embedder;
        this.batchSize = batchSize;
        this.decoders = Executors.newFixedThreadPool(decodeThreads, r -> {
            Thread t = new Thread(r, "photo-decode");
            t.setDaemon(true);
            return t;
        });
    }

    /** The check of the constructor, for callers that take the sizes long before they embed (the pool builder). */
    static void requireSizes(int batchSize, int decodeThreads) {
        if (batchSize < 1 || decodeThreads < 1) {
            throw new IllegalArgumentException("batch size and decode threads must be >= 1");
        }
    }

    public int dimension() {
        return embedder.dimension();
    }

    /** Embeds the photo of every item ({@code photo}: its file) into {@code sink}; advances {@code progress} per item. */
    public <T> void embed(List<T> items, Function<T, Path> photo, Sink<T> sink, Progress progress) throws IOException {
        for (int from = 0; from < items.size(); from += batchSize) {
            List<T> batch = items.subList(from, Math.min(items.size(), from + batchSize));
            List<Future<List<float[]>>> decoded = new ArrayList<>(batch.size());
            for (T item : batch) {
                Path file = photo.apply(item);
                decoded.add(decoders.submit(() -> views(file)));
            }
            List<float[]> tensors = new ArrayList<>();
            List<T> ok = new ArrayList<>(batch.size());
            for (int i = 0; i < batch.size(); i++) {
                try {
                    tensors.addAll(decoded.get(i).get());
                    ok.add(batch.get(i));
                } catch (ExecutionException e) {
                    sink.unusable(batch.get(i), e.getCause() != null ? e.getCause() : e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while decoding photos", e);
                }
            }
            if (!ok.isEmpty()) {
                float[][] embedded = embedder.embedViews(tensors, scales.views());
                for (int i = 0; i < ok.size(); i++) {
                    sink.embedded(ok.get(i), embedded[i]);
                }
            }
            if (progress != null) {
                progress.advance(batch.size());
            }
        }
    }

    private List<float[]> views(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        try (DecodedImage image = decoder.decode(bytes, scales.decodeShorter())) {
            return scales.toTensors(image);
        }
    }

    @Override
    public void close() {
        decoders.shutdownNow();
    }
}
