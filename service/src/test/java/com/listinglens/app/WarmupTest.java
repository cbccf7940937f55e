package com.listinglens.app;

import com.listinglens.image.DecodedImage;
import com.listinglens.image.ImageDecoder;
import com.listinglens.image.ImageFormat;
import com.listinglens.image.ImageSettings;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class WarmupTest {

    /** The warm-up photos take the real path: a photo-sized JPEG that decodes at reduced scale, new bytes per seed. */
    @Test
    void syntheticPhotosArePhotoSizedJpegsThatDecode() {
        byte[] a = Warmup.syntheticJpeg(1024, 768, 0);
        byte[] b = Warmup.syntheticJpeg(1024, 768, 1);
        assertThat(a).isNotEqualTo(b);
        assertThat(a.length).isGreaterThan(50_000); // real entropy-coded data, not a flat image
        ImageDecoder decoder = new ImageDecoder(ImageSettings.defaults());
        try (DecodedImage image = decoder.decode(a, 256)) {
            assertThat(image.format()).isEqualTo(ImageFormat.JPEG);
            assertThat(image.sourceWidth()).isEqualTo(1024);
            assertThat(image.width()).isEqualTo(512); // decoded at 1/2: the reduced-scale path
        }
    }
}
