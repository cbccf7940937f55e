package com.listinglens.vector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Searches run concurrently; mutation and close exclude them. */
class FaissIndexConcurrencyTest {

    private static final int D = 32;

    @TempDir
    Path dir;

    private static FaissIndex filled(String factory, int n) {
        float[] x = TestVectors.random(n, D, 1);
        FaissIndex index = FaissIndex.create(factory, D, Metric.L2);
        if (!index.isTrained()) {
            index.train(x, n);
        }
        index.addWithIds(x, TestVectors.sequentialIds(n, 0));
        return index;
    }

    @ParameterizedTest
    @ValueSource(strings = {"IDMap,Flat", "IDMap,HNSW16", "IVF32,Flat"})
    void closeWhileFourThreadsSearch(String factory) throws Exception {
        float[] q = TestVectors.random(8, D, 2);
        for (int round = 0; round < 3; round++) {
            FaissIndex index = filled(factory, 3000);
            CountDownLatch started = new CountDownLatch(4);
            AtomicInteger searches = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<Throwable>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                results.add(pool.submit(() -> {
                    started.countDown();
                    try {
                        while (true) {
                            SearchResult r = index.search(q, 8, 10, new SearchParams(8, 32));
                            assertThat(r.count(0)).isEqualTo(10);
                            searches.incrementAndGet();
                        }
                    } catch (Throwable e) {
                        return e;
                    }
                }));
            }
            started.await();
            Thread.sleep(30 + 40 * round);
            index.close();
            for (Future<Throwable> f : results) {
                Throwable e = f.get(30, TimeUnit.SECONDS);
                assertThat(e).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
            }
            pool.shutdown();
            assertThat(searches.get()).isPositive();
            assertThatThrownBy(() -> index.search(q, 8, 10)).isInstanceOf(IllegalStateException.class);
            index.close();
        }
    }

    @Test
    void addAndWriteWhileSearching() throws Exception {
        float[] more = TestVectors.random(1000, D, 3);
        float[] q = TestVectors.random(4, D, 4);
        try (FaissIndex index = filled("IDMap,HNSW16", 1000)) {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> readers = new ArrayList<>();
                CountDownLatch done = new CountDownLatch(1);
                for (int t = 0; t < 3; t++) {
                    readers.add(pool.submit(() -> {
                        long last = 0;
                        while (done.getCount() > 0) {
                            long count = index.count();
                            assertThat(count).isGreaterThanOrEqualTo(last);
                            last = count;
                            SearchResult r = index.search(q, 4, 5);
                            assertThat(java.util.Arrays.stream(r.ids()).allMatch(id -> id >= 0 && id < 2000)).isTrue();
                        }
                        return null;
                    }));
                }
                Future<?> writer = pool.submit(() -> {
                    for (int b = 0; b < 10; b++) {
                        float[] batch = java.util.Arrays.copyOfRange(more, b * 100 * D, (b + 1) * 100 * D);
                        index.addWithIds(batch, TestVectors.sequentialIds(100, 1000 + b * 100));
                        index.write(dir.resolve("snapshot.faiss"));
                    }
                    return null;
                });
                writer.get(60, TimeUnit.SECONDS);
                done.countDown();
                for (Future<?> r : readers) {
                    r.get(60, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(index.count()).isEqualTo(2000);
        }
        try (FaissIndex snapshot = FaissIndex.read(dir.resolve("snapshot.faiss"), true)) {
            assertThat(snapshot.count()).isEqualTo(2000);
        }
    }

    @Test
    void liveIndexesCountsEveryNativeIndexUntilItIsFreed() throws Exception {
        long before = FaissIndex.liveIndexes();
        long reclaimedBefore = FaissIndex.reclaimedUnclosed();
        // an earlier test's unclosed leftovers may be freed by the Cleaner meanwhile: those are added back
        java.util.function.LongSupplier added = () -> FaissIndex.liveIndexes() - before
                + (FaissIndex.reclaimedUnclosed() - reclaimedBefore);
        FaissIndex a = filled("IDMap,Flat", 10);
        FaissIndex b = filled("IDMap,Flat", 10);
        assertThat(added.getAsLong()).isEqualTo(2);
        Path file = dir.resolve("live.faiss");
        a.write(file);
        try (FaissIndex read = FaissIndex.read(file, true)) {
            assertThat(read.count()).isEqualTo(10);
            assertThat(added.getAsLong()).as("a read index counts too").isEqualTo(3);
        }
        a.close();
        a.close();
        assertThat(added.getAsLong()).as("a second close frees nothing twice").isEqualTo(1);
        b.close();
        assertThat(added.getAsLong()).isZero();
    }

    @Test
    void unclosedIndexesAreReclaimed() throws Exception {
        long before = FaissIndex.reclaimedUnclosed();
        for (int i = 0; i < 50; i++) {
            FaissIndex.create("IDMap,Flat", D, Metric.L2).addWithIds(TestVectors.random(10, D, i),
                    TestVectors.sequentialIds(10, 0));
        }
        // no timing asserted: collections are asked for until the Cleaner has freed all 50 (or 30 s pass)
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (FaissIndex.reclaimedUnclosed() - before < 50 && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
        }
        // at least these 50 (another test's leftovers may be collected in the same collections)
        assertThat(FaissIndex.reclaimedUnclosed() - before).as("unclosed indexes freed by the Cleaner").isGreaterThanOrEqualTo(50);
        try (FaissIndex index = filled("IDMap,Flat", 10)) {
            assertThat(index.count()).isEqualTo(10);
        }
    }
}
