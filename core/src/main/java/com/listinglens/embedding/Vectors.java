package com.listinglens.embedding;

/** Small float-vector helpers. */
public final class Vectors {

    private Vectors() {}

    public static double dot(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("length " + a.length + " != " + b.length);
        }
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    public static double norm(float[] a) {
        return Math.sqrt(dot(a, a));
    }

    /** Cosine similarity; 0 if either vector is zero. */
    public static double cosine(float[] a, float[] b) {
        double na = norm(a);
        double nb = norm(b);
        return na == 0 || nb == 0 ? 0 : dot(a, b) / (na * nb);
    }

    /** Scales {@code v} to unit length in place and returns it; throws if it is zero or not finite. */
    public static float[] l2NormalizeInPlace(float[] v) {
        double n = norm(v);
        if (!(n > 0) || Double.isInfinite(n)) {
            throw new IllegalArgumentException("cannot normalise a vector of norm " + n);
        }
        float inv = (float) (1.0 / n);
        for (int i = 0; i < v.length; i++) {
            v[i] *= inv;
        }
        return v;
    }
}
