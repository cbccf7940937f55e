package com.listinglens.projection;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.CommonOps_MT_DDRM;
import org.ejml.dense.row.decomposition.TriangularSolver_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.CholeskyDecomposition_F64;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.zip.CRC32C;

/**
 * An immutable linear map of embeddings, learned at pool-build time and applied to pool and query vectors alike:
 * {@code y = normalize(Wᵀ (x - mean))}, from {@link #inputDimension()} to {@link #outputDimension()} floats, the output
 * L2-normalised so that inner product stays cosine similarity.
 *
 * <p>{@link #lda} learns it from the pool's own labels (Fisher's linear discriminant analysis with a shrunk
 * within-class scatter). {@link #write}/{@link #read} store it in a small binary file whose {@link #sha256()} is the
 * fingerprint a pool records, so that a query is never projected with another map than its pool's.
 *
 * <p>File format (version 1; every number little-endian):
 * <pre>
 *   offset 0   4 bytes   magic "LLPJ"
 *          4   int32     format version (1)
 *          8   int32     input dimension d   (1..65536)
 *         12   int32     output dimension k  (1..d)
 *         16   int32     method name length m (1..32)
 *         20   m bytes   method name, ASCII [a-z0-9_-] (e.g. "lda")
 *     20 + m   float32   mean[d]
 *              float32   W[d][k], row-major: row i is input component i, column j is output component j
 *              int32     CRC-32C of every byte before it
 * </pre>
 * A numpy reader: {@code np.frombuffer(b, '<f4', d * k, 20 + m + 4 * d).reshape(d, k)}.
 */
public final class Projection {

    /** {@link #method()} of a projection learned by {@link #lda}. */
    public static final String LDA = "lda";

    static final byte[] MAGIC = {'L', 'L', 'P', 'J'};
    static final int FORMAT_VERSION = 1;
    static final int MAX_DIMENSION = 1 << 16;
    static final int MAX_METHOD_LENGTH = 32;
    /** Bytes before the method name: magic, version, d, k, method length. */
    static final int HEADER_BYTES = 20;
    /** An eigenvalue below this share of the largest gives no usable discriminant direction. */
    static final double RELATIVE_EIGENVALUE_FLOOR = 1e-10;
    /** A squared Cholesky pivot below this share of the mean within-class variance means a singular scatter. */
    static final double RELATIVE_PIVOT_FLOOR = 1e-10;

    private final String method;
    private final int inputDim;
    private final int outputDim;
    private final float[] mean;
    /** W, inputDim rows × outputDim columns, row-major (the stored layout). */
    private final float[] weights;
    /** Wᵀ, outputDim rows × inputDim columns: what {@link #apply} walks. */
    private final float[] transposed;
    private volatile String sha256;

    private Projection(String method, int inputDim, int outputDim, float[] mean, float[] weights) {
        checkMethod(method);
        if (inputDim < 1 || inputDim > MAX_DIMENSION) {
            throw new IllegalArgumentException("input dimension must be in 1.." + MAX_DIMENSION + ", got " + inputDim);
        }
        if (outputDim < 1 || outputDim > inputDim) {
            throw new IllegalArgumentException("output dimension must be in 1.." + inputDim + ", got " + outputDim);
        }
        if (mean.length != inputDim || weights.length != (long) inputDim * outputDim) {
            throw new IllegalArgumentException("mean has " + mean.length + " values and W " + weights.length
                    + "; expected " + inputDim + " and " + (long) inputDim * outputDim);
        }
        requireFinite(mean, "mean");
        requireFinite(weights, "W");
        this.method = method;
        this.inputDim = inputDim;
        this.outputDim = outputDim;
        this.mean = mean.clone();
        this.weights = weights.clone();
        this.transposed = new float[weights.length];
        for (int i = 0; i < inputDim; i++) {
            for (int j = 0; j < outputDim; j++) {
                transposed[j * inputDim + i] = weights[i * outputDim + j];
            }
        }
    }

    /**
     * A projection from its parts (tests and tools): {@code weights} is W, {@code inputDim} rows × {@code outputDim}
     * columns, row-major.
     */
    static Projection of(String method, int inputDim, int outputDim, float[] mean, float[] weights) {
        return new Projection(method, inputDim, outputDim, mean, weights);
    }

    // ------------------------------------------------------------------------------------------------ learning

    /**
     * Fisher's linear discriminant analysis: the {@code outDim} directions that best separate the classes relative to
     * their spread, learned from {@code n} labelled rows.
     *
     * <p>With the overall mean μ, class means μ_c and counts n_c: within-class scatter
     * {@code Sw = Σ_i (x_i - μ_c(i))(x_i - μ_c(i))ᵀ / n}, shrunk towards a multiple of the identity,
     * {@code Sw ← (1 - s)·Sw + s·(tr(Sw)/dim)·I}; between-class scatter {@code Sb = B Bᵀ} with column c of B
     * {@code sqrt(n_c/n)·(μ_c - μ)}. The generalized symmetric eigenproblem {@code Sb v = λ Sw v} is solved by Cholesky
     * whitening, {@code Sw = L Lᵀ}, {@code M = L⁻¹ Sb L⁻ᵀ = Z Zᵀ} with {@code Z = L⁻¹ B}: the nonzero eigenpairs of M
     * come exactly from the symmetric eigen decomposition of the small C × C matrix {@code Zᵀ Z}
     * ({@code ZᵀZ g = λ g} gives {@code u = Z g / sqrt(λ)}), and {@code v = L⁻ᵀ u}. The columns of W are the v, by
     * decreasing λ, scaled so that {@code vᵀ Sw v = 1} (the within-class spread is the same in every output
     * direction), each with its largest component positive.
     *
     * @param vectors   the rows, row-major, {@code n × dim}, all finite
     * @param labels    class of each row, {@code 0..C-1}, every class present (C = largest label + 1, at least 2)
     * @param outDim    dimensions kept, {@code 1..min(C - 1, dim)}
     * @param shrinkage {@code s} in [0, 1]; 0 needs a nonsingular within-class scatter (n well above dim)
     * @throws IllegalArgumentException on bad arguments, or when the data does not support {@code outDim} directions
     */
    public static Projection lda(float[] vectors, int n, int dim, int[] labels, int outDim, double shrinkage) {
        if (vectors == null || labels == null) {
            throw new IllegalArgumentException("vectors and labels are required");
        }
        if (n < 1 || dim < 1 || dim > MAX_DIMENSION) {
            throw new IllegalArgumentException("need n >= 1 rows of dim in 1.." + MAX_DIMENSION + ", got n=" + n + " dim=" + dim);
        }
        if (vectors.length != (long) n * dim) {
            throw new IllegalArgumentException("vectors has " + vectors.length + " values; n × dim = " + (long) n * dim);
        }
        if (labels.length != n) {
            throw new IllegalArgumentException("labels has " + labels.length + " entries for " + n + " rows");
        }
        if (!(shrinkage >= 0 && shrinkage <= 1)) {
            throw new IllegalArgumentException("shrinkage must be in [0, 1], got " + shrinkage);
        }
        for (int i = 0; i < vectors.length; i++) {
            if (!Float.isFinite(vectors[i])) {
                throw new IllegalArgumentException("row " + i / dim + ", component " + i % dim + " is not finite: " + vectors[i]);
            }
        }
        int classes = 0;
        for (int i = 0; i < n; i++) {
            if (labels[i] < 0) {
                throw new IllegalArgumentException("label of row " + i + " is negative: " + labels[i]);
            }
            classes = Math.max(classes, labels[i] + 1);
        }
        if (classes < 2) {
            throw new IllegalArgumentException("LDA needs at least two classes, got " + classes);
        }
        if (n < classes) {
            throw new IllegalArgumentException("LDA needs at least one row per class: " + n + " rows for " + classes
                    + " classes (labels run to " + (classes - 1) + ")");
        }
        int[] counts = new int[classes];
        for (int label : labels) {
            counts[label]++;
        }
        for (int c = 0; c < classes; c++) {
            if (counts[c] == 0) {
                throw new IllegalArgumentException("class " + c + " has no rows (labels must be 0.." + (classes - 1)
                        + " with every class present)");
            }
        }
        int maxOut = Math.min(classes - 1, dim);
        if (outDim < 1 || outDim > maxOut) {
            throw new IllegalArgumentException("output dimension must be in 1.." + maxOut + " (at most classes - 1 = "
                    + (classes - 1) + " and at most dim = " + dim + "), got " + outDim);
        }

        // means
        double[] mean = new double[dim];
        double[] classMeans = new double[classes * dim];
        for (int i = 0; i < n; i++) {
            int off = labels[i] * dim;
            for (int j = 0; j < dim; j++) {
                double v = vectors[i * dim + j];
                classMeans[off + j] += v;
                mean[j] += v;
            }
        }
        for (int j = 0; j < dim; j++) {
            mean[j] /= n;
        }
        for (int c = 0; c < classes; c++) {
            for (int j = 0; j < dim; j++) {
                classMeans[c * dim + j] /= counts[c];
            }
        }

        // within-class scatter, shrunk
        DMatrixRMaj centred = new DMatrixRMaj(n, dim);
        double[] xc = centred.data;
        for (int i = 0; i < n; i++) {
            int off = labels[i] * dim;
            for (int j = 0; j < dim; j++) {
                xc[i * dim + j] = vectors[i * dim + j] - classMeans[off + j];
            }
        }
        DMatrixRMaj sw = new DMatrixRMaj(dim, dim);
        CommonOps_MT_DDRM.multInner(centred, sw);
        centred = null;
        CommonOps_DDRM.scale(1.0 / n, sw);
        double trace = CommonOps_DDRM.trace(sw);
        if (!(trace > 0) || !Double.isFinite(trace)) {
            throw new IllegalArgumentException("the within-class scatter is zero: every row equals its class mean");
        }
        CommonOps_DDRM.scale(1 - shrinkage, sw);
        double ridge = shrinkage * trace / dim;
        for (int j = 0; j < dim; j++) {
            sw.data[j * dim + j] += ridge;
        }

        // Cholesky whitening: Sw = L Lᵀ
        CholeskyDecomposition_F64<DMatrixRMaj> chol = DecompositionFactory_DDRM.chol(dim, true);
        if (!chol.decompose(sw)) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "the within-class scatter is singular (%d rows, %d classes, dim %d, shrinkage %g): raise the shrinkage",
                    n, classes, dim, shrinkage));
        }
        DMatrixRMaj lower = chol.getT(null);
        double pivotFloor = RELATIVE_PIVOT_FLOOR * trace / dim;
        for (int j = 0; j < dim; j++) {
            double diag = lower.data[j * dim + j];
            if (!(diag * diag > pivotFloor) || !Double.isFinite(diag)) {
                throw new IllegalArgumentException(String.format(Locale.ROOT,
                        "the within-class scatter is numerically singular (%d rows, %d classes, dim %d, shrinkage %g): "
                                + "raise the shrinkage", n, classes, dim, shrinkage));
            }
        }

        // Z = L⁻¹ B, B (dim × C) with columns sqrt(n_c / n) (μ_c - μ)
        DMatrixRMaj z = new DMatrixRMaj(dim, classes);
        for (int c = 0; c < classes; c++) {
            double scale = Math.sqrt((double) counts[c] / n);
            for (int j = 0; j < dim; j++) {
                z.data[j * classes + c] = scale * (classMeans[c * dim + j] - mean[j]);
            }
        }
        TriangularSolver_DDRM.solveL(lower.data, z.data, dim, classes);

        // symmetric eigen decomposition of the C × C matrix ZᵀZ
        DMatrixRMaj gram = new DMatrixRMaj(classes, classes);
        CommonOps_DDRM.multInner(z, gram);
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(classes, true, true);
        if (!eig.decompose(gram)) {
            throw new IllegalStateException("the symmetric eigen decomposition of the between-class scatter did not converge");
        }
        int count = eig.getNumberOfEigenvalues();
        Integer[] order = new Integer[count];
        double[] values = new double[count];
        for (int i = 0; i < count; i++) {
            order[i] = i;
            values[i] = eig.getEigenvalue(i).getReal();
        }
        Arrays.sort(order, (a, b) -> Double.compare(values[b], values[a]));
        double largest = values[order[0]];
        if (!(largest > 0) || !Double.isFinite(largest)) {
            throw new IllegalArgumentException("the class means do not differ: there is no discriminant direction");
        }

        float[] w = new float[dim * outDim];
        double[] u = new double[dim];
        for (int k = 0; k < outDim; k++) {
            int index = order[k];
            double lambda = values[index];
            if (!(lambda > largest * RELATIVE_EIGENVALUE_FLOOR)) {
                throw new IllegalArgumentException(String.format(Locale.ROOT,
                        "the class means span only %d discriminant directions (eigenvalue %d is %.3g of the largest); "
                                + "ask for at most %d", k, k + 1, lambda / largest, k));
            }
            DMatrixRMaj g = eig.getEigenVector(index);
            // u = Z g / sqrt(λ): unit length, an eigenvector of L⁻¹ Sb L⁻ᵀ
            double inv = 1 / Math.sqrt(lambda);
            for (int j = 0; j < dim; j++) {
                double s = 0;
                int row = j * classes;
                for (int c = 0; c < classes; c++) {
                    s += z.data[row + c] * g.data[c];
                }
                u[j] = s * inv;
            }
            // v = L⁻ᵀ u
            TriangularSolver_DDRM.solveTranL(lower.data, u, dim);
            int argmax = 0;
            for (int j = 1; j < dim; j++) {
                if (Math.abs(u[j]) > Math.abs(u[argmax])) {
                    argmax = j;
                }
            }
            double sign = u[argmax] < 0 ? -1 : 1;
            for (int j = 0; j < dim; j++) {
                w[j * outDim + k] = (float) (sign * u[j]);
            }
        }
        float[] m = new float[dim];
        for (int j = 0; j < dim; j++) {
            m[j] = (float) mean[j];
        }
        return new Projection(LDA, dim, outDim, m, w);
    }

    // ------------------------------------------------------------------------------------------------ use

    public int inputDimension() {
        return inputDim;
    }

    public int outputDimension() {
        return outputDim;
    }

    /** How it was learned, e.g. {@value #LDA}. */
    public String method() {
        return method;
    }

    /**
     * Projects one vector: {@code normalize(Wᵀ (x - mean))}, {@link #outputDimension()} floats of unit length (all
     * zero in the degenerate case of a vector that projects to zero).
     *
     * @throws IllegalArgumentException if {@code x} is null, of another length than {@link #inputDimension()}, or not
     *                                  finite
     */
    public float[] apply(float[] x) {
        if (x == null) {
            throw new IllegalArgumentException("vector is required");
        }
        if (x.length != inputDim) {
            throw new IllegalArgumentException("vector has " + x.length + " components; the projection takes " + inputDim);
        }
        float[] out = new float[outputDim];
        project(x, 0, out, 0, new double[inputDim], 0);
        return out;
    }

    /** Projects each vector (see {@link #apply(float[])}). */
    public float[][] apply(float[][] xs) {
        if (xs == null) {
            throw new IllegalArgumentException("vectors are required");
        }
        float[][] out = new float[xs.length][];
        double[] buffer = new double[inputDim];
        for (int r = 0; r < xs.length; r++) {
            float[] x = xs[r];
            if (x == null || x.length != inputDim) {
                throw new IllegalArgumentException("vector " + r + " has " + (x == null ? "no" : x.length)
                        + " components; the projection takes " + inputDim);
            }
            out[r] = new float[outputDim];
            project(x, 0, out[r], 0, buffer, r);
        }
        return out;
    }

    /**
     * Projects {@code n} rows of {@code rows} ({@code n × inputDimension()}, row-major) into {@code out}
     * ({@code n × outputDimension()}, row-major). On a non-finite input the rows before it are already written.
     */
    public void apply(float[] rows, int n, float[] out) {
        if (rows == null || out == null) {
            throw new IllegalArgumentException("rows and out are required");
        }
        if (n < 0 || rows.length != (long) n * inputDim) {
            throw new IllegalArgumentException("rows has " + rows.length + " values; " + n + " rows of " + inputDim + " need "
                    + (long) n * inputDim);
        }
        if (out.length != (long) n * outputDim) {
            throw new IllegalArgumentException("out has " + out.length + " values; " + n + " rows of " + outputDim + " need "
                    + (long) n * outputDim);
        }
        double[] buffer = new double[inputDim];
        for (int r = 0; r < n; r++) {
            project(rows, r * inputDim, out, r * outputDim, buffer, r);
        }
    }

    private void project(float[] x, int from, float[] out, int to, double[] centred, int row) {
        for (int i = 0; i < inputDim; i++) {
            float v = x[from + i];
            if (!Float.isFinite(v)) {
                throw new IllegalArgumentException("vector " + row + ", component " + i + " is not finite: " + v);
            }
            centred[i] = (double) v - mean[i];
        }
        double norm = 0;
        for (int j = 0; j < outputDim; j++) {
            double s = 0;
            int off = j * inputDim;
            for (int i = 0; i < inputDim; i++) {
                s += transposed[off + i] * centred[i];
            }
            out[to + j] = (float) s;
            norm += s * s;
        }
        if (norm > 0) {
            double inv = 1 / Math.sqrt(norm);
            for (int j = 0; j < outputDim; j++) {
                out[to + j] = (float) (out[to + j] * inv);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ files

    /** Writes the projection to {@code file} atomically (a temporary file beside it, then a rename). */
    public void write(Path file) {
        byte[] bytes = toBytes();
        Path target = file.toAbsolutePath();
        Path tmp = null;
        try {
            Path parent = target.getParent();
            Files.createDirectories(parent);
            tmp = Files.createTempFile(parent, "." + target.getFileName() + ".", ".tmp");
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            // a temporary file is private to its writer; a pool file is read by the service, often as another user
            if (Files.getFileAttributeView(tmp, PosixFileAttributeView.class) != null) {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the file system cannot rename atomically: " + e.getMessage(), e);
            }
            tmp = null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write projection " + file + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: the temporary file is hidden and named after the target
                }
            }
        }
    }

    /**
     * Reads a projection written by {@link #write}, checking everything: magic, format version, dimensions, method
     * name, the length of the file against them, the checksum and that every value is finite.
     *
     * @throws IllegalArgumentException if the file is not a valid projection (corrupt, truncated, another format)
     * @throws UncheckedIOException     if it cannot be read
     */
    public static Projection read(Path file) {
        byte[] bytes;
        try {
            long size = Files.size(file);
            long max = HEADER_BYTES + MAX_METHOD_LENGTH + 4L * MAX_DIMENSION + 4L * MAX_DIMENSION * MAX_DIMENSION + 4;
            if (size > Math.min(max, Integer.MAX_VALUE - 16)) {
                throw new IllegalArgumentException("projection file " + file + " is too large to be one: " + size + " bytes");
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read projection " + file + ": " + e.getMessage(), e);
        }
        try {
            return fromBytes(bytes);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("projection file " + file + ": " + e.getMessage(), e);
        }
    }

    static Projection fromBytes(byte[] bytes) {
        if (bytes.length < 4 || !Arrays.equals(bytes, 0, 4, MAGIC, 0, 4)) {
            throw new IllegalArgumentException("not a projection file (no \"LLPJ\" magic at the start)");
        }
        if (bytes.length < HEADER_BYTES) {
            throw new IllegalArgumentException("truncated: " + bytes.length + " bytes, shorter than the header");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        in.position(4);
        int version = in.getInt();
        if (version != FORMAT_VERSION) {
            throw new IllegalArgumentException("unsupported format version " + Integer.toUnsignedString(version)
                    + " (this build reads version " + FORMAT_VERSION + ")");
        }
        int d = in.getInt();
        int k = in.getInt();
        int m = in.getInt();
        if (d < 1 || d > MAX_DIMENSION) {
            throw new IllegalArgumentException("input dimension " + d + " is out of range 1.." + MAX_DIMENSION);
        }
        if (k < 1 || k > d) {
            throw new IllegalArgumentException("output dimension " + k + " is out of range 1.." + d);
        }
        if (m < 1 || m > MAX_METHOD_LENGTH) {
            throw new IllegalArgumentException("method name length " + m + " is out of range 1.." + MAX_METHOD_LENGTH);
        }
        long expected = HEADER_BYTES + (long) m + 4L * d + 4L * d * k + 4;
        if (bytes.length < expected) {
            throw new IllegalArgumentException("truncated: " + bytes.length + " bytes, " + expected + " expected for "
                    + d + " × " + k);
        }
        if (bytes.length > expected) {
            throw new IllegalArgumentException((bytes.length - expected) + " unexpected bytes after the " + expected
                    + " expected for " + d + " × " + k);
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        int stored = ByteBuffer.wrap(bytes, bytes.length - 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        if (stored != (int) crc.getValue()) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "checksum mismatch (stored %08x, computed %08x): the file is corrupt", stored, (int) crc.getValue()));
        }
        byte[] name = new byte[m];
        in.get(name);
        String method = new String(name, StandardCharsets.US_ASCII);
        checkMethod(method);
        float[] mean = new float[d];
        in.asFloatBuffer().get(mean);
        in.position(in.position() + 4 * d);
        float[] w = new float[d * k];
        in.asFloatBuffer().get(w);
        requireFinite(mean, "mean");
        requireFinite(w, "W");
        return new Projection(method, d, k, mean, w);
    }

    /** The file's bytes, as {@link #write} writes them. */
    byte[] toBytes() {
        byte[] name = method.getBytes(StandardCharsets.US_ASCII);
        long length = HEADER_BYTES + (long) name.length + 4L * inputDim + 4L * weights.length + 4;
        if (length > Integer.MAX_VALUE - 16) {
            throw new IllegalStateException("projection too large to serialise: " + length + " bytes");
        }
        ByteBuffer out = ByteBuffer.allocate((int) length).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).putInt(FORMAT_VERSION).putInt(inputDim).putInt(outputDim).putInt(name.length).put(name);
        for (float v : mean) {
            out.putFloat(v);
        }
        for (float v : weights) {
            out.putFloat(v);
        }
        CRC32C crc = new CRC32C();
        crc.update(out.array(), 0, out.position());
        out.putInt((int) crc.getValue());
        return out.array();
    }

    /** SHA-256 (lowercase hex) of the file {@link #write} writes: the fingerprint a pool's manifest records. */
    public String sha256() {
        String s = sha256;
        if (s == null) {
            try {
                s = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(toBytes()));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is not available", e);
            }
            sha256 = s;
        }
        return s;
    }

    /** The mean subtracted before projecting (a copy). */
    float[] mean() {
        return mean.clone();
    }

    /** W, {@link #inputDimension()} rows × {@link #outputDimension()} columns, row-major (a copy). */
    float[] weights() {
        return weights.clone();
    }

    @Override
    public String toString() {
        return "Projection[" + method + ", " + inputDim + " -> " + outputDim + "]";
    }

    // ------------------------------------------------------------------------------------------------ checks

    private static void checkMethod(String method) {
        if (method == null || method.isEmpty() || method.length() > MAX_METHOD_LENGTH
                || !method.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) {
            throw new IllegalArgumentException("method name must be 1.." + MAX_METHOD_LENGTH + " characters of [a-z0-9_-], got "
                    + (method == null ? "none" : "'" + method + "'"));
        }
    }

    private static void requireFinite(float[] values, String what) {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new IllegalArgumentException(what + "[" + i + "] is not finite: " + values[i]);
            }
        }
    }
}
