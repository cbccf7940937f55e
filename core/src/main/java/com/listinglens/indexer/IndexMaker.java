package com.listinglens.indexer;

import com.listinglens.projection.Projection;
import com.listinglens.vector.FaissIndex;
import com.listinglens.vector.Metric;

import java.nio.file.Path;

/**
 * Makes the pool's index file {@code out} from {@code n} rows of {@code vectors} (already projected, dimension
 * {@code dimension}); ids are the rows. {@code trainRows}: the rows the index policy trains on (0 when the factory
 * was given, not chosen). {@link #LOCAL} trains and adds in this process; the Spark job trains a template here on
 * a sample and encodes shards on its executors ({@code projection}: what they apply to the model's embeddings
 * first, null for none). {@link PoolBuilder#finish} calls it once, between choosing the index and writing the listings.
 */
@FunctionalInterface
public interface IndexMaker {

    /** Trains (when the index needs it) on every row and adds them all, here (as the single-machine build always has). */
    IndexMaker LOCAL = (factory, dimension, metric, vectors, n, trainRows, projection, out) -> {
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) {
            ids[i] = i;
        }
        try (FaissIndex index = FaissIndex.create(factory, dimension, metric)) {
            if (!index.isTrained()) {
                index.train(vectors, n);
            }
            index.addWithIds(vectors, ids);
            index.write(out);
        }
    };

    void make(String factory, int dimension, Metric metric, float[] vectors, int n, int trainRows, Projection projection,
              Path out);
}
