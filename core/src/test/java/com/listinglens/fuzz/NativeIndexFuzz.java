package com.listinglens.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.listinglens.vector.FaissIndex;
import com.listinglens.vector.IdFilter;
import com.listinglens.vector.Metric;
import com.listinglens.vector.SearchParams;
import com.listinglens.vector.SearchResult;
import com.listinglens.vector.VectorIndexException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Jazzer target for the JNI edge of the FAISS binding ({@link FaissIndex}): index creation from fuzzed factory
 * strings, dimensions and metrics; training, adding and searching with fuzzed counts, vectors (NaN and infinities
 * included), ids, k, search parameters and id filters; and reading index files that are fuzzed bytes or valid
 * indexes of every supported family with fuzzed bytes overwritten or cut off; and fingerprinting, counting ids
 * and merging such indexes into each other (shards). The documented refusals
 * ({@link IllegalArgumentException}, {@link IllegalStateException}, {@link VectorIndexException}) are accepted;
 * anything else is a finding, and a crash in C++ kills the fuzzer (reported as a deadly signal).
 */
public final class NativeIndexFuzz {

    private static final int D = 8;
    private static final String[] FACTORIES = {
        "IDMap,Flat", "Flat", "IVF4,Flat", "IDMap,HNSW8", "IVF4,PQ4", "IDMap,SQ8", "PCA4,IVF2,Flat", "IVF2,SQ8", "IDMap,PQ2x4"
    };

    private static final List<byte[]> SEED_FILES = new ArrayList<>();
    private static final List<FaissIndex> OPEN = new ArrayList<>();
    private static Path scratch;

    private NativeIndexFuzz() {}

    public static void fuzzerInitialize() throws IOException {
        scratch = Files.createTempDirectory("lens-native-fuzz");
        Random random = new Random(1);
        float[] train = new float[512 * D];
        for (int i = 0; i < train.length; i++) {
            train[i] = (float) random.nextGaussian();
        }
        long[] ids = new long[64];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = 1000 + i;
        }
        float[] add = java.util.Arrays.copyOf(train, ids.length * D);
        for (String factory : FACTORIES) {
            try (FaissIndex index = FaissIndex.create(factory, D, Metric.L2)) {
                index.train(train, 512);
                try {
                    index.addWithIds(add, ids);
                } catch (VectorIndexException e) {
                    // cannot store ids: written empty
                }
                Path file = scratch.resolve("seed-" + SEED_FILES.size() + ".faiss");
                index.write(file);
                SEED_FILES.add(Files.readAllBytes(file));
                OPEN.add(FaissIndex.read(file, false));
            }
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            OPEN.forEach(FaissIndex::close);
            try (var files = Files.list(scratch)) {
                for (Path p : (Iterable<Path>) files::iterator) {
                    Files.deleteIfExists(p);
                }
                Files.deleteIfExists(scratch);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }));
    }

    public static void fuzzerTestOneInput(FuzzedDataProvider data) throws IOException {
        try {
            // cases 0..2 decode as they did before merging was fuzzed, so that the kept regression inputs still replay
            switch (data.consumeInt(0, 3)) {
                case 0 -> createAndUse(data);
                case 1 -> readMutated(data);
                case 2 -> readBytes(data.consumeRemainingAsBytes(), data.consumeBoolean());
                default -> {
                    if (data.consumeBoolean()) {
                        merge(data);
                    } else {
                        search(OPEN.get(data.consumeInt(0, OPEN.size() - 1)), data);
                    }
                }
            }
        } catch (IllegalArgumentException | IllegalStateException | VectorIndexException expected) {
            if (expected.getMessage() == null || expected.getMessage().isBlank()) {
                throw new AssertionError("refusal without a message", expected);
            }
        }
    }

    private static void createAndUse(FuzzedDataProvider data) {
        String factory = data.consumeBoolean() ? FACTORIES[data.consumeInt(0, FACTORIES.length - 1)] : data.consumeString(64);
        int dimension = data.consumeBoolean() ? data.consumeInt(1, 64) : data.consumeInt();
        Metric metric = data.consumeBoolean() ? Metric.L2 : Metric.INNER_PRODUCT;
        try (FaissIndex index = FaissIndex.create(factory, dimension, metric)) {
            int n = data.consumeInt(-2, 600);
            index.train(floats(data, data.consumeInt(0, 600 * Math.min(dimension, 64))), n);
            int count = data.consumeInt(-1, 300);
            long[] ids = count < 0 ? null : new long[count];
            for (int i = 0; ids != null && i < count; i++) {
                ids[i] = data.consumeBoolean() ? i : data.consumeLong();
            }
            index.addWithIds(floats(data, data.consumeInt(0, 300 * Math.min(dimension, 64))), ids);
            search(index, data);
        }
    }

    private static void readMutated(FuzzedDataProvider data) throws IOException {
        readBytes(mutated(data), data.consumeBoolean());
    }

    private static byte[] mutated(FuzzedDataProvider data) {
        byte[] bytes = SEED_FILES.get(data.consumeInt(0, SEED_FILES.size() - 1)).clone();
        int edits = data.consumeInt(0, 8);
        for (int e = 0; e < edits; e++) {
            int at = data.consumeInt(0, bytes.length - 1);
            bytes[at] = data.consumeByte();
        }
        if (data.consumeBoolean()) {
            bytes = java.util.Arrays.copyOf(bytes, data.consumeInt(0, bytes.length));
        }
        return bytes;
    }

    /** Shards: a seed index and a (mutated) one, fingerprinted, counted, merged one into the other, searched. */
    private static void merge(FuzzedDataProvider data) throws IOException {
        Path a = scratch.resolve("merge-a.faiss");
        Path b = scratch.resolve("merge-b.faiss");
        Files.write(a, SEED_FILES.get(data.consumeInt(0, SEED_FILES.size() - 1)));
        Files.write(b, data.consumeBoolean() ? mutated(data) : SEED_FILES.get(data.consumeInt(0, SEED_FILES.size() - 1)));
        try (FaissIndex target = FaissIndex.read(a, false); FaissIndex source = FaissIndex.read(b, data.consumeBoolean())) {
            source.trainedFingerprint();
            source.censusIds(data.consumeBoolean() ? data.consumeLong(0, 5000) : data.consumeLong());
            long total = target.count() + source.count();
            target.mergeFrom(source);
            if (target.count() != total || source.count() != 0) {
                throw new AssertionError("merge left " + target.count() + " + " + source.count() + " of " + total);
            }
            target.censusIds(data.consumeLong(0, 5000));
            search(target, data);
        }
    }

    private static void readBytes(byte[] bytes, boolean memoryMap) throws IOException {
        Path file = scratch.resolve("input.faiss");
        Files.write(file, bytes);
        try (FaissIndex index = FaissIndex.read(file, memoryMap)) {
            // a file that opens must also search: every structure it holds has been checked
            int d = index.dimension();
            float[] q = new float[d];
            java.util.Arrays.fill(q, 0.5f);
            SearchResult r = index.search(q, 1, 5, SearchParams.EXHAUSTIVE);
            if (r.ids().length != 5) {
                throw new AssertionError("search returned " + r.ids().length + " ids for k = 5");
            }
            index.count();
        }
    }

    private static void search(FaissIndex index, FuzzedDataProvider data) {
        int n = data.consumeInt(-1, 64);
        int k = data.consumeBoolean() ? data.consumeInt(-1, 20) : data.consumeInt();
        SearchParams params = new SearchParams(data.consumeInt(-1, 300), data.consumeInt(-1, 300), data.consumeBoolean());
        float[] queries = floats(data, data.consumeInt(0, 64 * Math.min(index.dimension(), 64)));
        IdFilter filter = null;
        if (data.consumeBoolean()) {
            long size = data.consumeLong(-1, 5000);
            long[] words = new long[data.consumeInt(0, 80)];
            for (int i = 0; i < words.length; i++) {
                words[i] = data.consumeLong();
            }
            filter = IdFilter.of(words, size);
        }
        SearchResult r = index.search(queries, n, k, params, filter);
        if (r.ids().length != (long) n * k || r.scores().length != r.ids().length) {
            throw new AssertionError("search of " + n + " x " + k + " returned " + r.ids().length + " ids");
        }
    }

    private static float[] floats(FuzzedDataProvider data, int length) {
        float[] v = new float[length];
        for (int i = 0; i < length && data.remainingBytes() > 0; i++) {
            v[i] = data.consumeBoolean() ? data.consumeRegularFloat(-10f, 10f) : data.consumeFloat();
        }
        return v;
    }
}
