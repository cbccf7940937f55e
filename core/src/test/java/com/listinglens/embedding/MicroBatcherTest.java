package com.listinglens.embedding;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The micro-batcher on a fake model that records its calls: coalescing, order, the bound, failures. */
class MicroBatcherTest {

    /** A "model" whose embedding of a tensor is [tensor[0], 1]: rows are traceable to their input. */
    static final class FakeModel implements Embedder {
        final List<Integer> callSizes = java.util.Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger concurrent = new AtomicInteger();
        volatile CountDownLatch gate;
        volatile RuntimeException failWith;
        volatile boolean closed;

        @Override
        public ModelInfo info() {
            return null;
        }

        @Override
        public int dimension() {
            return 2;
        }

        @Override
        public float[][] embed(List<float[]> tensors) {
            concurrent.incrementAndGet();
            try {
                CountDownLatch g = gate;
                if (g != null) {
                    g.await(10, TimeUnit.SECONDS);
                }
                if (failWith != null) {
                    throw failWith;
                }
                callSizes.add(tensors.size());
                float[][] out = new float[tensors.size()][];
                for (int i = 0; i < out.length; i++) {
                    out[i] = new float[]{tensors.get(i)[0], 1};
                }
                return out;
            } catch (InterruptedException e) {
                throw new EmbeddingException("interrupted", e);
            } finally {
                concurrent.decrementAndGet();
            }
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    static List<float[]> photos(int from, int n) {
        List<float[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new float[]{from + i});
        }
        return out;
    }

    @Test
    void concurrentRequestsShareModelCallsAndEachGetsItsOwnRows() throws Exception {
        FakeModel model = new FakeModel();
        model.gate = new CountDownLatch(1);
        try (MicroBatcher b = new MicroBatcher(model, new MicroBatcher.Settings(8, 200_000, 64, 1, 1))) {
            ExecutorService pool = Executors.newFixedThreadPool(16);
            List<Future<float[][]>> results = new ArrayList<>();
            for (int r = 0; r < 16; r++) {
                int base = r * 100;
                results.add(pool.submit(() -> b.embed(photos(base, 1))));
            }
            Thread.sleep(300);
            model.gate.countDown();
            for (int r = 0; r < 16; r++) {
                float[][] rows = results.get(r).get(10, TimeUnit.SECONDS);
                assertThat(rows).hasNumberOfRows(1);
                // normalised [base, 1]: the first component's sign and ratio identify the request
                assertThat(rows[0][0] / rows[0][1]).isEqualTo(r * 100f);
            }
            pool.shutdownNow();
            // the first call took one request (nothing else was queued yet), later ones up to 8 photos each
            assertThat(model.callSizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(16);
            assertThat(model.callSizes.stream().mapToInt(Integer::intValue).max().orElse(0)).isEqualTo(8);
            assertThat(model.callSizes).allSatisfy(size -> assertThat(size).isLessThanOrEqualTo(8));
            assertThat(b.batches()).isLessThan(16);
            assertThat(b.batchedPhotos()).isEqualTo(16);
        }
        assertThat(model.closed).isTrue();
    }

    /**
     * With another worker idle, a lone request is embedded at once instead of waiting max-wait for company (the wait
     * here is 5 s: a request that waited would take that long); with every other worker busy the worker waits and
     * fills its batch.
     */
    @Test
    void aLoneRequestDoesNotWaitForCompanyWhileAnotherWorkerIsIdle() throws Exception {
        FakeModel model = new FakeModel();
        try (MicroBatcher b = new MicroBatcher(model, new MicroBatcher.Settings(8, 5_000_000, 64, 2, 1))) {
            long t0 = System.nanoTime();
            assertThat(b.embed(photos(1, 1))).hasNumberOfRows(1);
            assertThat(b.embed(photos(2, 1))).hasNumberOfRows(1);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(4));
            assertThat(b.unwaited()).isEqualTo(2);

            // one worker held in a model call: the other now waits for more and batches what comes
            model.gate = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            Future<float[][]> held = pool.submit(() -> b.embed(photos(10, 1)));
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (model.concurrent.get() < 1 && System.nanoTime() < until) {
                Thread.sleep(5);
            }
            assertThat(model.concurrent.get()).isEqualTo(1);
            List<Future<float[][]>> later = new ArrayList<>();
            for (int r = 0; r < 3; r++) {
                int base = 20 + r;
                later.add(pool.submit(() -> b.embed(photos(base, 1))));
                Thread.sleep(50);
            }
            model.gate.countDown();
            assertThat(held.get(10, TimeUnit.SECONDS)).hasNumberOfRows(1);
            for (Future<float[][]> f : later) {
                assertThat(f.get(10, TimeUnit.SECONDS)).hasNumberOfRows(1);
            }
            pool.shutdownNow();
            // the three later requests waited for each other: one call of 3 (the held one was a call of 1)
            assertThat(model.callSizes).contains(3);
            // the held request went at once too (the other worker was idle then); the three did not
            assertThat(b.unwaited()).isEqualTo(3);
        }
    }

    @Test
    void multiViewPhotosStayWholeAndInOrder() {
        FakeModel model = new FakeModel();
        try (MicroBatcher b = new MicroBatcher(model, new MicroBatcher.Settings(4, 1000, 8, 1, 1))) {
            // 3 photos of 2 views each: view tensors interleaved photo by photo
            List<float[]> tensors = List.of(new float[]{1}, new float[]{1}, new float[]{2}, new float[]{2}, new float[]{3}, new float[]{3});
            float[][] rows = b.embedViews(tensors, 2);
            assertThat(rows).hasNumberOfRows(3);
            assertThat(rows[2][0] / rows[2][1]).isEqualTo(3f);
            assertThatThrownBy(() -> b.embedViews(tensors.subList(0, 3), 2)).isInstanceOf(IllegalArgumentException.class);
            assertThat(b.embed(List.of())).isEmpty();
        }
    }

    @Test
    void aFullQueueRefusesAtOnceAndTheServiceRecovers() throws Exception {
        FakeModel model = new FakeModel();
        model.gate = new CountDownLatch(1);
        try (MicroBatcher b = new MicroBatcher(model, new MicroBatcher.Settings(1, 0, 2, 1, 3))) {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            // one request in the model (held at the gate), two waiting: the queue is full
            List<Future<float[][]>> held = new ArrayList<>();
            held.add(pool.submit(() -> b.embed(photos(1, 1))));
            while (model.concurrent.get() == 0) {
                Thread.sleep(5);
            }
            held.add(pool.submit(() -> b.embed(photos(2, 1))));
            held.add(pool.submit(() -> b.embed(photos(3, 1))));
            while (b.queued() < 2) {
                Thread.sleep(5);
            }
            assertThatThrownBy(() -> b.embed(photos(4, 1))).isInstanceOfSatisfying(MicroBatcher.OverloadedException.class,
                    e -> assertThat(e.retryAfterSeconds()).isEqualTo(3));
            assertThat(b.refused()).isEqualTo(1);
            model.gate.countDown();
            for (Future<float[][]> f : held) {
                assertThat(f.get(10, TimeUnit.SECONDS)).hasNumberOfRows(1);
            }
            assertThat(b.embed(photos(5, 1))).hasNumberOfRows(1);
            pool.shutdownNow();
        }
    }

    /**
     * A request whose deadline passes while the model is busy gives up with DeadlineExceededException at its
     * deadline (not when the model gets to it), and the model never spends time on it; the others are answered.
     */
    @Test
    void aRequestPastItsDeadlineGivesUpAndCostsTheModelNothing() throws Exception {
        FakeModel model = new FakeModel();
        model.gate = new CountDownLatch(1);
        try (MicroBatcher b = new MicroBatcher(model, new MicroBatcher.Settings(1, 0, 8, 1, 1))) {
            ExecutorService pool = Executors.newFixedThreadPool(2);
            Future<float[][]> first = pool.submit(() -> b.embed(photos(1, 1)));
            while (model.concurrent.get() == 0) {
                Thread.sleep(5);
            }
            com.listinglens.budget.Deadline soon = com.listinglens.budget.Deadline.after(java.time.Duration.ofMillis(150));
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> b.embedViews(photos(2, 1), 1, soon))
                    .isInstanceOfSatisfying(com.listinglens.budget.DeadlineExceededException.class, e -> {
                        assertThat(e.stage()).isEqualTo("waiting for the model");
                        assertThat(e.budgetMillis()).isEqualTo(150);
                        assertThat(e.getMessage()).contains("150 ms");
                    });
            long waitedMs = (System.nanoTime() - t0) / 1_000_000;
            assertThat(waitedMs).isGreaterThanOrEqualTo(140).isLessThan(5_000); // gave up at its deadline, not at 10 s
            assertThat(b.expired()).isEqualTo(1);
            model.gate.countDown();
            assertThat(first.get(10, TimeUnit.SECONDS)).hasNumberOfRows(1);
            assertThat(b.embed(photos(3, 1))).hasNumberOfRows(1);
            // photos 1 and 3 reached the model, photo 2 (abandoned in the queue) did not
            assertThat(model.callSizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(2);
            // an already expired deadline is refused before queueing
            com.listinglens.budget.Deadline past = com.listinglens.budget.Deadline.startingAt(System.nanoTime() - 1_000_000_000L,
                    java.time.Duration.ofMillis(10));
            assertThatThrownBy(() -> b.embedViews(photos(4, 1), 1, past))
                    .isInstanceOf(com.listinglens.budget.DeadlineExceededException.class);
            assertThat(model.callSizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(2);
            pool.shutdownNow();
        }
    }

    @Test
    void aModelFailureReachesEveryRequestOfItsBatchAndTheNextBatchWorks() {
        FakeModel model = new FakeModel();
        try (MicroBatcher b = new MicroBatcher(model, new MicroBatcher.Settings(8, 1000, 8, 2, 1))) {
            model.failWith = new EmbeddingException("model broke");
            assertThatThrownBy(() -> b.embed(photos(1, 2))).isInstanceOf(EmbeddingException.class).hasMessage("model broke");
            model.failWith = null;
            assertThat(b.embed(photos(1, 2))).hasNumberOfRows(2);
        }
    }

    @Test
    void afterCloseRequestsAreRefused() {
        FakeModel model = new FakeModel();
        MicroBatcher b = new MicroBatcher(model, new MicroBatcher.Settings(8, 1000, 8, 1, 1));
        b.close();
        assertThatThrownBy(() -> b.embed(photos(1, 1))).isInstanceOf(EmbeddingException.class).hasMessageContaining("shut down");
        assertThatThrownBy(() -> new MicroBatcher.Settings(0, 0, 1, 1, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
