package com.listinglens.image;

import com.listinglens.image.ImageRejectedException.Reason;
import org.opencv.core.Core;
import org.opencv.core.CvException;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.Scalar;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Turns uploaded bytes into an RGB {@link DecodedImage}, refusing anything too large, unsupported or damaged before
 * OpenCV allocates memory for it.
 *
 * <p>Order of checks: empty, byte size, header sniff ({@link ImageHeader}), pixel count and side length from the header,
 * structural completeness (a truncated JPEG is refused rather than decoded half grey), then OpenCV decoding. EXIF
 * orientation of JPEGs is applied here (OpenCV's own handling is switched off with IMREAD_IGNORE_ORIENTATION so that
 * every path, reduced decoding included, behaves the same). Transparent PNG/WebP/GIF pixels are composited over white.
 * JPEG, PNG, WebP and BMP are decoded by OpenCV (JPEG by TurboJPEG first when it loads), GIF by the JDK
 * ({@link GifDecoder}, first frame only).
 *
 * <p>Stateless apart from its settings, so one instance can be shared by any number of threads.
 */
public final class ImageDecoder {

    /** Which library decodes JPEGs (lens.image.jpeg-decoder); every other format goes through OpenCV. */
    public enum JpegDecoding {
        /** libjpeg-turbo's TurboJPEG (system library, SIMD) when it loads, else OpenCV. */
        AUTO,
        /** TurboJPEG, refusing to start without it. */
        TURBOJPEG,
        /** OpenCV's bundled libjpeg-turbo (built without SIMD). */
        OPENCV;

        public static JpegDecoding parse(String name) {
            for (JpegDecoding d : values()) {
                if (d.name().equalsIgnoreCase(name.strip())) {
                    return d;
                }
            }
            throw new IllegalArgumentException("lens.image.jpeg-decoder must be auto, turbojpeg or opencv, not '" + name + "'");
        }
    }

    private final ImageSettings settings;
    private final TurboJpeg turbo;
    private final DecodeBudget budget;

    /** JPEGs through TurboJPEG when it loads, else OpenCV ({@link JpegDecoding#AUTO}). */
    public ImageDecoder(ImageSettings settings) {
        this(settings, JpegDecoding.AUTO);
    }

    private ImageDecoder(ImageSettings settings, TurboJpeg turbo, DecodeBudget budget) {
        this.settings = settings;
        this.turbo = turbo;
        this.budget = budget;
    }

    /**
     * This decoder admitting its decodes against {@code budget} ({@link DecodeBudget}): each holds its estimated peak
     * memory until its {@link DecodedImage} is closed. Share one budget among every decoder of a process.
     */
    public ImageDecoder withBudget(DecodeBudget budget) {
        return new ImageDecoder(settings, turbo, Objects.requireNonNull(budget, "budget"));
    }

    public DecodeBudget budget() {
        return budget;
    }

    /** @throws IllegalStateException when {@link JpegDecoding#TURBOJPEG} is asked for and the library is missing */
    public ImageDecoder(ImageSettings settings, JpegDecoding jpeg) {
        this.budget = DecodeBudget.unlimited();
        this.settings = settings;
        OpenCv.ensureLoaded();
        this.turbo = switch (jpeg) {
            case OPENCV -> null;
            case AUTO -> TurboJpeg.instance().orElse(null);
            case TURBOJPEG -> TurboJpeg.instance().orElseThrow(() -> new IllegalStateException(
                    "lens.image.jpeg-decoder=turbojpeg but " + TurboJpeg.LIBRARY + " cannot be loaded ("
                            + TurboJpeg.loadFailure() + "); install libturbojpeg0 or set it to auto or opencv"));
        };
    }

    /** The library that decodes JPEGs here: "turbojpeg" or "opencv". */
    public String jpegDecoder() {
        return turbo != null ? "turbojpeg" : "opencv";
    }

    public ImageSettings settings() {
        return settings;
    }

    /**
     * Runs every check that needs no decoding and returns the header.
     *
     * @throws ImageRejectedException with the reason for refusal
     */
    public ImageHeader inspect(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            throw new ImageRejectedException(Reason.EMPTY, "The upload is empty (0 bytes).");
        }
        if (bytes.length > settings.maxBytes()) {
            throw new ImageRejectedException(Reason.TOO_LARGE_BYTES,
                    "The file is " + mib(bytes.length) + "; the limit is " + mib(settings.maxBytes()) + ".");
        }
        ImageHeader header = ImageHeader.read(bytes);
        if (header.width() > settings.maxSide() || header.height() > settings.maxSide()
                || header.pixels() > settings.maxPixels()) {
            throw new ImageRejectedException(Reason.TOO_MANY_PIXELS,
                    "The image is " + header.width() + " x " + header.height() + " pixels; the limit is "
                            + settings.maxPixels() / 1_000_000.0 + " megapixels and " + settings.maxSide()
                            + " pixels per side.");
        }
        EncodedStructure.requireComplete(bytes, header.format());
        return header;
    }

    /** Decodes at full resolution. */
    public DecodedImage decode(byte[] bytes) {
        return decode(bytes, 0);
    }

    /**
     * Decodes, letting a large JPEG be decoded at 1/2, 1/4 or 1/8 scale (libjpeg DCT scaling, much faster than
     * decoding everything) as long as its shorter side stays at least {@code margin * minShorterSide}
     * (lens.image.reduced-decode-margin, default 1; the antialiased resize to {@code minShorterSide} follows; fidelity
     * and time by margin: docs/benchmarks.md#reduced-jpeg-decoding-2026-12-02).
     * Pass {@code 0} for full resolution. Other formats are always decoded at full resolution.
     */
    public DecodedImage decode(byte[] bytes, int minShorterSide) {
        return decode(bytes, minShorterSide, Duration.ofDays(1));
    }

    /**
     * As {@link #decode(byte[], int)}, waiting at most {@code maxWait} (what is left of the request's deadline) for
     * room in the decode budget.
     */
    public DecodedImage decode(byte[] bytes, int minShorterSide, Duration maxWait) {
        ImageHeader header = inspect(bytes);
        int orientation = header.format() == ImageFormat.JPEG ? EncodedStructure.jpegExifOrientation(bytes) : 1;
        int reduction = header.format() == ImageFormat.JPEG
                ? reduction(header, minShorterSide, settings.reducedDecodeMargin()) : 1;
        long pixels = (long) ceilDiv(header.width(), reduction) * ceilDiv(header.height(), reduction);
        DecodeBudget.Permit permit = budget.acquire(pixels * DecodeBudget.bytesPerPixel(header), pixels, maxWait);
        try {
            return decodeAdmitted(bytes, header, orientation, reduction).releasing(permit);
        } catch (RuntimeException | Error e) {
            permit.close();
            throw e;
        }
    }

    private DecodedImage decodeAdmitted(byte[] bytes, ImageHeader header, int orientation, int reduction) {

        int flags;
        if (header.hasAlpha()) {
            flags = Imgcodecs.IMREAD_UNCHANGED;
        } else {
            flags = Imgcodecs.IMREAD_IGNORE_ORIENTATION | switch (reduction) {
                case 2 -> Imgcodecs.IMREAD_REDUCED_COLOR_2;
                case 4 -> Imgcodecs.IMREAD_REDUCED_COLOR_4;
                case 8 -> Imgcodecs.IMREAD_REDUCED_COLOR_8;
                default -> Imgcodecs.IMREAD_COLOR;
            };
        }

        if (header.format() == ImageFormat.GIF) {
            return finish(GifDecoder.decodeFirstFrame(bytes, header), header, orientation, 1, false);
        }
        if (turbo != null && header.format() == ImageFormat.JPEG) {
            Mat rgb = turbo.decode(bytes, header.width(), header.height(), reduction).rgb();
            if (rgb != null) {
                return finish(rgb, header, orientation, reduction, false); // RGB already; else OpenCV's turn
            }
        }
        Mat decoded;
        MatOfByte buffer = new MatOfByte(bytes);
        try {
            decoded = Imgcodecs.imdecode(buffer, flags);
        } catch (CvException e) {
            throw new ImageRejectedException(Reason.CORRUPT, "The " + header.format() + " file could not be decoded.", e);
        } finally {
            buffer.release();
        }
        if (decoded == null || decoded.empty()) {
            if (decoded != null) {
                decoded.release();
            }
            throw new ImageRejectedException(Reason.CORRUPT, "The " + header.format() + " file could not be decoded.");
        }
        return finish(decoded, header, orientation, reduction, true);
    }

    /** Checks the decoded size, converts to RGB where needed ({@code bgr}: OpenCV's output) and orients. */
    private static DecodedImage finish(Mat decoded, ImageHeader header, int orientation, int reduction, boolean bgr) {
        try {
            int expectedW = ceilDiv(header.width(), reduction);
            int expectedH = ceilDiv(header.height(), reduction);
            if (Math.abs(decoded.cols() - expectedW) > 1 || Math.abs(decoded.rows() - expectedH) > 1) {
                throw new ImageRejectedException(Reason.CORRUPT, "The " + header.format() + " decoded to "
                        + decoded.cols() + " x " + decoded.rows() + " pixels although its header says "
                        + header.width() + " x " + header.height() + ".");
            }
            Mat rgb = bgr ? toRgb(decoded) : decoded;
            if (rgb != decoded) {
                decoded.release();
                decoded = rgb;
            }
            Mat oriented = applyOrientation(decoded, orientation);
            if (oriented != decoded) {
                decoded.release();
                decoded = oriented;
            }
            boolean swapped = orientation >= 5;
            int sourceW = swapped ? header.height() : header.width();
            int sourceH = swapped ? header.width() : header.height();
            DecodedImage image = new DecodedImage(decoded, header.format(), sourceW, sourceH);
            decoded = null;
            return image;
        } finally {
            if (decoded != null) {
                decoded.release();
            }
        }
    }

    static int reduction(ImageHeader header, int minShorterSide) {
        return reduction(header, minShorterSide, ImageSettings.DEFAULT_REDUCED_DECODE_MARGIN);
    }

    /** The largest DCT reduction (8, 4, 2 or 1) that keeps the shorter side at least {@code margin * minShorterSide}. */
    static int reduction(ImageHeader header, int minShorterSide, double margin) {
        if (minShorterSide <= 0) {
            return 1;
        }
        int shorter = Math.min(header.width(), header.height());
        for (int r : new int[] {8, 4, 2}) {
            if (shorter / r >= margin * minShorterSide) {
                return r;
            }
        }
        return 1;
    }

    /** Any 8/16-bit, 1/3/4-channel BGR(A) Mat to 8-bit RGB; alpha composited over white. May return the input. */
    private static Mat toRgb(Mat m) {
        Mat src = m;
        if (m.depth() != CvType.CV_8U) {
            Mat eight = new Mat();
            double scale = m.depth() == CvType.CV_16U ? 1.0 / 257.0 : 1.0;
            m.convertTo(eight, CvType.CV_8U, scale);
            src = eight;
        }
        Mat out = new Mat();
        switch (src.channels()) {
            case 1 -> Imgproc.cvtColor(src, out, Imgproc.COLOR_GRAY2RGB);
            case 3 -> Imgproc.cvtColor(src, out, Imgproc.COLOR_BGR2RGB);
            case 4 -> compositeOverWhite(src, out);
            default -> {
                out.release();
                if (src != m) {
                    src.release();
                }
                throw new ImageRejectedException(Reason.UNSUPPORTED_FORMAT,
                        "Images with " + m.channels() + " channels are not supported.");
            }
        }
        if (src != m) {
            src.release();
        }
        return out;
    }

    /** out = rgb * a + 255 * (1 - a), from BGRA. */
    private static void compositeOverWhite(Mat bgra, Mat out) {
        List<Mat> channels = new ArrayList<>(4);
        Core.split(bgra, channels);
        Mat alpha = channels.get(3);
        Mat rgb = new Mat();
        Mat alpha3 = new Mat();
        Mat fg = new Mat();
        Mat bg = new Mat();
        try {
            Imgproc.cvtColor(bgra, rgb, Imgproc.COLOR_BGRA2RGB);
            Imgproc.cvtColor(alpha, alpha3, Imgproc.COLOR_GRAY2RGB);
            Core.multiply(rgb, alpha3, fg, 1.0 / 255.0);
            Core.subtract(new Mat(alpha3.size(), alpha3.type(), Scalar.all(255)), alpha3, bg);
            Core.add(fg, bg, out);
        } finally {
            channels.forEach(Mat::release);
            rgb.release();
            alpha3.release();
            fg.release();
            bg.release();
        }
    }

    /**
     * Applies EXIF orientation 2..8 (the same transforms as PIL's ImageOps.exif_transpose). Returns {@code m} itself
     * for orientation 1, otherwise a new Mat; {@code m} is left untouched either way.
     */
    static Mat applyOrientation(Mat m, int orientation) {
        if (orientation < 2 || orientation > 8) {
            return m;
        }
        Mat out = new Mat();
        switch (orientation) {
            case 2 -> Core.flip(m, out, 1);
            case 3 -> Core.rotate(m, out, Core.ROTATE_180);
            case 4 -> Core.flip(m, out, 0);
            case 5 -> Core.transpose(m, out);
            case 6 -> Core.rotate(m, out, Core.ROTATE_90_CLOCKWISE);
            case 7 -> {
                Mat t = new Mat();
                Core.transpose(m, t);
                Core.rotate(t, out, Core.ROTATE_180);
                t.release();
            }
            default -> Core.rotate(m, out, Core.ROTATE_90_COUNTERCLOCKWISE); // 8
        }
        return out;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
    }
}
