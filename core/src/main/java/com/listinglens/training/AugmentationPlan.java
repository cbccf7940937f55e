package com.listinglens.training;

import java.util.Random;

/**
 * One random augmentation of one photo, drawn before any pixel is touched, so that the draw is pure and testable and
 * {@link Augmenter} only applies it. What a seller's phone photo varies in:
 * <ul>
 *   <li>framing: a crop of {@code minArea..1} of the photo's area with aspect ratio in {@code 3/4..4/3} (log-uniform),
 *       resized to the training size; a mirror image half of the time;</li>
 *   <li>light: brightness and contrast factors in {@code 1 ± light}, saturation in {@code 1 ± saturation}. Hue is
 *       never shifted: colour tells a red apple from a green one;</li>
 *   <li>focus: a Gaussian blur (sigma 0.3..1.5) with probability {@code blurChance};</li>
 *   <li>compression: a JPEG round trip at quality 35..95 with probability {@code jpegChance}.</li>
 * </ul>
 *
 * <pre>{@code
 * AugmentationPlan p = AugmentationPlan.draw(random, width, height, AugmentationPlan.Ranges.PHONE);
 * }</pre>
 *
 * @param x crop's left edge, pixels
 * @param y crop's top edge
 * @param w crop width (>= 1, x + w <= photo width)
 * @param h crop height
 * @param flip mirror left-right
 * @param brightness multiplies every channel
 * @param contrast scales the distance from the photo's mean grey
 * @param saturation scales the distance from each pixel's grey
 * @param blurSigma 0 for none
 * @param jpegQuality 0 for none, else 35..95
 */
public record AugmentationPlan(int x, int y, int w, int h, boolean flip, double brightness, double contrast,
                               double saturation, double blurSigma, int jpegQuality) {

    /** The ranges plans are drawn from. */
    public record Ranges(double minArea, double light, double saturation, double blurChance, double jpegChance) {
        /** Phone photos of goods on shelves. */
        public static final Ranges PHONE = new Ranges(0.25, 0.3, 0.2, 0.3, 0.5);
        /** No augmentation: the centre square, as the service's single view sees it. */
        public static final Ranges NONE = new Ranges(1, 0, 0, 0, 0);
    }

    public AugmentationPlan {
        if (w < 1 || h < 1 || x < 0 || y < 0) {
            throw new IllegalArgumentException("empty or negative crop " + w + "x" + h + "+" + x + "+" + y);
        }
    }

    /** The centre square of a photo, as large as fits, untouched otherwise. */
    public static AugmentationPlan centre(int width, int height) {
        return centre(width, height, 1);
    }

    /**
     * The centre square of side {@code fraction} of the shorter side: with {@code cropSize / resizeShorter} (224/256) it
     * is the service's single view (hold-out scoring uses it).
     */
    public static AugmentationPlan centre(int width, int height, double fraction) {
        if (!(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException("centre crop fraction must be in (0, 1]; got " + fraction);
        }
        int s = Math.max(1, (int) Math.round(Math.min(width, height) * fraction));
        return new AugmentationPlan((width - s) / 2, (height - s) / 2, s, s, false, 1, 1, 1, 0, 0);
    }

    /** A random plan for a photo of {@code width x height} pixels. */
    public static AugmentationPlan draw(Random r, int width, int height, Ranges ranges) {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("photo of " + width + "x" + height);
        }
        if (ranges.minArea() >= 1) {
            return centre(width, height);
        }
        double area = (double) width * height;
        for (int attempt = 0; attempt < 10; attempt++) {
            double target = area * (ranges.minArea() + r.nextDouble() * (1 - ranges.minArea()));
            double logRatio = Math.log(3.0 / 4) + r.nextDouble() * (Math.log(4.0 / 3) - Math.log(3.0 / 4));
            double ratio = Math.exp(logRatio);
            int w = (int) Math.round(Math.sqrt(target * ratio));
            int h = (int) Math.round(Math.sqrt(target / ratio));
            if (w >= 1 && h >= 1 && w <= width && h <= height) {
                int x = r.nextInt(width - w + 1);
                int y = r.nextInt(height - h + 1);
                return finish(r, x, y, w, h, ranges);
            }
        }
        AugmentationPlan c = centre(width, height);
        return finish(r, c.x(), c.y(), c.w(), c.h(), ranges);
    }

    private static AugmentationPlan finish(Random r, int x, int y, int w, int h, Ranges ranges) {
        boolean flip = r.nextBoolean();
        double brightness = 1 + ranges.light() * (2 * r.nextDouble() - 1);
        double contrast = 1 + ranges.light() * (2 * r.nextDouble() - 1);
        double saturation = 1 + ranges.saturation() * (2 * r.nextDouble() - 1);
        double blur = r.nextDouble() < ranges.blurChance() ? 0.3 + 1.2 * r.nextDouble() : 0;
        int quality = r.nextDouble() < ranges.jpegChance() ? 35 + r.nextInt(61) : 0;
        return new AugmentationPlan(x, y, w, h, flip, brightness, contrast, saturation, blur, quality);
    }
}
