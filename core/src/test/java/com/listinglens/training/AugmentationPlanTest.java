package com.listinglens.training;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AugmentationPlanTest {

    @Test
    void everyDrawnCropLiesInsideThePhotoWithinTheAreaAndRatioRanges() {
        Random r = new Random(1);
        int flips = 0;
        int jpeg = 0;
        int blur = 0;
        for (int i = 0; i < 5000; i++) {
            int w = 50 + r.nextInt(600);
            int h = 50 + r.nextInt(600);
            AugmentationPlan p = AugmentationPlan.draw(r, w, h, AugmentationPlan.Ranges.PHONE);
            assertThat(p.x() + p.w()).isLessThanOrEqualTo(w);
            assertThat(p.y() + p.h()).isLessThanOrEqualTo(h);
            double area = (double) p.w() * p.h() / ((double) w * h);
            double ratio = (double) p.w() / p.h();
            boolean fallback = p.w() == p.h() && p.w() == Math.min(w, h);
            if (!fallback) {
                assertThat(area).isBetween(0.24, 1.01);
                assertThat(ratio).isBetween(0.74, 1.36);
            }
            assertThat(p.brightness()).isBetween(0.7, 1.3);
            assertThat(p.contrast()).isBetween(0.7, 1.3);
            assertThat(p.saturation()).isBetween(0.8, 1.2);
            assertThat(p.blurSigma() == 0 || (p.blurSigma() >= 0.3 && p.blurSigma() <= 1.5)).isTrue();
            assertThat(p.jpegQuality() == 0 || (p.jpegQuality() >= 35 && p.jpegQuality() <= 95)).isTrue();
            flips += p.flip() ? 1 : 0;
            jpeg += p.jpegQuality() > 0 ? 1 : 0;
            blur += p.blurSigma() > 0 ? 1 : 0;
        }
        assertThat(flips).isBetween(2300, 2700);
        assertThat(jpeg).isBetween(2300, 2700);
        assertThat(blur).isBetween(1300, 1700);
    }

    @Test
    void theSameSeedDrawsTheSamePlans() {
        assertThat(AugmentationPlan.draw(new Random(9), 400, 300, AugmentationPlan.Ranges.PHONE))
                .isEqualTo(AugmentationPlan.draw(new Random(9), 400, 300, AugmentationPlan.Ranges.PHONE));
    }

    @Test
    void noAugmentationIsTheCentreSquare() {
        AugmentationPlan p = AugmentationPlan.draw(new Random(1), 400, 300, AugmentationPlan.Ranges.NONE);
        assertThat(p).isEqualTo(new AugmentationPlan(50, 0, 300, 300, false, 1, 1, 1, 0, 0));
    }

    @Test
    void theServiceViewIsTheCentreOfTheShorterSideInTheRatioCropToResize() {
        AugmentationPlan p = AugmentationPlan.centre(512, 384, 224.0 / 256);
        assertThat(p.w()).isEqualTo(336);
        assertThat(p.h()).isEqualTo(336);
        assertThat(p.x()).isEqualTo(88);
        assertThat(p.y()).isEqualTo(24);
        assertThatThrownBy(() -> AugmentationPlan.centre(10, 10, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AugmentationPlan.draw(new Random(1), 0, 10, AugmentationPlan.Ranges.PHONE))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
