package com.listinglens.image;

import org.opencv.core.Mat;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;

/**
 * Model input from a decoded photo, as torchvision's {@code Resize(256), CenterCrop(224), ToTensor(),
 * Normalize(mean, std)}: the shorter side resized to {@link ImageSettings#resizeShorter()} (antialiased bilinear,
 * computed exactly as Pillow does by default), a centred square crop of {@link ImageSettings#cropSize()}, then
 * {@code (x / 255 - mean) / std} per channel, laid out CHW (all R, then G, then B) as float32.
 *
 * <p>Photos more than four times larger than needed are first shrunk by an integer factor with a box filter
 * (OpenCV INTER_AREA), as Pillow's {@code reducing_gap=2} does, so a 4000 x 3000 photo costs a few milliseconds.
 * Pillow's resampling, the normalisation and the CHW layout then run in one native pass from the decoded pixels into
 * the tensor ({@link NativeResampler}); {@link #resizeAndCrop} is the Java reference of the same arithmetic.
 * Thread-safe.
 */
public final class Preprocessor {

    /** How the shorter side is brought to {@code resizeShorter}. */
    public enum Resampling {
        /** Pillow's antialiased bilinear (the reference); the default. */
        PIL_BILINEAR,
        /** OpenCV INTER_AREA (box averaging when shrinking). */
        OPENCV_AREA,
        /** OpenCV INTER_LINEAR (no antialiasing). */
        OPENCV_LINEAR
    }

    private final ImageSettings settings;
    private final Resampling resampling;
    /** {@code (x / 255 - mean) / std} per channel and 8-bit value: {@code lut[c * 256 + x]}. */
    private final float[] lut = new float[3 * 256];

    public Preprocessor(ImageSettings settings) {
        this(settings, Resampling.PIL_BILINEAR);
    }

    public Preprocessor(ImageSettings settings, Resampling resampling) {
        this.settings = settings;
        this.resampling = resampling;
        OpenCv.ensureLoaded();
        if (resampling == Resampling.PIL_BILINEAR) {
            NativeResampler.load();
        }
        float[] mean = settings.mean();
        float[] std = settings.std();
        for (int c = 0; c < 3; c++) {
            for (int v = 0; v < 256; v++) {
                // float32 arithmetic in the order torchvision uses: x / 255, then (x - mean) / std
                float x = v / 255f;
                lut[c * 256 + v] = (x - mean[c]) / std[c];
            }
        }
    }

    public ImageSettings settings() {
        return settings;
    }

    /** A copy of the normalisation table, {@code lut[c * 256 + x]} (for tests that rebuild the tensor by hand). */
    float[] normalisation() {
        return lut.clone();
    }

    /** Length of one tensor: {@code 3 * cropSize * cropSize}. */
    public int tensorLength() {
        return settings.tensorLength();
    }

    /** A new CHW float32 tensor of {@link #tensorLength()} values. */
    public float[] toTensor(DecodedImage image) {
        float[] out = new float[tensorLength()];
        toTensor(image, out, 0);
        return out;
    }

    /**
     * Writes the CHW tensor into {@code out} from {@code offset} on (for filling a batch buffer). Pillow's resampling
     * runs in native code straight from the decoded Mat into {@code out} ({@link NativeResampler}): no copy of the
     * photo's pixels into Java and no intermediate crop.
     */
    public void toTensor(DecodedImage image, float[] out, int offset) {
        if (offset < 0 || offset + (long) tensorLength() > out.length) {
            throw new IllegalArgumentException("a tensor of " + tensorLength() + " values does not fit " + out.length
                    + " at " + offset);
        }
        if (resampling == Resampling.PIL_BILINEAR) {
            Window win = window(image);
            Mat working = reduced(image.mat(), win);
            try {
                NativeResampler.resizeCropNormalize(working, win.outW, win.outH, win.cropX, win.cropY, win.crop, win.crop,
                        lut, out, offset);
            } finally {
                if (working != image.mat()) {
                    working.release();
                }
            }
            return;
        }
        byte[] crop = resizeAndCrop(image);
        int crop2 = settings.cropSize() * settings.cropSize();
        for (int i = 0, p = 0; i < crop2; i++, p += 3) {
            out[offset + i] = lut[crop[p] & 0xFF];
            out[offset + crop2 + i] = lut[256 + (crop[p + 1] & 0xFF)];
            out[offset + 2 * crop2 + i] = lut[512 + (crop[p + 2] & 0xFF)];
        }
    }

    /** The resized size and the crop window in it. */
    private record Window(int outW, int outH, int cropX, int cropY, int crop) {}

    private Window window(DecodedImage image) {
        int crop = settings.cropSize();
        int[] target = targetSize(image.sourceWidth(), image.sourceHeight(), settings.resizeShorter());
        // torchvision CenterCrop: int(round((size - crop) / 2.0)), Python rounds halves to even
        return new Window(target[0], target[1], (int) Math.rint((target[0] - crop) / 2.0),
                (int) Math.rint((target[1] - crop) / 2.0), crop);
    }

    /**
     * Pillow's {@code reducing_gap=2}: a photo more than four times larger than the target is first shrunk by an integer
     * factor with a box filter (OpenCV INTER_AREA); {@code src} itself when it is not.
     */
    private static Mat reduced(Mat src, Window win) {
        int w = src.cols();
        int h = src.rows();
        int factor = (int) Math.floor(Math.min((double) w / win.outW, (double) h / win.outH) / 2.0);
        if (factor < 2) {
            return src;
        }
        Mat working = new Mat();
        Imgproc.resize(src, working, new Size(Math.max(1, w / factor), Math.max(1, h / factor)), 0, 0, Imgproc.INTER_AREA);
        return working;
    }

    /**
     * The resized and centre-cropped RGB pixels, interleaved ({@code cropSize * cropSize * 3} bytes), before
     * normalisation. With Pillow's resampling this is the Java reference ({@link PilResampler}) the native path is
     * checked against.
     */
    public byte[] resizeAndCrop(DecodedImage image) {
        Mat src = image.mat();
        Window win = window(image);
        int crop = win.crop;
        if (resampling != Resampling.PIL_BILINEAR) {
            Mat resized = new Mat();
            try {
                Imgproc.resize(src, resized, new Size(win.outW, win.outH), 0, 0,
                        resampling == Resampling.OPENCV_AREA ? Imgproc.INTER_AREA : Imgproc.INTER_LINEAR);
                Mat window = resized.submat(win.cropY, win.cropY + crop, win.cropX, win.cropX + crop);
                byte[] out = new byte[crop * crop * 3];
                Mat continuous = window.clone();
                continuous.get(0, 0, out);
                continuous.release();
                window.release();
                return out;
            } finally {
                resized.release();
            }
        }
        Mat working = reduced(src, win);
        try {
            int ww = working.cols();
            int wh = working.rows();
            byte[] pixels = new byte[ww * wh * 3];
            if (working.isContinuous()) {
                working.get(0, 0, pixels);
            } else {
                Mat copy = working.clone();
                copy.get(0, 0, pixels);
                copy.release();
            }
            return PilResampler.resizeCrop(pixels, ww, wh, win.outW, win.outH, win.cropX, win.cropY, crop, crop);
        } finally {
            if (working != src) {
                working.release();
            }
        }
    }

    /** torchvision's {@code Resize(int)} size rule: shorter side to {@code shorter}, longer side truncated. */
    static int[] targetSize(int w, int h, int shorter) {
        if (w <= h) {
            return new int[] {shorter, (int) ((long) shorter * h / w)};
        }
        return new int[] {(int) ((long) shorter * w / h), shorter};
    }
}
