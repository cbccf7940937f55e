package com.listinglens.indexer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.listinglens.pool.PoolException;
import com.listinglens.vector.FaissIndex;
import com.listinglens.vector.Metric;
import com.listinglens.vector.SearchParams;
import com.listinglens.vector.SearchResult;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Shards of one template encoded apart and merged, against the same rows in one index; and what a merge refuses. */
class IndexShardsTest {

    private static final int D = 16;
    private static final int N = 6000;
    private static final String FACTORY = "IVF32,PQ8np";

    @TempDir
    Path dir;

    private float[][] rows;
    private Path template;
    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private final PrintStream log = new PrintStream(logBytes, true, StandardCharsets.UTF_8);

    @BeforeEach
    void trainTemplate() {
        rows = clustered(N, 7);
        float[] sample = new float[N * D];
        for (int i = 0; i < N; i++) {
            System.arraycopy(rows[i], 0, sample, i * D, D);
        }
        template = dir.resolve("template.faiss");
        IndexShards.writeTemplate(FACTORY, D, Metric.INNER_PRODUCT, sample, N, template);
    }

    @Test
    void mergedShardsSearchLikeOneIndexAndEveryRowIsThereOnce() {
        Path one = dir.resolve("one.faiss");
        assertThat(IndexShards.encode(template, rowsOf(0, N), 1000, one)).isEqualTo(N);
        // three shards of uneven size, encoded in batches that do not divide them
        List<Path> shards = List.of(shard(0, 1500), shard(1500, 4100), shard(4100, N));
        Path out = dir.resolve("merged.faiss");
        IndexShards.Merged m = IndexShards.merge(template, shards, N, out, log);
        assertThat(m.vectors()).isEqualTo(N);
        assertThat(m.shards()).isEqualTo(3);
        assertThat(logBytes.toString(StandardCharsets.UTF_8)).contains("ids checked (each of 6000 rows once)");
        float[] q = new float[50 * D];
        for (int i = 0; i < 50; i++) {
            System.arraycopy(rows[i * 97], 0, q, i * D, D);
        }
        try (FaissIndex single = FaissIndex.read(one, false); FaissIndex merged = FaissIndex.read(out, false)) {
            assertThat(merged.count()).isEqualTo(N);
            assertThat(merged.censusIds(N).exact()).isTrue();
            assertThat(merged.trainedFingerprint()).isEqualTo(m.fingerprint()).isEqualTo(single.trainedFingerprint());
            SearchResult a = single.search(q, 50, 10, SearchParams.ofNprobe(8));
            SearchResult b = merged.search(q, 50, 10, SearchParams.ofNprobe(8));
            assertThat(b).isEqualTo(a);
            int found = 0;
            for (int i = 0; i < 50; i++) {
                for (long id : b.ids(i)) {
                    found += id == i * 97L ? 1 : 0;
                }
            }
            assertThat(found).as("queries that find their own row in the top 10").isGreaterThanOrEqualTo(45);
        }
    }

    @Test
    void aShardGivenTwiceOrMissingFailsTheMergeAndWritesNothing() {
        Path a = shard(0, 3000);
        Path b = shard(3000, N);
        Path out = dir.resolve("merged.faiss");
        assertThatThrownBy(() -> IndexShards.merge(template, List.of(a, b, b), N, out, log))
                .isInstanceOf(PoolException.class)
                .hasMessageContaining("3000 duplicated")
                .hasMessageContaining("given twice");
        assertThat(out).doesNotExist();
        assertThatThrownBy(() -> IndexShards.merge(template, List.of(a), N, out, log))
                .isInstanceOf(PoolException.class)
                .hasMessageContaining("3000 missing");
        assertThat(out).doesNotExist();
        // a retried task that re-encoded rows another shard holds
        Path overlap = shard(2900, 3100);
        assertThatThrownBy(() -> IndexShards.merge(template, List.of(a, overlap, b), N, out, log))
                .isInstanceOf(PoolException.class)
                .hasMessageContaining("200 duplicated");
        assertThat(out).doesNotExist();
        assertThatThrownBy(() -> IndexShards.merge(template, List.of(a, dir.resolve("nope.faiss")), N, out, log))
                .isInstanceOf(PoolException.class)
                .hasMessageContaining("does not exist");
    }

    @Test
    void shardsOfAnotherTrainingOrWithIdsOutsideThePoolAreNamed() {
        Path a = shard(0, 3000);
        float[] sample = new float[N * D];
        float[][] other = clustered(N, 99);
        for (int i = 0; i < N; i++) {
            System.arraycopy(other[i], 0, sample, i * D, D);
        }
        Path otherTemplate = dir.resolve("other-template.faiss");
        IndexShards.writeTemplate(FACTORY, D, Metric.INNER_PRODUCT, sample, N, otherTemplate);
        Path foreign = dir.resolve("foreign.faiss");
        IndexShards.encode(otherTemplate, rowsOf(3000, N), 512, foreign);
        Path out = dir.resolve("merged.faiss");
        assertThatThrownBy(() -> IndexShards.merge(template, List.of(a, foreign), N, out, log))
                .isInstanceOf(PoolException.class)
                .hasMessageContaining(foreign.toString())
                .hasMessageContaining("training differs");
        Path beyond = dir.resolve("beyond.faiss");
        List<IndexShards.Row> shifted = new ArrayList<>();
        for (int i = 3000; i < N; i++) {
            shifted.add(new IndexShards.Row(i + 10, rows[i]));
        }
        IndexShards.encode(template, shifted.iterator(), 512, beyond);
        assertThatThrownBy(() -> IndexShards.merge(template, List.of(a, beyond), N, out, log))
                .isInstanceOf(PoolException.class)
                .hasMessageContaining(beyond.toString())
                .hasMessageContaining("10 out of range");
        assertThat(out).doesNotExist();
    }

    @Test
    void badRowsAndInterruptedEncodesLeaveNoShard() {
        Path out = dir.resolve("shard.faiss");
        Iterator<IndexShards.Row> wrong = List.of(new IndexShards.Row(0, new float[D - 1])).iterator();
        assertThatThrownBy(() -> IndexShards.encode(template, wrong, 8, out))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("components");
        Iterator<IndexShards.Row> negative = List.of(new IndexShards.Row(-1, rows[0])).iterator();
        assertThatThrownBy(() -> IndexShards.encode(template, negative, 8, out)).isInstanceOf(IllegalArgumentException.class);
        Iterator<IndexShards.Row> failing = new Iterator<>() {
            int i;

            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public IndexShards.Row next() {
                if (i == 700) {
                    throw new IllegalStateException("executor lost");
                }
                return new IndexShards.Row(i, rows[i++]);
            }
        };
        assertThatThrownBy(() -> IndexShards.encode(template, failing, 256, out)).hasMessageContaining("executor lost");
        assertThat(out).doesNotExist();
        assertThatThrownBy(() -> IndexShards.encode(out, rowsOf(0, 10), 8, dir.resolve("x.faiss")))
                .isInstanceOf(RuntimeException.class);
        // a shard is not a template
        Path s = shard(0, 100);
        assertThatThrownBy(() -> IndexShards.encode(s, rowsOf(100, 200), 8, dir.resolve("y.faiss")))
                .isInstanceOf(PoolException.class)
                .hasMessageContaining("not a trained, empty index");
    }

    private Path shard(int from, int to) {
        Path file = dir.resolve("shard-" + from + "-" + to + ".faiss");
        assertThat(IndexShards.encode(template, rowsOf(from, to), 333, file)).isEqualTo(to - from);
        return file;
    }

    private Iterator<IndexShards.Row> rowsOf(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> new IndexShards.Row(i, rows[i])).iterator();
    }

    /** Unit vectors around 40 random centres, so that IVF lists and PQ codes have structure to learn. */
    private static float[][] clustered(int n, long seed) {
        Random r = new Random(seed);
        float[][] centres = new float[40][D];
        for (float[] c : centres) {
            for (int j = 0; j < D; j++) {
                c[j] = (float) r.nextGaussian();
            }
        }
        float[][] out = new float[n][D];
        for (int i = 0; i < n; i++) {
            float[] c = centres[r.nextInt(centres.length)];
            double norm = 0;
            for (int j = 0; j < D; j++) {
                out[i][j] = c[j] + 0.3f * (float) r.nextGaussian();
                norm += out[i][j] * out[i][j];
            }
            float inv = (float) (1 / Math.sqrt(norm));
            for (int j = 0; j < D; j++) {
                out[i][j] *= inv;
            }
        }
        return out;
    }
}
