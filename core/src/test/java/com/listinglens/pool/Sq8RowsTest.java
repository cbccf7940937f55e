package com.listinglens.pool;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class Sq8RowsTest {

    static final int D = 24;

    @TempDir
    Path dir;

    /** n unit rows, dimension i scaled by (i + 1) / D before normalising so that dimensions have different ranges. */
    static float[] rows(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] out = new float[n * D];
        for (int r = 0; r < n; r++) {
            double norm = 0;
            for (int i = 0; i < D; i++) {
                double x = rng.nextGaussian() * (i + 1) / D;
                out[r * D + i] = (float) x;
                norm += x * x;
            }
            for (int i = 0; i < D; i++) {
                out[r * D + i] /= (float) Math.sqrt(norm);
            }
        }
        return out;
    }

    Path fp32(String name, float[] v) throws IOException {
        return fp32(dir, name, v);
    }

    /** {@code v} as little-endian fp32 rows ({@link PoolFiles#INDEX_VECTORS}'s layout) in {@code dir}. */
    static Path fp32(Path dir, String name, float[] v) throws IOException {
        Path f = dir.resolve(name);
        ByteBuffer bytes = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            bytes.putFloat(x);
        }
        return Files.write(f, bytes.array());
    }

    @Test
    void everyComponentDecodesWithinHalfAStepAndDotsMatchTheDecodedRows() throws Exception {
        int n = 2000;
        float[] v = rows(n, 1);
        Path out = dir.resolve("rows.sq8");
        List<Long> progress = new ArrayList<>();
        // more rows than one encoding block would not fit a test; 2000 rows still cross a partial block
        Sq8Rows.encode(fp32("rows.f32", v), n, D, out, progress::add);
        assertThat(progress.stream().mapToLong(Long::longValue).sum()).isEqualTo(2L * n);
        assertThat(Files.size(out)).isEqualTo(Sq8Rows.fileBytes(n, D)).isEqualTo(Sq8Rows.rowsOffset(D) + (long) n * D);
        float[] lo = new float[D];
        float[] hi = new float[D];
        java.util.Arrays.fill(lo, Float.MAX_VALUE);
        java.util.Arrays.fill(hi, -Float.MAX_VALUE);
        for (int j = 0; j < v.length; j++) {
            lo[j % D] = Math.min(lo[j % D], v[j]);
            hi[j % D] = Math.max(hi[j % D], v[j]);
        }
        float[] q = rows(1, 99);
        try (Sq8Rows sq8 = Sq8Rows.open(out, n, D)) {
            assertThat(sq8.count()).isEqualTo(n);
            assertThat(sq8.dimension()).isEqualTo(D);
            float[] prepared = sq8.prepare(q);
            float[] row = new float[D];
            double worstDot = 0;
            for (int r = 0; r < n; r++) {
                sq8.row(r, row);
                double decodedDot = 0;
                double exactDot = 0;
                double bound = 0;
                for (int i = 0; i < D; i++) {
                    double halfStep = (hi[i] - lo[i]) / 512.0;
                    assertThat((double) Math.abs(row[i] - v[r * D + i])).isLessThanOrEqualTo(halfStep * 1.001 + 1e-7);
                    decodedDot += row[i] * q[i];
                    exactDot += v[r * D + i] * q[i];
                    bound += Math.abs(q[i]) * halfStep;
                }
                assertThat((double) sq8.dot(r, prepared)).isCloseTo(decodedDot, org.assertj.core.data.Offset.offset(1e-5));
                assertThat(Math.abs(decodedDot - exactDot)).isLessThanOrEqualTo(bound * 1.001 + 1e-6);
                worstDot = Math.max(worstDot, Math.abs(decodedDot - exactDot));
            }
            // 8 bits over a range of about 1: inner products move by a few 1e-3 at most
            assertThat(worstDot).isGreaterThan(0).isLessThan(0.01);
        }
    }

    @Test
    void theExtremesOfEachDimensionKeepTheirCodes() {
        assertThat(Sq8Rows.code(-1f, -1f, 2f / 256)).isZero();
        assertThat(Sq8Rows.code(1f, -1f, 2f / 256)).isEqualTo(255);
        assertThat(Sq8Rows.code(5f, -1f, 2f / 256)).isEqualTo(255);
        assertThat(Sq8Rows.code(-5f, -1f, 2f / 256)).isZero();
        assertThat(Sq8Rows.code(0f, -1f, 2f / 256)).isEqualTo(128);
    }

    @Test
    void aConstantDimensionAndAnEmptyPoolEncode() throws Exception {
        float[] v = new float[3 * D];
        for (int r = 0; r < 3; r++) {
            v[r * D] = 1;
        }
        Path out = dir.resolve("c.sq8");
        Sq8Rows.encode(fp32("c.f32", v), 3, D, out, x -> { });
        try (Sq8Rows sq8 = Sq8Rows.open(out, 3, D)) {
            float[] q = new float[D];
            q[0] = 1;
            assertThat(sq8.dot(2, sq8.prepare(q))).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-6f));
        }
        Path empty = dir.resolve("e.sq8");
        Sq8Rows.encode(fp32("e.f32", new float[0]), 0, D, empty, x -> { });
        try (Sq8Rows sq8 = Sq8Rows.open(empty, 0, D)) {
            assertThat(sq8.count()).isZero();
            assertThatThrownBy(() -> sq8.dot(0, sq8.prepare(new float[D]))).isInstanceOf(IndexOutOfBoundsException.class);
        }
    }

    @Test
    void badInputIsRefusedBeforeAnythingIsRead() throws Exception {
        float[] v = rows(10, 3);
        Path f32 = fp32("r.f32", v);
        Path out = dir.resolve("r.sq8");
        // the fp32 file must hold exactly count x dimension floats
        assertThatThrownBy(() -> Sq8Rows.encode(f32, 11, D, out, x -> { })).isInstanceOf(PoolException.class)
                .hasMessageContaining("need " + 11 * D * 4);
        assertThatThrownBy(() -> Sq8Rows.encode(f32, 10, 0, out, x -> { })).isInstanceOf(IllegalArgumentException.class);
        float[] bad = v.clone();
        bad[5 * D + 3] = Float.NaN;
        assertThatThrownBy(() -> Sq8Rows.encode(fp32("nan.f32", bad), 10, D, dir.resolve("nan.sq8"), x -> { }))
                .isInstanceOf(PoolException.class).hasMessageContaining("row 5 is not finite");

        Sq8Rows.encode(f32, 10, D, out, x -> { });
        assertThatThrownBy(() -> Sq8Rows.open(out, 9, D)).isInstanceOf(PoolException.class).hasMessageContaining("need");
        assertThatThrownBy(() -> Sq8Rows.open(out, 10, D + 1)).isInstanceOf(PoolException.class);
        // the right size with another header: not this format
        byte[] bytes = Files.readAllBytes(out);
        bytes[0] = 'X';
        Path corrupt = Files.write(dir.resolve("corrupt.sq8"), bytes);
        assertThatThrownBy(() -> Sq8Rows.open(corrupt, 10, D)).isInstanceOf(PoolException.class).hasMessageContaining("format");
        byte[] noRange = Files.readAllBytes(out);
        ByteBuffer.wrap(noRange).order(ByteOrder.LITTLE_ENDIAN).putFloat(Sq8Rows.HEADER_BYTES + 4 * D, 0f);
        Path zeroStep = Files.write(dir.resolve("zero.sq8"), noRange);
        assertThatThrownBy(() -> Sq8Rows.open(zeroStep, 10, D)).isInstanceOf(PoolException.class).hasMessageContaining("dimension 0");

        try (Sq8Rows sq8 = Sq8Rows.open(out, 10, D)) {
            assertThatThrownBy(() -> sq8.prepare(new float[D - 1])).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> sq8.dot(0, new float[D])).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> sq8.dot(10, sq8.prepare(new float[D]))).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> sq8.dot(-1, sq8.prepare(new float[D]))).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> sq8.row(0, new float[D + 1])).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
