package com.listinglens.training;

import com.listinglens.image.OpenCv;
import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.MatOfInt;
import org.opencv.core.Rect;
import org.opencv.core.Size;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;

/**
 * Applies an {@link AugmentationPlan} to an RGB photo and writes the model's input: a {@code size x size} crop as
 * normalised float CHW ({@code (x/255 - mean) / std}), the layout the service feeds the model.
 *
 * <pre>{@code
 * Augmenter a = new Augmenter(224, mean, std);
 * a.apply(rgbMat, plan, batch, i * a.tensorLength());
 * }</pre>
 * Not thread-safe (it reuses its buffers); use one per thread.
 */
public final class Augmenter {

    private final int size;
    private final float[] mean;
    private final float[] std;
    private final byte[] pixels;

    public Augmenter(int size, float[] mean, float[] std) {
        if (size < 16 || mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("crop size >= 16 and 3 means and stds are needed");
        }
        OpenCv.ensureLoaded();
        this.size = size;
        this.mean = mean.clone();
        this.std = std.clone();
        this.pixels = new byte[size * size * 3];
    }

    public int tensorLength() {
        return 3 * size * size;
    }

    /** The photo (8-bit RGB, 3 channels) through the plan into {@code out[offset .. offset + tensorLength())}. */
    public void apply(Mat rgb, AugmentationPlan p, float[] out, int offset) {
        if (rgb.type() != CvType.CV_8UC3 || p.x() + p.w() > rgb.cols() || p.y() + p.h() > rgb.rows()) {
            throw new IllegalArgumentException("plan " + p + " does not fit a " + rgb.cols() + "x" + rgb.rows() + " RGB photo");
        }
        Mat crop = new Mat();
        Mat work = new Mat();
        Mat roi = rgb.submat(new Rect(p.x(), p.y(), p.w(), p.h()));
        Imgproc.resize(roi, crop, new Size(size, size), 0, 0, p.w() > size ? Imgproc.INTER_AREA : Imgproc.INTER_LINEAR);
        roi.release();
        if (p.flip()) {
            Core.flip(crop, crop, 1);
        }
        if (p.brightness() != 1 || p.contrast() != 1 || p.saturation() != 1) {
            colour(crop, p);
        }
        if (p.blurSigma() > 0) {
            Imgproc.GaussianBlur(crop, work, new Size(0, 0), p.blurSigma());
            work.copyTo(crop);
        }
        if (p.jpegQuality() > 0) {
            // OpenCV's codecs take BGR; the round trip is colour-neutral as long as both directions agree
            MatOfByte jpeg = new MatOfByte();
            Imgcodecs.imencode(".jpg", crop, jpeg, new MatOfInt(Imgcodecs.IMWRITE_JPEG_QUALITY, p.jpegQuality()));
            Mat back = Imgcodecs.imdecode(jpeg, Imgcodecs.IMREAD_COLOR);
            back.copyTo(crop);
            back.release();
            jpeg.release();
        }
        crop.get(0, 0, pixels);
        crop.release();
        work.release();
        int plane = size * size;
        for (int i = 0; i < plane; i++) {
            for (int c = 0; c < 3; c++) {
                out[offset + c * plane + i] = ((pixels[3 * i + c] & 0xff) / 255f - mean[c]) / std[c];
            }
        }
    }

    /** Brightness, contrast around the mean grey, and saturation around each pixel's grey, in float; clipped to 0..255. */
    private static void colour(Mat crop, AugmentationPlan p) {
        Mat f = new Mat();
        crop.convertTo(f, CvType.CV_32FC3, p.brightness(), 0);
        Mat grey = new Mat();
        Imgproc.cvtColor(f, grey, Imgproc.COLOR_RGB2GRAY);
        double meanGrey = Core.mean(grey).val[0];
        // contrast: f = (f - m) * c + m
        Core.addWeighted(f, p.contrast(), f, 0, meanGrey * (1 - p.contrast()), f);
        if (p.saturation() != 1) {
            Mat grey3 = new Mat();
            Imgproc.cvtColor(f, grey, Imgproc.COLOR_RGB2GRAY);
            Imgproc.cvtColor(grey, grey3, Imgproc.COLOR_GRAY2RGB);
            // f = grey + (f - grey) * s
            Core.addWeighted(f, p.saturation(), grey3, 1 - p.saturation(), 0, f);
            grey3.release();
        }
        f.convertTo(crop, CvType.CV_8UC3); // saturating cast: clips to 0..255
        f.release();
        grey.release();
    }
}
