package com.listinglens.training;

import com.listinglens.image.OpenCv;
import org.junit.jupiter.api.Test;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Scalar;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class AugmenterTest {

    private static final float[] MEAN = {0.485f, 0.456f, 0.406f};
    private static final float[] STD = {0.229f, 0.224f, 0.225f};

    @Test
    void anUntouchedPlanWritesTheNormalisedPixelsInChwOrder() {
        OpenCv.ensureLoaded();
        Mat rgb = new Mat(300, 400, CvType.CV_8UC3, new Scalar(200, 100, 50));
        Augmenter a = new Augmenter(32, MEAN, STD);
        float[] out = new float[2 * a.tensorLength()];
        a.apply(rgb, AugmentationPlan.centre(400, 300), out, a.tensorLength());
        int plane = 32 * 32;
        assertThat(out[0]).isZero(); // the first slot is left alone
        assertThat(out[a.tensorLength()]).isCloseTo((200 / 255f - MEAN[0]) / STD[0], within(1e-5f));
        assertThat(out[a.tensorLength() + plane]).isCloseTo((100 / 255f - MEAN[1]) / STD[1], within(1e-5f));
        assertThat(out[a.tensorLength() + 2 * plane + plane - 1]).isCloseTo((50 / 255f - MEAN[2]) / STD[2], within(1e-5f));
        rgb.release();
    }

    @Test
    void brightnessAndSaturationMoveThePixelsAndStayIn8Bits() {
        OpenCv.ensureLoaded();
        Mat rgb = new Mat(64, 64, CvType.CV_8UC3, new Scalar(200, 100, 50));
        Augmenter a = new Augmenter(16, new float[] {0, 0, 0}, new float[] {1, 1, 1});
        float[] plain = new float[a.tensorLength()];
        float[] bright = new float[a.tensorLength()];
        float[] grey = new float[a.tensorLength()];
        a.apply(rgb, new AugmentationPlan(0, 0, 64, 64, false, 1, 1, 1, 0, 0), plain, 0);
        a.apply(rgb, new AugmentationPlan(0, 0, 64, 64, true, 1.5, 1, 1, 0.8, 60), bright, 0);
        a.apply(rgb, new AugmentationPlan(0, 0, 64, 64, false, 1, 1, 0.0001, 0, 0), grey, 0);
        assertThat(bright[0]).isCloseTo(1.0f, within(0.02f)); // 200 * 1.5 clipped at 255
        assertThat(bright[256]).isGreaterThan(plain[256]);
        // no saturation: the three channels meet at the pixel's grey
        assertThat(grey[0]).isCloseTo(grey[256], within(0.01f));
        assertThat(grey[256]).isCloseTo(grey[512], within(0.01f));
        for (float v : bright) {
            assertThat(v).isBetween(0f, 1f);
        }
        rgb.release();
    }

    @Test
    void randomPlansAlwaysFill224AndAPlanOutsideThePhotoIsRefused() {
        OpenCv.ensureLoaded();
        Mat rgb = new Mat(320, 427, CvType.CV_8UC3, new Scalar(10, 20, 30));
        Augmenter a = new Augmenter(224, MEAN, STD);
        float[] out = new float[a.tensorLength()];
        Random r = new Random(5);
        for (int i = 0; i < 20; i++) {
            a.apply(rgb, AugmentationPlan.draw(r, 427, 320, AugmentationPlan.Ranges.PHONE), out, 0);
        }
        assertThatThrownBy(() -> a.apply(rgb, new AugmentationPlan(300, 0, 200, 200, false, 1, 1, 1, 0, 0), out, 0))
                .isInstanceOf(IllegalArgumentException.class);
        rgb.release();
    }
}
