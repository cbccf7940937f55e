package com.listinglens.embedding;

import com.listinglens.budget.Deadline;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Coalesces concurrent requests into model batches: a request's photos wait in a bounded queue; each worker (one per
 * model instance) takes the oldest request, then more as they come, for at most {@code maxWaitMicros} or until
 * {@code maxBatch} photos, embeds them in one call of the wrapped embedder, and hands every request its rows. A worker
 * waits for more only while every other worker is busy: where another is idle, the next request would be taken by it
 * at once, so waiting would only add the wait to this request's latency (at concurrency 1, every request's). When the
 * queue is full a request is refused at once ({@link OverloadedException}) instead of memory growing without bound.
 */
public final class MicroBatcher implements Embedder {

    /** The queue of requests waiting for the model is full: try again later. */
    public static final class OverloadedException extends RuntimeException {
        private final long retryAfterSeconds;

        OverloadedException(String message, long retryAfterSeconds) {
            super(message);
            this.retryAfterSeconds = retryAfterSeconds;
        }

        public long retryAfterSeconds() {
            return retryAfterSeconds;
        }
    }

    /** Batching settings: photos per model call, the longest wait for more, requests that may wait, workers. */
    public record Settings(int maxBatch, long maxWaitMicros, int queueCapacity, int workers, long retryAfterSeconds) {
        public Settings {
            if (maxBatch < 1 || maxWaitMicros < 0 || queueCapacity < 1 || workers < 1 || retryAfterSeconds < 1) {
                throw new IllegalArgumentException("batching needs max-batch >= 1, max-wait >= 0, queue-capacity >= 1, "
                        + "workers >= 1 and retry-after >= 1 s");
            }
        }
    }

    private record Job(List<float[]> tensors, int views, int photos, CompletableFuture<float[][]> result,
                       Deadline deadline) {
    }

    private final Embedder delegate;
    private final Settings settings;
    private final BlockingQueue<Job> queue;
    private final List<Thread> workers = new ArrayList<>();
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong batchedPhotos = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong expired = new AtomicLong();
    private final AtomicLong unwaited = new AtomicLong();
    /** Workers inside a model call now. */
    private final AtomicInteger running = new AtomicInteger();
    private volatile boolean closed;

    public MicroBatcher(Embedder delegate, Settings settings) {
        this.delegate = delegate;
        this.settings = settings;
        this.queue = new ArrayBlockingQueue<>(settings.queueCapacity());
        for (int i = 0; i < settings.workers(); i++) {
            Thread t = new Thread(this::work, "lens-batcher-" + i);
            t.setDaemon(true);
            t.start();
            workers.add(t);
        }
    }

    @Override
    public ModelInfo info() {
        return delegate.info();
    }

    @Override
    public int dimension() {
        return delegate.dimension();
    }

    @Override
    public float[][] embed(List<float[]> chwTensors) {
        return embedViews(chwTensors, 1);
    }

    @Override
    public float[][] embedViews(List<float[]> tensors, int views) {
        return embedViews(tensors, views, Deadline.NONE);
    }

    /**
     * Queues the photos and waits for their batch, at most until {@code deadline}: then the job is withdrawn (a
     * worker that has not started it skips it, so an abandoned request costs no model time) and
     * {@link com.listinglens.budget.DeadlineExceededException} is thrown.
     */
    @Override
    public float[][] embedViews(List<float[]> tensors, int views, Deadline deadline) {
        if (views < 1 || tensors.size() % views != 0) {
            throw new IllegalArgumentException(tensors.size() + " tensors are not " + views + " views of whole photos");
        }
        if (tensors.isEmpty()) {
            return new float[0][];
        }
        if (closed) {
            throw new EmbeddingException("the model is shut down");
        }
        deadline.check("waiting for the model");
        Job job = new Job(List.copyOf(tensors), views, tensors.size() / views, new CompletableFuture<>(), deadline);
        if (!queue.offer(job)) {
            refused.incrementAndGet();
            throw new OverloadedException("the model's queue is full (" + settings.queueCapacity() + " requests waiting); "
                    + "try again in " + settings.retryAfterSeconds() + " s", settings.retryAfterSeconds());
        }
        try {
            return deadline.bounded()
                    ? job.result().get(deadline.remainingNanos(), TimeUnit.NANOSECONDS)
                    : job.result().get();
        } catch (TimeoutException e) {
            job.result().cancel(false); // a worker that has not taken it yet skips it
            expired.incrementAndGet();
            throw deadline.exceeded("waiting for the model");
        } catch (CancellationException e) {
            throw deadline.exceeded("waiting for the model");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EmbeddingException("interrupted while waiting for the model", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new EmbeddingException("embedding failed: " + e.getCause(), e.getCause());
        }
    }

    private void work() {
        Job carried = null;
        while (true) {
            Job first;
            try {
                first = carried != null ? carried : queue.take();
            } catch (InterruptedException e) {
                return;
            }
            carried = null;
            if (abandoned(first)) {
                continue;
            }
            List<Job> batch = new ArrayList<>();
            batch.add(first);
            int photos = first.photos();
            // another worker idle: it takes the next request the moment it comes, so only what is queued already joins
            boolean otherIdle = running.get() < settings.workers() - 1;
            if (otherIdle && photos < settings.maxBatch()) {
                unwaited.incrementAndGet();
            }
            long deadline = System.nanoTime() + (otherIdle ? 0 : settings.maxWaitMicros() * 1000);
            while (photos < settings.maxBatch()) {
                Job next;
                try {
                    long left = deadline - System.nanoTime();
                    next = left <= 0 ? queue.poll() : queue.poll(left, TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    fail(batch, new EmbeddingException("the model is shut down"));
                    return;
                }
                if (next == null) {
                    break;
                }
                if (abandoned(next)) {
                    continue;
                }
                if (next.views() != first.views() || photos + next.photos() > settings.maxBatch()) {
                    carried = next;
                    break;
                }
                batch.add(next);
                photos += next.photos();
            }
            running.incrementAndGet();
            try {
                run(batch, photos);
            } finally {
                running.decrementAndGet();
            }
        }
    }

    /** A job whose caller gave up (cancelled) or whose deadline passed while it queued: not worth the model's time. */
    private boolean abandoned(Job job) {
        if (job.result().isDone()) {
            return true;
        }
        if (job.deadline().expired()) {
            expired.incrementAndGet();
            job.result().completeExceptionally(job.deadline().exceeded("waiting for the model"));
            return true;
        }
        return false;
    }

    private void run(List<Job> batch, int photos) {
        try {
            float[][] rows;
            if (batch.size() == 1) {
                rows = delegate.embedViews(batch.get(0).tensors(), batch.get(0).views());
            } else {
                List<float[]> all = new ArrayList<>();
                for (Job j : batch) {
                    all.addAll(j.tensors());
                }
                rows = delegate.embedViews(all, batch.get(0).views());
            }
            batches.incrementAndGet();
            batchedPhotos.addAndGet(photos);
            int at = 0;
            for (Job j : batch) {
                float[][] mine = new float[j.photos()][];
                System.arraycopy(rows, at, mine, 0, j.photos());
                at += j.photos();
                j.result().complete(mine);
            }
        } catch (RuntimeException | Error e) {
            fail(batch, e);
        }
    }

    private static void fail(List<Job> batch, Throwable e) {
        for (Job j : batch) {
            j.result().completeExceptionally(e);
        }
    }

    /** Batches started without waiting for more requests because another worker was idle. */
    public long unwaited() {
        return unwaited.get();
    }

    /** Model calls made so far. */
    public long batches() {
        return batches.get();
    }

    /** Photos embedded so far (over {@link #batches()}: the mean batch size). */
    public long batchedPhotos() {
        return batchedPhotos.get();
    }

    /** Requests refused because the queue was full. */
    public long refused() {
        return refused.get();
    }

    /** Requests whose deadline passed while they waited for the model (each counted once). */
    public long expired() {
        return expired.get();
    }

    /** Requests waiting now. */
    public int queued() {
        return queue.size();
    }

    public Settings settings() {
        return settings;
    }

    @Override
    public void close() {
        closed = true;
        for (Thread t : workers) {
            t.interrupt();
        }
        for (Thread t : workers) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        List<Job> left = new ArrayList<>();
        queue.drainTo(left);
        fail(left, new EmbeddingException("the model is shut down"));
        delegate.close();
    }
}
