package com.listinglens.image;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Multi-scale embedding views of one photo (no I/O): the photo preprocessed at each crop size of {@code lens.image.scales}
 * (each resized in the model's own ratio, {@code crop x resize-shorter / crop-size}: 224 -> 256, 320 -> 366), every
 * view embedded, and the L2-normalised mean of the view embeddings standing for the photo. A larger view sees the
 * fine print of a package that 224 pixels blur; the mean keeps the whole-object view too. Measured on val
 * (bench/projection.sh --scales 224,320): docs/benchmarks.md#multi-scale-views.
 *
 * <p>The views change the embedding space: {@link #spaceSuffix()} is appended to the model's space, so a pool built
 * with other scales is refused like a pool of another model.
 */
public final class MultiScale {

    private final List<Integer> crops;
    private final List<Preprocessor> views;
    private final int decodeShorter;
    private final boolean configuredOnly;

    /** One view: the preprocessor's own settings (the service as it was before scales existed). */
    public MultiScale(Preprocessor single) {
        this.crops = List.of(single.settings().cropSize());
        this.views = List.of(single);
        this.decodeShorter = single.settings().resizeShorter();
        this.configuredOnly = true;
    }

    /**
     * @param base  the configured preprocessing (its crop size and resize give the ratio)
     * @param crops crop sizes of the views, each at least 32 and distinct; empty means {@code base} alone
     */
    public MultiScale(ImageSettings base, List<Integer> crops) {
        List<Integer> c = crops == null || crops.isEmpty() ? List.of(base.cropSize()) : List.copyOf(crops);
        if (c.stream().distinct().count() != c.size()) {
            throw new IllegalArgumentException("lens.image.scales names a crop size twice: " + c);
        }
        List<Preprocessor> v = new ArrayList<>();
        int decode = 0;
        for (int crop : c) {
            if (crop < 32 || crop > 2048) {
                throw new IllegalArgumentException("lens.image.scales: crop size " + crop + " is outside 32..2048");
            }
            ImageSettings s = at(base, crop);
            v.add(new Preprocessor(s));
            decode = Math.max(decode, s.resizeShorter());
        }
        this.crops = c;
        this.views = List.copyOf(v);
        this.decodeShorter = decode;
        this.configuredOnly = c.size() == 1 && c.get(0) == base.cropSize();
    }

    /** The settings of the view with crop size {@code crop}: resize in the base's ratio, everything else the base's. */
    public static ImageSettings at(ImageSettings base, int crop) {
        int resize = (int) Math.round(crop * (double) base.resizeShorter() / base.cropSize());
        return new ImageSettings(resize, crop, base.mean(), base.std(), base.maxBytes(), base.maxPixels(), base.maxSide(),
                base.reducedDecodeMargin());
    }

    public List<Integer> crops() {
        return crops;
    }

    public int views() {
        return views.size();
    }

    /** The shorter side to decode at: the largest view's resize (JPEGs are decoded at reduced scale down to it). */
    public int decodeShorter() {
        return decodeShorter;
    }

    /** "" for the configured crop alone, else "@224+320": appended to the model's embedding space. */
    public String spaceSuffix() {
        return configuredOnly ? "" : "@" + crops.stream().map(String::valueOf).collect(Collectors.joining("+"));
    }

    /** One CHW tensor per view, in the order of {@link #crops()}. */
    public List<float[]> toTensors(DecodedImage image) {
        List<float[]> out = new ArrayList<>(views.size());
        for (Preprocessor p : views) {
            out.add(p.toTensor(image));
        }
        return out;
    }
}
