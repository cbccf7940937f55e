package com.listinglens.embedding;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.engine.Engine;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;

import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@link Embedder} on DJL's PyTorch engine: loads a TorchScript file from disk (never downloads anything), keeps a
 * small pool of predictors (a DJL predictor must not be used by two threads at once) and sends photos through them in
 * batches of {@link ModelSettings#batchSize()}. At load it runs one dummy photo through every predictor, which both
 * warms libtorch up and checks that the model's output has {@link ModelSettings#dimension()} values (the dummy is
 * {@code [1, 3, 224, 224]}, the input every model served here takes).
 *
 * <p>Precision and device: "int8" runs the quantized model on the CPU (quantized kernels exist only there); "fp32" on
 * "gpu" is cast to fp16 when the engine supports casting a TorchScript module; DJL 0.35.1 does not
 * ({@code BaseModel.cast} throws), in which case it runs in fp32 on the GPU and {@link ModelInfo#precision()} says
 * so; "fp16" expects a file already saved in half precision. Asking for the GPU when libtorch sees none fails at once.
 *
 * <p>Threads: {@code threads > 0} sets libtorch's intra-op thread count, which is process-wide (the last embedder
 * loaded wins). Prefer 1 thread and several predictors on a machine that does other work: OpenMP threads that are
 * descheduled stall each other (see {@link ModelSettings#cpu}).
 *
 * <p>Memory: libtorch allocates each activation with glibc malloc; batches of 8 in fp32 allocate blocks above glibc's
 * mmap threshold, which are mapped and unmapped on every call (high system time). Running the JVM with
 * {@code MALLOC_MMAP_THRESHOLD_}/{@code MALLOC_TRIM_THRESHOLD_}/{@code MALLOC_TOP_PAD_} raised, or with jemalloc, about
 * doubles fp32 batch throughput.
 */
public final class DjlEmbedder implements Embedder {

    private static final System.Logger LOG = System.getLogger(DjlEmbedder.class.getName());
    private static final String ENGINE = "PyTorch";

    private final ModelSettings settings;
    private final ZooModel<float[][], float[][]> model;
    private final BlockingQueue<Predictor<float[][], float[][]>> pool;
    private final List<Predictor<float[][], float[][]>> all = new ArrayList<>();
    private final ModelInfo info;
    private volatile boolean closed;

    /**
     * Loads the model.
     *
     * @throws EmbeddingException when the file is missing or not TorchScript, the GPU is asked for but absent, the
     *     precision does not fit the device, or the output dimension is not the configured one
     */
    public DjlEmbedder(ModelSettings settings) {
        this.settings = settings;
        Path path = checkedFile(settings);
        String sha256 = sha256(path);
        Engine engine = startEngine(settings);
        Placement placement = placement(settings, engine);
        // before the model loads: libtorch packs the int8 weights for the engine active at load time
        String quantized = selectQuantizedEngine(settings);
        ZooModel<float[][], float[][]> loaded = load(settings, path, placement);
        placement = halfOnGpu(settings, loaded, placement);
        this.model = loaded;
        this.pool = new ArrayBlockingQueue<>(settings.predictors());
        startPredictors(placement.inputType());
        this.info = new ModelInfo(settings.name(), placement.precision(), settings.device(), sha256, settings.dimension(), path);
        LOG.log(Level.INFO, "Loaded embedding model {0} ({1}, {2}, sha256 {3}, {4} predictors, {5} libtorch threads{6})",
                settings.name(), placement.precision(), settings.device(), sha256.substring(0, 12), settings.predictors(),
                JniUtils.getNumThreads(), quantized == null ? "" : ", quantized engine " + quantized);
    }

    /** Where the model runs, the type its input tensors have, and the precision it runs in. */
    private record Placement(Device device, DataType inputType, String precision) {
    }

    /** The model file, absolute, once it is known to be a readable file. */
    private static Path checkedFile(ModelSettings settings) {
        Path path = settings.path().toAbsolutePath();
        if (!Files.isRegularFile(path)) {
            throw new EmbeddingException("Model file for '" + settings.name() + "' (" + settings.precision()
                    + ") not found: " + path);
        }
        if (!Files.isReadable(path)) {
            throw new EmbeddingException("Model file for '" + settings.name() + "' is not readable: " + path);
        }
        return path;
    }

    /** DJL's PyTorch engine, offline, with libtorch's intra-op threads set when asked for. */
    private static Engine startEngine(ModelSettings settings) {
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true"); // the engine's natives come from the classpath, never a download
        }
        if (settings.threads() > 0 && System.getProperty("ai.djl.pytorch.num_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(settings.threads()));
        }
        Engine engine;
        try {
            engine = Engine.getEngine(ENGINE);
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            throw new EmbeddingException("The PyTorch engine (DJL " + Engine.getDjlVersion()
                    + ") could not start; is pytorch-native-cpu (or a CUDA build) on the classpath?", e);
        }
        if (settings.threads() > 0) {
            JniUtils.setNumThreads(settings.threads());
        }
        return engine;
    }

    /** The device and input type for the configured device and precision; combinations that cannot run fail here. */
    private static Placement placement(ModelSettings settings, Engine engine) {
        if (settings.device().equals("gpu")) {
            if (settings.precision().equals("int8")) {
                throw new EmbeddingException("Model '" + settings.name() + "': int8 (quantized) models run on the CPU "
                        + "only; use the fp32 model on the GPU.");
            }
            int gpus = engine.getGpuCount();
            if (gpus == 0) {
                throw new EmbeddingException("Model '" + settings.name() + "': device 'gpu' was asked for but "
                        + "libtorch " + engine.getVersion() + " sees no CUDA GPU (a CPU-only libtorch, no driver, or "
                        + "CUDA_VISIBLE_DEVICES hides it). Use device 'cpu'.");
            }
            return new Placement(Device.gpu(), settings.precision().equals("fp16") ? DataType.FLOAT16 : DataType.FLOAT32,
                    settings.precision());
        }
        if (settings.precision().equals("fp16")) {
            throw new EmbeddingException("Model '" + settings.name() + "': fp16 is for the GPU; use fp32 or int8 "
                    + "on the CPU.");
        }
        return new Placement(Device.cpu(), DataType.FLOAT32, settings.precision());
    }

    /**
     * For int8, sets libtorch's quantized engine as configured ("auto": from the CPU's flags; "default": left as it
     * is); answers the engine in use (for the log), or null.
     */
    private static String selectQuantizedEngine(ModelSettings settings) {
        if (!settings.precision().equals("int8") || settings.quantizedEngine().equals("default")) {
            return null;
        }
        Optional<QuantizedEngine.Kind> wanted = settings.quantizedEngine().equals("auto")
                ? QuantizedEngine.auto(QuantizedEngine.cpuFlags())
                : Optional.of(QuantizedEngine.Kind.parse(settings.quantizedEngine()));
        Optional<QuantizedEngine> q = QuantizedEngine.loaded();
        if (q.isEmpty()) {
            if (wanted.isPresent()) {
                throw new EmbeddingException("libtorch_cpu.so is not loaded in this process, so its quantized engine "
                        + "cannot be set to " + wanted.get().label() + " (lens.model.quantized-engine=default leaves it)");
            }
            return null;
        }
        wanted.ifPresent(k -> q.get().use(k));
        return q.get().current().label() + (settings.quantizedEngine().equals("auto") ? " (auto)" : "");
    }

    /** Loads the TorchScript file onto the placement's device. */
    private static ZooModel<float[][], float[][]> load(ModelSettings settings, Path path, Placement placement) {
        try {
            return Criteria.builder()
                    .setTypes(float[][].class, float[][].class)
                    .optModelPath(path.getParent())
                    .optModelName(path.getFileName().toString())
                    .optEngine(ENGINE)
                    .optDevice(placement.device())
                    .optOption("mapLocation", "true")
                    .optTranslator(new EmbeddingTranslator(placement.inputType()))
                    .optProgress(null)
                    .build()
                    .loadModel();
        } catch (ModelNotFoundException | MalformedModelException | IOException | RuntimeException e) {
            throw new EmbeddingException("Could not load TorchScript model '" + settings.name() + "' from " + path
                    + ": " + e.getMessage(), e);
        }
    }

    /** fp32 on the GPU is cast to fp16 where the engine can; the placement it then runs with. */
    private static Placement halfOnGpu(ModelSettings settings, ZooModel<float[][], float[][]> loaded, Placement placement) {
        if (!placement.device().isGpu() || !placement.precision().equals("fp32")) {
            return placement;
        }
        try {
            loaded.cast(DataType.FLOAT16);
            return new Placement(placement.device(), DataType.FLOAT16, "fp16");
        } catch (UnsupportedOperationException e) {
            LOG.log(Level.WARNING, "DJL {0} cannot cast a TorchScript module to fp16 ({1}); model ''{2}'' runs "
                    + "in fp32 on the GPU. Export an fp16 TorchScript file and set precision fp16 for half "
                    + "precision.", Engine.getDjlVersion(), e.getMessage(), settings.name());
            return placement;
        }
    }

    /** The predictors, each checked on a dummy photo; on any failure every one made so far is closed. */
    private void startPredictors(DataType inputType) {
        try {
            for (int i = 0; i < settings.predictors(); i++) {
                Predictor<float[][], float[][]> predictor = model.newPredictor(new EmbeddingTranslator(inputType));
                all.add(predictor);
                verify(predictor);
                pool.add(predictor);
            }
        } catch (RuntimeException e) {
            closeQuietly();
            throw e;
        }
    }

    /** Runs one mid-grey photo and checks the embedding length. */
    private void verify(Predictor<float[][], float[][]> predictor) {
        float[] dummy = new float[3 * 224 * 224];
        float[] out;
        try {
            out = predictor.predict(new float[][] {dummy})[0];
        } catch (TranslateException | RuntimeException e) {
            throw new EmbeddingException("Model '" + settings.name() + "' failed on a dummy [1, 3, 224, 224] input: "
                    + rootMessage(e), e);
        }
        if (out.length != settings.dimension()) {
            throw new EmbeddingException("Model '" + settings.name() + "' produces embeddings of " + out.length
                    + " values but the configured dimension is " + settings.dimension() + ".");
        }
    }

    @Override
    public ModelInfo info() {
        return info;
    }

    @Override
    public int dimension() {
        return settings.dimension();
    }

    public ModelSettings settings() {
        return settings;
    }

    @Override
    public float[][] embed(List<float[]> chwTensors) {
        if (chwTensors.isEmpty()) {
            return new float[0][];
        }
        int length = chwTensors.get(0).length;
        EmbeddingTranslator.sideOf(length);
        for (float[] t : chwTensors) {
            if (t.length != length) {
                throw new IllegalArgumentException("all tensors of one call must have the same length: " + length
                        + " and " + t.length);
            }
        }
        ensureOpen();
        Predictor<float[][], float[][]> predictor = borrow();
        try {
            ensureOpen();
            float[][] out = new float[chwTensors.size()][];
            int batch = settings.batchSize();
            for (int from = 0; from < chwTensors.size(); from += batch) {
                float[][] chunk = chwTensors.subList(from, Math.min(from + batch, chwTensors.size())).toArray(new float[0][]);
                float[][] rows = predictor.predict(chunk);
                if (rows.length != chunk.length) {
                    throw new EmbeddingException("the model returned " + rows.length + " embeddings for " + chunk.length
                            + " photos");
                }
                System.arraycopy(rows, 0, out, from, rows.length);
            }
            return out;
        } catch (TranslateException | RuntimeException e) {
            if (e instanceof EmbeddingException ee) {
                throw ee;
            }
            throw new EmbeddingException("Model '" + settings.name() + "' failed: " + rootMessage(e), e);
        } finally {
            pool.add(predictor);
        }
    }

    private Predictor<float[][], float[][]> borrow() {
        try {
            return pool.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EmbeddingException("interrupted while waiting for a free predictor", e);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("embedder '" + settings.name() + "' is closed");
        }
    }

    /** Waits (up to 30 s) for running calls to hand their predictors back, then frees the model. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (int i = 0; i < all.size(); i++) {
            try {
                long left = deadline - System.nanoTime();
                if (pool.poll(Math.max(left, 0), TimeUnit.NANOSECONDS) == null) {
                    LOG.log(Level.WARNING, "closing embedder {0} while calls are still running", settings.name());
                    break;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        closeQuietly();
    }

    private void closeQuietly() {
        for (Predictor<float[][], float[][]> p : all) {
            try {
                p.close();
            } catch (RuntimeException e) {
                LOG.log(Level.DEBUG, "closing predictor", e);
            }
        }
        all.clear();
        if (model != null) {
            model.close();
        }
    }

    /** Hex SHA-256 of a file. */
    public static String sha256(Path path) {
        try (InputStream in = Files.newInputStream(path)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new EmbeddingException("cannot read model file " + path + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + t.getMessage() + ")";
    }
}
