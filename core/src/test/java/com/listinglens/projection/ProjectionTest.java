package com.listinglens.projection;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.CholeskyDecomposition_F64;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ProjectionTest {

    /** Labelled rows, row-major. */
    record Data(float[] x, int[] y, int n, int dim, int classes) {
    }

    /**
     * Gaussian classes: each mean {@code separation} from the others' centre, along one of a few shared directions
     * mixed with one of its own (classes sharing a direction are closer), a large offset common to all (embeddings are
     * far from the origin), heavy isotropic noise (its norm twice the separation), and a few nuisance directions of
     * much larger variance than the class differences (what lighting or background does to image embeddings): the
     * within-class spread that LDA learns to discount.
     */
    static final class Generator {
        final int dim;
        final int classes;
        final double[][] means;
        final double[][] nuisance;
        final double[] offset;
        final double noise;
        final double nuisanceScale;

        Generator(long seed, int dim, int classes, int meanDirections, double separation, double noise,
                  int nuisanceDirections, double nuisanceScale) {
            Random r = new Random(seed);
            this.dim = dim;
            this.classes = classes;
            this.noise = noise;
            this.nuisanceScale = nuisanceScale;
            double[][] directions = new double[meanDirections][];
            for (int i = 0; i < meanDirections; i++) {
                directions[i] = unit(r, dim);
            }
            means = new double[classes][dim];
            for (int c = 0; c < classes; c++) {
                double[] d = directions[c % meanDirections];
                double[] own = unit(r, dim);
                for (int j = 0; j < dim; j++) {
                    means[c][j] = separation * (d[j] + own[j]) / Math.sqrt(2);
                }
            }
            nuisance = new double[nuisanceDirections][];
            for (int i = 0; i < nuisanceDirections; i++) {
                nuisance[i] = unit(r, dim);
            }
            offset = unit(r, dim);
            for (int j = 0; j < dim; j++) {
                offset[j] *= 4 * separation;
            }
        }

        Data sample(long seed, int perClass) {
            Random r = new Random(seed);
            int n = perClass * classes;
            float[] x = new float[n * dim];
            int[] y = new int[n];
            for (int i = 0; i < n; i++) {
                int c = i % classes;
                y[i] = c;
                double[] row = new double[dim];
                for (int j = 0; j < dim; j++) {
                    row[j] = offset[j] + means[c][j] + noise * r.nextGaussian();
                }
                for (double[] d : nuisance) {
                    double a = nuisanceScale * r.nextGaussian();
                    for (int j = 0; j < dim; j++) {
                        row[j] += a * d[j];
                    }
                }
                for (int j = 0; j < dim; j++) {
                    x[i * dim + j] = (float) row[j];
                }
            }
            return new Data(x, y, n, dim, classes);
        }

        private static double[] unit(Random r, int dim) {
            double[] v = new double[dim];
            double norm = 0;
            for (int j = 0; j < dim; j++) {
                v[j] = r.nextGaussian();
                norm += v[j] * v[j];
            }
            for (int j = 0; j < dim; j++) {
                v[j] /= Math.sqrt(norm);
            }
            return v;
        }
    }

    private static final Generator GAUSSIANS = new Generator(7, 64, 8, 3, 4.0, 1.0, 2, 6.0);

    // ---------------------------------------------------------------------------------------------------- learning

    @Test
    void ldaSeparatesGaussianClasses() {
        for (long seed = 7; seed <= 9; seed++) {
            Generator g = new Generator(seed, 64, 8, 3, 4.0, 1.0, 2, 6.0);
            double[] accuracy = beforeAndAfter(g);
            assertThat(accuracy[0]).as("seed %d: cosine nearest centroid on the raw vectors", seed).isLessThan(0.75);
            assertThat(accuracy[1]).as("seed %d: after LDA (before: %.3f)", seed, accuracy[0])
                    .isGreaterThan(0.85).isGreaterThan(accuracy[0] + 0.15);
        }
        // with isotropic noise alone the raw cosine is already near the best a linear map can do: LDA keeps it
        double[] isotropic = beforeAndAfter(new Generator(7, 64, 8, 3, 4.0, 1.0, 0, 0));
        assertThat(isotropic[1]).as("isotropic noise only (before: %.3f)", isotropic[0]).isGreaterThan(isotropic[0] - 0.08);
    }

    /** Cosine nearest-centroid accuracy on held-out rows before and after a 7-dimensional LDA (8 classes). */
    private static double[] beforeAndAfter(Generator g) {
        Data train = g.sample(1, 60);
        Data test = g.sample(2, 60);
        Projection p = Projection.lda(train.x(), train.n(), train.dim(), train.y(), 7, 1e-3);
        double before = nearestCentroidAccuracy(normalizeRows(train.x(), train.n(), train.dim()), train.y(),
                normalizeRows(test.x(), test.n(), test.dim()), test.y(), train.dim(), train.classes());
        float[] trainOut = new float[train.n() * 7];
        float[] testOut = new float[test.n() * 7];
        p.apply(train.x(), train.n(), trainOut);
        p.apply(test.x(), test.n(), testOut);
        double after = nearestCentroidAccuracy(trainOut, train.y(), testOut, test.y(), 7, train.classes());
        return new double[]{before, after};
    }

    @Test
    void solvesTheGeneralizedEigenproblem() {
        Data d = GAUSSIANS.sample(3, 40);
        double shrinkage = 0.05;
        int k = 5;
        Projection p = Projection.lda(d.x(), d.n(), d.dim(), d.y(), k, shrinkage);
        int dim = d.dim();
        DMatrixRMaj[] scatter = scatters(d, shrinkage);
        DMatrixRMaj sw = scatter[0];
        DMatrixRMaj sb = scatter[1];
        DMatrixRMaj w = new DMatrixRMaj(dim, k);
        float[] weights = p.weights();
        for (int i = 0; i < weights.length; i++) {
            w.data[i] = weights[i];
        }
        DMatrixRMaj wSwW = sandwich(w, sw);
        DMatrixRMaj wSbW = sandwich(w, sb);

        // the reference: every eigenvalue of L⁻¹ Sb L⁻ᵀ from a full dim × dim decomposition
        CholeskyDecomposition_F64<DMatrixRMaj> chol = DecompositionFactory_DDRM.chol(dim, true);
        assertThat(chol.decompose(sw.copy())).isTrue();
        DMatrixRMaj lInv = chol.getT(null);
        CommonOps_DDRM.invert(lInv);
        DMatrixRMaj tmp = new DMatrixRMaj(dim, dim);
        DMatrixRMaj m = new DMatrixRMaj(dim, dim);
        CommonOps_DDRM.mult(lInv, sb, tmp);
        CommonOps_DDRM.multTransB(tmp, lInv, m);
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(dim, false, true);
        assertThat(eig.decompose(m)).isTrue();
        double[] reference = new double[dim];
        for (int i = 0; i < dim; i++) {
            reference[i] = eig.getEigenvalue(i).getReal();
        }
        Arrays.sort(reference);

        for (int a = 0; a < k; a++) {
            for (int b = 0; b < k; b++) {
                assertThat(wSwW.get(a, b)).as("Wᵀ Sw W [%d,%d]", a, b).isCloseTo(a == b ? 1 : 0, within(1e-4));
                if (a != b) {
                    assertThat(wSbW.get(a, b)).as("Wᵀ Sb W [%d,%d]", a, b).isCloseTo(0, within(1e-4));
                }
            }
            double lambda = wSbW.get(a, a);
            assertThat(lambda).as("eigenvalue %d", a).isCloseTo(reference[dim - 1 - a], within(1e-4 * reference[dim - 1]));
            if (a > 0) {
                assertThat(lambda).isLessThanOrEqualTo(wSbW.get(a - 1, a - 1) + 1e-6);
            }
        }
        // the 40- and 80-dim maps of the service share their leading directions: W of a smaller k is a prefix
        Projection smaller = Projection.lda(d.x(), d.n(), d.dim(), d.y(), 3, shrinkage);
        float[] ws = smaller.weights();
        for (int i = 0; i < dim; i++) {
            for (int j = 0; j < 3; j++) {
                assertThat(ws[i * 3 + j]).isEqualTo(weights[i * k + j]);
            }
        }
    }

    @Test
    void outputIsUnitNormWithTheOutputDimension() {
        Data d = GAUSSIANS.sample(4, 30);
        Projection p = Projection.lda(d.x(), d.n(), d.dim(), d.y(), 4, 1e-2);
        assertThat(p.inputDimension()).isEqualTo(64);
        assertThat(p.outputDimension()).isEqualTo(4);
        assertThat(p.method()).isEqualTo("lda");

        float[][] rows = new float[d.n()][];
        for (int i = 0; i < d.n(); i++) {
            rows[i] = Arrays.copyOfRange(d.x(), i * d.dim(), (i + 1) * d.dim());
        }
        float[][] each = p.apply(rows);
        float[] flat = new float[d.n() * 4];
        p.apply(d.x(), d.n(), flat);
        for (int i = 0; i < d.n(); i++) {
            float[] one = p.apply(rows[i]);
            assertThat(one).hasSize(4);
            double norm = 0;
            for (float v : one) {
                norm += v * v;
            }
            assertThat(Math.sqrt(norm)).isCloseTo(1, within(1e-5));
            assertThat(each[i]).containsExactly(one);
            assertThat(Arrays.copyOfRange(flat, i * 4, i * 4 + 4)).containsExactly(one);
        }
        // the input is copied: changing the caller's arrays changes nothing
        float[] first = p.apply(rows[0]);
        Arrays.fill(d.x(), 0f);
        assertThat(p.apply(rows[0])).containsExactly(first);
        // learning is deterministic
        Data again = GAUSSIANS.sample(4, 30);
        assertThat(Projection.lda(again.x(), again.n(), again.dim(), again.y(), 4, 1e-2).sha256()).isEqualTo(p.sha256());
    }

    @Test
    void withoutShrinkageASingularScatterIsRefused() {
        Data d = GAUSSIANS.sample(5, 4); // 32 rows in 64 dimensions: Sw has rank 24
        assertThatThrownBy(() -> Projection.lda(d.x(), d.n(), d.dim(), d.y(), 3, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("raise the shrinkage");
        assertThat(Projection.lda(d.x(), d.n(), d.dim(), d.y(), 3, 0.1).outputDimension()).isEqualTo(3);
        Data big = GAUSSIANS.sample(6, 40);
        assertThat(Projection.lda(big.x(), big.n(), big.dim(), big.y(), 3, 0).outputDimension()).isEqualTo(3);
    }

    @Test
    void refusesBadArguments() {
        Data d = GAUSSIANS.sample(8, 10);
        float[] x = d.x();
        int[] y = d.y();
        int n = d.n();
        int dim = d.dim();
        assertRefused(() -> Projection.lda(x, n, dim, y, 8, 1e-3), "output dimension"); // C - 1 = 7
        assertRefused(() -> Projection.lda(x, n, dim, y, 0, 1e-3), "output dimension");
        int[] negative = y.clone();
        negative[5] = -1;
        assertRefused(() -> Projection.lda(x, n, dim, negative, 3, 1e-3), "negative");
        int[] gap = y.clone();
        for (int i = 0; i < n; i++) {
            if (gap[i] == 3) {
                gap[i] = 2;
            }
        }
        assertRefused(() -> Projection.lda(x, n, dim, gap, 3, 1e-3), "class 3 has no rows");
        int[] beyond = Arrays.copyOf(y, 4);
        beyond[3] = 9; // 4 rows, labels up to 9: 10 classes
        assertRefused(() -> Projection.lda(Arrays.copyOf(x, 4 * dim), 4, dim, beyond, 1, 1e-3), "at least one row per class");
        assertRefused(() -> Projection.lda(x, n, dim, new int[n], 1, 1e-3), "two classes");
        float[] nan = x.clone();
        nan[3 * dim + 7] = Float.NaN;
        assertRefused(() -> Projection.lda(nan, n, dim, y, 3, 1e-3), "row 3, component 7 is not finite");
        float[] inf = x.clone();
        inf[0] = Float.POSITIVE_INFINITY;
        assertRefused(() -> Projection.lda(inf, n, dim, y, 3, 1e-3), "not finite");
        assertRefused(() -> Projection.lda(x, n, dim + 1, y, 3, 1e-3), "n × dim");
        assertRefused(() -> Projection.lda(x, n, dim, Arrays.copyOf(y, n - 1), 3, 1e-3), "labels");
        assertRefused(() -> Projection.lda(x, n, dim, y, 3, -0.1), "shrinkage");
        assertRefused(() -> Projection.lda(x, n, dim, y, 3, 1.5), "shrinkage");
        assertRefused(() -> Projection.lda(x, n, dim, y, 3, Double.NaN), "shrinkage");
        assertRefused(() -> Projection.lda(null, n, dim, y, 3, 1e-3), "required");

        // every class mean on one line: one discriminant direction only
        float[] line = new float[3 * 2 * 4];
        int[] three = new int[12];
        Random r = new Random(3);
        for (int i = 0; i < 12; i++) {
            three[i] = i % 3;
            line[i * 2] = three[i] * 10 + (float) r.nextGaussian();
            line[i * 2 + 1] = (float) r.nextGaussian();
        }
        for (int c = 0; c < 3; c++) { // make the class means differ along the first axis only
            double s = 0;
            for (int i = c; i < 12; i += 3) {
                s += line[i * 2 + 1];
            }
            for (int i = c; i < 12; i += 3) {
                line[i * 2 + 1] -= (float) (s / 4);
            }
        }
        assertThat(Projection.lda(line, 12, 2, three, 1, 0).outputDimension()).isEqualTo(1);
        assertRefused(() -> Projection.lda(line, 12, 2, three, 2, 0), "discriminant directions");

        Projection p = Projection.lda(x, n, dim, y, 3, 1e-3);
        assertRefused(() -> p.apply(new float[dim - 1]), "components");
        assertRefused(() -> p.apply((float[]) null), "required");
        float[] bad = new float[dim];
        bad[9] = Float.NaN;
        assertRefused(() -> p.apply(bad), "component 9 is not finite");
        assertRefused(() -> p.apply(new float[][]{new float[dim], bad}), "vector 1, component 9");
        assertRefused(() -> p.apply(new float[2 * dim], 2, new float[5]), "out has");
        assertRefused(() -> p.apply(new float[2 * dim], 3, new float[9]), "rows has");
    }

    // ---------------------------------------------------------------------------------------------------- files

    @Test
    void writeThenReadGivesTheSameMap(@TempDir Path dir) throws Exception {
        Data d = GAUSSIANS.sample(9, 20);
        Projection p = Projection.lda(d.x(), d.n(), d.dim(), d.y(), 5, 1e-2);
        Path file = dir.resolve("sub/projection.llpj");
        p.write(file);
        // readable by the service's user, not only the builder's (the temporary file it was written to is private)
        assertThat(Files.getPosixFilePermissions(file)).contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ);
        byte[] bytes = Files.readAllBytes(file);
        assertThat(bytes).hasSize(20 + 3 + 4 * 64 + 4 * 64 * 5 + 4);
        assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes))).isEqualTo(p.sha256());

        Projection back = Projection.read(file);
        assertThat(back.method()).isEqualTo("lda");
        assertThat(back.inputDimension()).isEqualTo(64);
        assertThat(back.outputDimension()).isEqualTo(5);
        assertThat(back.sha256()).isEqualTo(p.sha256());
        assertThat(back.mean()).containsExactly(p.mean());
        assertThat(back.weights()).containsExactly(p.weights());
        float[] a = new float[d.n() * 5];
        float[] b = new float[d.n() * 5];
        p.apply(d.x(), d.n(), a);
        back.apply(d.x(), d.n(), b);
        assertThat(b).containsExactly(a);

        // overwriting replaces the file and leaves no temporary file behind
        Projection other = Projection.lda(d.x(), d.n(), d.dim(), d.y(), 2, 1e-2);
        other.write(file);
        assertThat(Projection.read(file).outputDimension()).isEqualTo(2);
        try (Stream<Path> files = Files.list(file.getParent())) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactly("projection.llpj");
        }
    }

    @Test
    void refusesCorruptTruncatedAndForeignFiles(@TempDir Path dir) throws IOException {
        Data d = GAUSSIANS.sample(10, 20);
        Projection p = Projection.lda(d.x(), d.n(), d.dim(), d.y(), 3, 1e-2);
        byte[] good = p.toBytes();
        int meanAt = 20 + 3;

        assertRefused(dir, good, null);
        byte[] flipped = good.clone();
        flipped[meanAt + 4 * 64 + 17] ^= 0x10;
        assertRefused(dir, flipped, "checksum mismatch");
        assertRefused(dir, Arrays.copyOf(good, good.length - 1), "truncated");
        assertRefused(dir, Arrays.copyOf(good, good.length / 2), "truncated");
        assertRefused(dir, Arrays.copyOf(good, 12), "truncated");
        assertRefused(dir, new byte[0], "not a projection file");
        assertRefused(dir, Arrays.copyOf(good, good.length + 3), "unexpected bytes");
        byte[] magic = good.clone();
        magic[0] = 'X';
        assertRefused(dir, magic, "not a projection file");
        assertRefused(dir, "{\"not\": \"a projection\"}\n".getBytes(), "not a projection file");
        assertRefused(dir, withCrc(patchInt(good, 4, 2)), "unsupported format version 2");
        assertRefused(dir, withCrc(patchInt(good, 8, 0)), "input dimension 0");
        assertRefused(dir, withCrc(patchInt(good, 12, 65)), "output dimension 65");
        assertRefused(dir, withCrc(patchInt(good, 12, 4)), "truncated");
        assertRefused(dir, withCrc(patchInt(good, 16, 0)), "method name length");
        byte[] method = good.clone();
        method[20] = 'L';
        assertRefused(dir, withCrc(method), "method name");
        byte[] nan = good.clone();
        ByteBuffer.wrap(nan).order(ByteOrder.LITTLE_ENDIAN).putFloat(meanAt + 4 * 64 + 8, Float.NaN);
        assertRefused(dir, withCrc(nan), "W[2] is not finite");
        byte[] infMean = good.clone();
        ByteBuffer.wrap(infMean).order(ByteOrder.LITTLE_ENDIAN).putFloat(meanAt, Float.NEGATIVE_INFINITY);
        assertRefused(dir, withCrc(infMean), "mean[0] is not finite");

        assertThatThrownBy(() -> Projection.read(dir.resolve("missing.llpj"))).isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("missing.llpj");
    }

    // ---------------------------------------------------------------------------------------------------- helpers

    private static void assertRefused(Path dir, byte[] bytes, String message) throws IOException {
        Path file = Files.createTempFile(dir, "p", ".llpj");
        Files.write(file, bytes);
        if (message == null) {
            assertThat(Projection.read(file).outputDimension()).isEqualTo(3);
            return;
        }
        assertThatThrownBy(() -> Projection.read(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message).hasMessageContaining(file.toString());
    }

    private static void assertRefused(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String message) {
        assertThatThrownBy(call).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
    }

    private static byte[] patchInt(byte[] bytes, int at, int value) {
        byte[] out = bytes.clone();
        ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putInt(at, value);
        return out;
    }

    /** Recomputes the trailing checksum, so that the check under test is the one that fails. */
    private static byte[] withCrc(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(bytes.length - 4, (int) crc.getValue());
        return bytes;
    }

    private static float[] normalizeRows(float[] x, int n, int dim) {
        float[] out = x.clone();
        for (int i = 0; i < n; i++) {
            double norm = 0;
            for (int j = 0; j < dim; j++) {
                norm += out[i * dim + j] * out[i * dim + j];
            }
            for (int j = 0; j < dim; j++) {
                out[i * dim + j] /= (float) Math.sqrt(norm);
            }
        }
        return out;
    }

    /** Cosine nearest centroid: centroids of the (unit) training rows, each test row to the most similar. */
    private static double nearestCentroidAccuracy(float[] train, int[] trainY, float[] test, int[] testY, int dim, int classes) {
        double[][] centroids = new double[classes][dim];
        for (int i = 0; i < trainY.length; i++) {
            for (int j = 0; j < dim; j++) {
                centroids[trainY[i]][j] += train[i * dim + j];
            }
        }
        for (double[] c : centroids) {
            double norm = Math.sqrt(Arrays.stream(c).map(v -> v * v).sum());
            for (int j = 0; j < dim; j++) {
                c[j] /= norm;
            }
        }
        int right = 0;
        for (int i = 0; i < testY.length; i++) {
            int best = -1;
            double bestSim = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                double s = 0;
                for (int j = 0; j < dim; j++) {
                    s += centroids[c][j] * test[i * dim + j];
                }
                if (s > bestSim) {
                    bestSim = s;
                    best = c;
                }
            }
            if (best == testY[i]) {
                right++;
            }
        }
        return (double) right / testY.length;
    }

    /** The shrunk within-class and the between-class scatter, as documented on {@link Projection#lda}. */
    private static DMatrixRMaj[] scatters(Data d, double shrinkage) {
        int dim = d.dim();
        double[] mean = new double[dim];
        double[][] classMeans = new double[d.classes()][dim];
        int[] counts = new int[d.classes()];
        for (int i = 0; i < d.n(); i++) {
            counts[d.y()[i]]++;
            for (int j = 0; j < dim; j++) {
                mean[j] += d.x()[i * dim + j] / (double) d.n();
                classMeans[d.y()[i]][j] += d.x()[i * dim + j];
            }
        }
        for (int c = 0; c < d.classes(); c++) {
            for (int j = 0; j < dim; j++) {
                classMeans[c][j] /= counts[c];
            }
        }
        DMatrixRMaj sw = new DMatrixRMaj(dim, dim);
        DMatrixRMaj sb = new DMatrixRMaj(dim, dim);
        for (int i = 0; i < d.n(); i++) {
            double[] m = classMeans[d.y()[i]];
            for (int a = 0; a < dim; a++) {
                for (int b = 0; b < dim; b++) {
                    sw.add(a, b, (d.x()[i * dim + a] - m[a]) * (d.x()[i * dim + b] - m[b]) / d.n());
                }
            }
        }
        double trace = CommonOps_DDRM.trace(sw);
        CommonOps_DDRM.scale(1 - shrinkage, sw);
        for (int j = 0; j < dim; j++) {
            sw.add(j, j, shrinkage * trace / dim);
        }
        for (int c = 0; c < d.classes(); c++) {
            for (int a = 0; a < dim; a++) {
                for (int b = 0; b < dim; b++) {
                    sb.add(a, b, counts[c] / (double) d.n() * (classMeans[c][a] - mean[a]) * (classMeans[c][b] - mean[b]));
                }
            }
        }
        return new DMatrixRMaj[]{sw, sb};
    }

    private static DMatrixRMaj sandwich(DMatrixRMaj w, DMatrixRMaj s) {
        DMatrixRMaj sw = new DMatrixRMaj(s.numRows, w.numCols);
        CommonOps_DDRM.mult(s, w, sw);
        DMatrixRMaj out = new DMatrixRMaj(w.numCols, w.numCols);
        CommonOps_DDRM.multTransA(w, sw, out);
        return out;
    }
}
