package io.detkit.tools.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ShapesDatasetTest {
  private final ShapesDataset train = new ShapesDataset(50, 96, 1, 5, 12, 40, 0.03, 7);

  @Test
  void sameSeedAndIndexGiveTheSameImage() {
    ShapesDataset again = new ShapesDataset(50, 96, 1, 5, 12, 40, 0.03, 7);
    for (int i : new int[] {0, 13, 49}) {
      ShapesDataset.Raw a = train.raw(i);
      ShapesDataset.Raw b = again.raw(i);
      assertThat(a.boxes()).containsExactly(b.boxes());
      assertThat(a.labels()).containsExactly(b.labels());
      assertThat(pixels(a.image())).containsExactly(pixels(b.image()));
    }
  }

  @Test
  void aKeptImageIsTheDrawnOneAndCallersCannotChangeIt() {
    ShapesDataset drawnEachTime = new ShapesDataset(train.settings(), 0);
    for (int i : new int[] {3, 3, 41}) {
      ShapesDataset.Raw kept = train.raw(i);
      ShapesDataset.Raw drawn = drawnEachTime.raw(i);
      assertThat(pixels(kept.image())).containsExactly(pixels(drawn.image()));
      assertThat(kept.boxes()).containsExactly(drawn.boxes());
      assertThat(kept.labels()).containsExactly(drawn.labels());
      // What a caller does to its copy must not reach the next call's image.
      kept.image().setRGB(0, 0, 0xffffff);
      kept.boxes()[0] = -1;
      kept.labels()[0] = -1;
    }
    ShapesDataset.Raw again = train.raw(3);
    assertThat(pixels(again.image())).containsExactly(pixels(drawnEachTime.raw(3).image()));
    assertThat(again.boxes()[0]).isNotNegative();
    assertThat(again.labels()[0]).isNotNegative();
  }

  @Test
  void otherSeedGivesOtherImages() {
    ShapesDataset val = new ShapesDataset(50, 96, 1, 5, 12, 40, 0.03, 8);
    assertThat(pixels(val.raw(0).image())).isNotEqualTo(pixels(train.raw(0).image()));
  }

  @Test
  void annotationsRespectTheSpec() {
    for (int i = 0; i < train.size(); i++) {
      ShapesDataset.Raw r = train.raw(i);
      assertThat(r.labels().length).isBetween(1, 5);
      for (int k = 0; k < r.labels().length; k++) {
        float w = r.boxes()[4 * k + 2] - r.boxes()[4 * k];
        float h = r.boxes()[4 * k + 3] - r.boxes()[4 * k + 1];
        assertThat(w).isBetween(12f, 40f);
        assertThat(h).isBetween(12f, 40f);
        assertThat(r.boxes()[4 * k]).isGreaterThanOrEqualTo(0f);
        assertThat(r.boxes()[4 * k + 2]).isLessThanOrEqualTo(96f);
        assertThat(r.labels()[k]).isBetween(0, 2);
      }
    }
  }

  @Test
  void shapeIsDrawnInsideItsBox() {
    ShapesDataset clean = new ShapesDataset(5, 64, 1, 1, 20, 30, 0, 3);
    ShapesDataset.Raw r = clean.raw(0);
    int cx = (int) ((r.boxes()[0] + r.boxes()[2]) / 2);
    int cy = (int) ((r.boxes()[1] + r.boxes()[3]) / 2) + 2;
    int bg = r.image().getRGB(0, 0);
    if (r.boxes()[0] == 0 && r.boxes()[1] == 0) {
      bg = r.image().getRGB(63, 63);
    }
    assertThat(r.image().getRGB(cx, cy)).isNotEqualTo(bg);
  }

  @ParameterizedTest(name = "{8}")
  @CsvSource(delimiter = '|', textBlock = """
      -1 | 96 | 1 | 5 | 12 | 40  | 0    | 1 | size must be >= 0; got -1
       1 |  8 | 1 | 5 |  4 |  8  | 0    | 1 | image_size must be >= 16; got 8
       1 | 96 | 0 | 5 | 12 | 40  | 0    | 1 | min_objects
       1 | 96 | 3 | 2 | 12 | 40  | 0    | 1 | min_objects <= max_objects; got 3, 2
       1 | 96 | 1 | 5 |  3 | 40  | 0    | 1 | 4 <= min_side
       1 | 96 | 1 | 5 | 12 | 400 | 0    | 1 | max_side <= image_size
       1 | 96 | 1 | 5 | 12 | 40  | 1.5  | 1 | noise must be in [0, 1]; got 1.5
      """)
  void badSettingsAreNamed(int size, int imageSize, int minObjects, int maxObjects, int minSide, int maxSide,
      double noise, long seed, String message) {
    assertThatThrownBy(() -> new ShapesDataset(size, imageSize, minObjects, maxObjects, minSide, maxSide, noise, seed))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
  }

  @Test
  void anIndexOutsideTheDatasetIsNamedWithTheRange() {
    assertThatThrownBy(() -> train.raw(50)).isInstanceOf(IndexOutOfBoundsException.class)
        .hasMessageContaining("[0, 50)");
    assertThatThrownBy(() -> train.load(-1)).hasMessageContaining("got -1");
  }

  private static int[] pixels(BufferedImage img) {
    return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
  }
}
