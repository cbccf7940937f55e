package com.listinglens.image;

import org.opencv.core.CvType;
import org.opencv.core.Mat;

/**
 * A decoded photo: an 8-bit, 3-channel RGB {@link Mat} in display orientation (EXIF applied). Owns the Mat: close it
 * (try-with-resources) to free the native memory promptly. Not thread-safe to close while another thread reads it.
 */
public final class DecodedImage implements AutoCloseable {

    private final Mat rgb;
    private final ImageFormat format;
    private final int sourceWidth;
    private final int sourceHeight;
    private volatile boolean closed;
    private AutoCloseable onClose;

    /**
     * @param rgb an 8-bit 3-channel RGB Mat; this object takes ownership of it
     * @param format the format it was decoded from
     * @param sourceWidth width of the full-resolution photo in display orientation (may exceed {@code rgb.cols()}
     *     when it was decoded at a reduced scale)
     * @param sourceHeight height of the full-resolution photo in display orientation
     */
    public DecodedImage(Mat rgb, ImageFormat format, int sourceWidth, int sourceHeight) {
        if (rgb == null || rgb.empty() || rgb.type() != CvType.CV_8UC3) {
            throw new IllegalArgumentException("need a non-empty CV_8UC3 RGB Mat, got " + rgb);
        }
        this.rgb = rgb;
        this.format = format;
        this.sourceWidth = sourceWidth;
        this.sourceHeight = sourceHeight;
    }

    /** A full-resolution image. */
    public DecodedImage(Mat rgb, ImageFormat format) {
        this(rgb, format, rgb.cols(), rgb.rows());
    }

    /** The RGB pixels (CV_8UC3), still owned by this object. */
    public Mat mat() {
        if (closed) {
            throw new IllegalStateException("image already closed");
        }
        return rgb;
    }

    /** Width of the decoded pixels. */
    public int width() {
        return rgb.cols();
    }

    /** Height of the decoded pixels. */
    public int height() {
        return rgb.rows();
    }

    public ImageFormat format() {
        return format;
    }

    /** Width of the photo at full resolution, in display orientation. */
    public int sourceWidth() {
        return sourceWidth;
    }

    /** Height of the photo at full resolution, in display orientation. */
    public int sourceHeight() {
        return sourceHeight;
    }

    /** Copy of the pixels as interleaved RGB bytes, row-major ({@code width * height * 3}). */
    public byte[] rgbBytes() {
        byte[] out = new byte[width() * height() * 3];
        mat().get(0, 0, out);
        return out;
    }

    public boolean isClosed() {
        return closed;
    }

    /** Runs {@code release} (a decode budget's permit) when this image is closed; once. */
    DecodedImage releasing(AutoCloseable release) {
        this.onClose = release;
        return this;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            rgb.release();
            if (onClose != null) {
                try {
                    onClose.close();
                } catch (Exception e) {
                    throw new IllegalStateException("releasing a decoded image's budget failed", e);
                }
            }
        }
    }

    @Override
    public String toString() {
        return "DecodedImage[" + format + " " + width() + "x" + height()
                + (sourceWidth != width() || sourceHeight != height() ? " of " + sourceWidth + "x" + sourceHeight : "") + "]";
    }
}
