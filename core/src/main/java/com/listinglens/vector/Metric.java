package com.listinglens.vector;

/** Similarity measure of a {@link FaissIndex}. */
public enum Metric {
    /**
     * Inner product ({@code faiss::METRIC_INNER_PRODUCT}); larger scores are better. Equals cosine
     * similarity when vectors are L2-normalised.
     */
    INNER_PRODUCT(0),
    /** Squared Euclidean distance ({@code faiss::METRIC_L2}); smaller scores are better. */
    L2(1);

    private final int faissCode;

    Metric(int faissCode) {
        this.faissCode = faissCode;
    }

    /**
     * The cosine similarity of two unit vectors from their score under this metric: the inner product as it is; the
     * squared L2 distance {@code s} as {@code 1 - s / 2} (it is {@code 2 - 2 cos}).
     */
    public float cosine(float score) {
        return this == INNER_PRODUCT ? score : 1f - score / 2f;
    }

    /** The {@code faiss::MetricType} value. */
    int faissCode() {
        return faissCode;
    }

    static Metric fromFaissCode(int code) {
        for (Metric m : values()) {
            if (m.faissCode == code) {
                return m;
            }
        }
        throw new VectorIndexException("unsupported FAISS metric type " + code);
    }
}
