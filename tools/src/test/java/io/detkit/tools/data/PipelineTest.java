package io.detkit.tools.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.detkit.core.config.ConfigException;
import io.detkit.core.config.ConfigLoader;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PipelineTest {
  private static Pipeline pipeline(String list) {
    return Pipeline.fromConfig(ConfigLoader.fromPython("p = " + list, "p.py").getList("p"), "p");
  }

  /** A 40 x 20 (w x h) image whose pixel (x, y) has red = x, green = y, blue = 7. */
  private static RawSample raw() {
    BufferedImage img = new BufferedImage(40, 20, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 20; y++) {
      for (int x = 0; x < 40; x++) {
        img.setRGB(x, y, (x << 16) | (y << 8) | 7);
      }
    }
    return new RawSample("r", img, new float[] {4, 2, 14, 12, 30, 0, 40, 20}, new int[] {1, 2}, new float[0]);
  }

  @Test
  void resizeKeepingTheRatioScalesBoxesAndRecordsShapes() {
    DetectionSample s = pipeline("[dict(type='Resize', img_scale=(80, 60), keep_ratio=True)]")
        .apply(raw(), new SplittableRandom(1));
    // min(max(80, 60) / max(20, 40), min(80, 60) / min(20, 40)) = min(2, 3) = 2.
    assertThat(s.imgShape()).containsExactly(40, 80);
    assertThat(s.padShape()).containsExactly(40, 80);
    assertThat(s.oriShape()).containsExactly(20, 40);
    assertThat(s.scaleFactor()).containsExactly(2, 2, 2, 2);
    assertThat(s.boxes()).containsExactly(8, 4, 28, 24, 60, 0, 80, 40);
    assertThat(s.oriBoxes()).containsExactly(4, 2, 14, 12, 30, 0, 40, 20);
    assertThat(s.preview().getWidth()).isEqualTo(80);
  }

  @Test
  void resizeWithoutKeepingTheRatioUsesEachAxisFactor() {
    DetectionSample s = pipeline("[dict(type='Resize', img_scale=(20, 40), keep_ratio=False)]")
        .apply(raw(), new SplittableRandom(1));
    assertThat(s.imgShape()).containsExactly(40, 20);
    assertThat(s.scaleFactor()).containsExactly(0.5, 2, 0.5, 2);
    assertThat(s.boxes()).containsExactly(2, 4, 7, 24, 15, 0, 20, 40);
  }

  @Test
  void flipMirrorsBoxesAndPixels() {
    DetectionSample s = pipeline("[dict(type='RandomFlip', flip_ratio=1.0)]").apply(raw(), new SplittableRandom(1));
    assertThat(s.flip()).isTrue();
    assertThat(s.boxes()).containsExactly(26, 2, 36, 12, 0, 0, 10, 20);
    // Channel 0 (red) held x; after the flip column x holds 39 - x.
    assertThat(s.image()[0]).isEqualTo(39f);
    assertThat(s.image()[39]).isEqualTo(0f);
    DetectionSample never = pipeline("[dict(type='RandomFlip', flip_ratio=0.0)]").apply(raw(), new SplittableRandom(1));
    assertThat(never.flip()).isFalse();
  }

  @ParameterizedTest(name = "image type {0}")
  @CsvSource({"1", "5"}) // TYPE_INT_RGB (read in place), TYPE_3BYTE_BGR (converted)
  void flipMirrorsEveryPixelOfAnyImageType(int imageType) {
    RawSample r = raw();
    BufferedImage img = new BufferedImage(40, 20, imageType);
    img.getGraphics().drawImage(r.image(), 0, 0, null);
    DetectionSample s = pipeline("[dict(type='RandomFlip', flip_ratio=1.0)]")
        .apply(new RawSample("r", img, r.boxes(), r.labels(), new float[0]), new SplittableRandom(1));
    int plane = 20 * 40;
    for (int y = 0; y < 20; y++) {
      for (int x = 0; x < 40; x++) {
        int p = img.getRGB(39 - x, y);
        assertThat(s.preview().getRGB(x, y)).isEqualTo(p);
        int at = y * 40 + x;
        assertThat(new float[] {s.image()[at], s.image()[plane + at], s.image()[2 * plane + at]})
            .containsExactly((p >> 16) & 0xff, (p >> 8) & 0xff, p & 0xff);
      }
    }
    assertThat(img.getRGB(0, 0)).isEqualTo(r.image().getRGB(0, 0));
  }

  @Test
  void normalizeAndPadGiveNormalizedChwWithZeroPadding() {
    DetectionSample s = pipeline("[dict(type='Normalize', mean=[1.0, 2.0, 3.0], std=[2.0, 4.0, 8.0], to_rgb=True),"
        + " dict(type='Pad', size_divisor=16)]").apply(raw(), new SplittableRandom(1));
    assertThat(s.padShape()).containsExactly(32, 48);
    assertThat(s.imgShape()).containsExactly(20, 40);
    int plane = 32 * 48;
    int at = 5 * 48 + 10; // y = 5, x = 10
    assertThat(s.image()[at]).isCloseTo((10 - 1) / 2f, within(1e-6f));
    assertThat(s.image()[plane + at]).isCloseTo((5 - 2) / 4f, within(1e-6f));
    assertThat(s.image()[2 * plane + at]).isCloseTo((7 - 3) / 8f, within(1e-6f));
    assertThat(s.image()[25 * 48 + 10]).isZero();
    assertThat(s.image()[5 * 48 + 45]).isZero();
    DetectionSample bgr = pipeline("[dict(type='Normalize', mean=[0.0, 0.0, 0.0], std=[1.0, 1.0, 1.0], to_rgb=False)]")
        .apply(raw(), new SplittableRandom(1));
    assertThat(bgr.image()[0]).isEqualTo(7f);
  }

  @Test
  void multiScaleFlipAugGivesItsScaleToTheInnerResize() {
    DetectionSample s = pipeline("[dict(type='LoadImageFromFile'), dict(type='MultiScaleFlipAug', img_scale=(20, 20),"
        + " flip=False, transforms=[dict(type='Resize', keep_ratio=True), dict(type='RandomFlip'),"
        + " dict(type='Pad', size_divisor=8), dict(type='ImageToTensor', keys=['img']),"
        + " dict(type='Collect', keys=['img'])])]").apply(raw(), new SplittableRandom(1));
    assertThat(s.imgShape()).containsExactly(10, 20);
    assertThat(s.padShape()).containsExactly(16, 24);
    assertThat(s.flip()).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      [dict(type='Resize', img_scale=(8, 8)), dict(type='Rotate', angle=3)]               | p[1].type: unknown pipeline transform type 'Rotate'
      [dict(type='Resize', img_scale=(8, 8), keep_ration=True)]                           | keep_ration
      [dict(type='Resize', keep_ratio=True)]                                              | img_scale
      [dict(type='MultiScaleFlipAug', img_scale=(8, 8), flip=True, transforms=[])]        | flip
      [dict(type='Pad')]                                                                  | size_divisor
      [dict(type='Pad', size_divisor=8, size=(8, 8))]                                     | exactly one of size_divisor and size
      [dict(type='Normalize', mean=[1.0], std=[1.0, 1.0, 1.0])]                           | 3 values
      [dict(type='Normalize', mean=[1.0, 1.0, 1.0], std=[1.0, 0.0, 1.0])]                 | p[0].std: must be positive
      [dict(type='RandomFlip', flip_ratio=1.5)]                                           | p[0].flip_ratio: must be in [0, 1]
      [dict(type='Collect', keys=['gt_bboxes'])]                                          | 'img'
      """)
  void aBadStepIsRefusedByName(String pipeline, String message) {
    assertThatThrownBy(() -> pipeline(pipeline)).isInstanceOf(ConfigException.class).hasMessageContaining(message);
  }

  @Test
  void anUnknownMultiScaleFlipAugKeyListsOnlyTheKeysThatAreRead() {
    assertThatThrownBy(() -> pipeline("[dict(type='MultiScaleFlipAug', flipp=False, transforms=[])]"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("unknown parameter 'flipp'")
        .hasMessageContaining("accepted:").hasMessageNotContaining("scale_factor");
    assertThatThrownBy(() -> pipeline("[dict(type='MultiScaleFlipAug', scale_factor=1.0, transforms=[])]"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("only img_scale is supported");
  }

  @Test
  void aStepInTheWrongOrderFailsWhenApplied() {
    Pipeline wrongOrder = pipeline("[dict(type='Pad', size_divisor=8), dict(type='Resize', img_scale=(8, 8))]");
    assertThatThrownBy(() -> wrongOrder.apply(raw(), new SplittableRandom(1)))
        .hasMessageContaining("Resize must come before");
  }

  @Test
  void emptyPipelineKeepsPixelValues() {
    DetectionSample s = pipeline("[]").apply(raw(), new SplittableRandom(1));
    assertThat(s.image()).hasSize(3 * 20 * 40);
    assertThat(s.image()[41]).isEqualTo(1f);
    assertThat(List.of(s.labels()[0], s.labels()[1])).containsExactly(1, 2);
  }
}
