package io.detkit.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CocoScaleTest {
  @Test
  void retinaAndAtssAnchorCountsAreCocoScale() {
    assertThat(CocoScale.numLocations()).isEqualTo(15200 + 3800 + 950 + 247 + 70);
    assertThat(CocoScale.anchors(CocoScale.retinaAnchorGenerator())).hasSize(4 * CocoScale.RETINA_ANCHORS);
    assertThat(CocoScale.numLevelAnchors(CocoScale.atssAnchorGenerator()))
        .containsExactly(15200, 3800, 950, 247, 70);
  }

  @Test
  void groundTruthIsReproducibleAndInsideTheImage() {
    float[] a = CocoScale.gtBoxes(100, CocoScale.GT_SEED);
    assertThat(CocoScale.gtBoxes(100, CocoScale.GT_SEED)).containsExactly(a);
    assertThat(CocoScale.gtBoxes(100, CocoScale.GT_SEED_2)).isNotEqualTo(a);
    for (int i = 0; i < 100; i++) {
      assertThat(a[4 * i]).isGreaterThanOrEqualTo(0f).isLessThan(a[4 * i + 2]);
      assertThat(a[4 * i + 1]).isGreaterThanOrEqualTo(0f).isLessThan(a[4 * i + 3]);
      assertThat(a[4 * i + 2]).isLessThanOrEqualTo(CocoScale.IMG_W);
      assertThat(a[4 * i + 3]).isLessThanOrEqualTo(CocoScale.IMG_H);
    }
  }

  @Test
  void firstImageOfAHeadMapDoesNotDependOnTheBatch() {
    float[] one = HeadMaps.map(HeadMaps.Kind.ATSS, HeadMaps.Output.CLS, 4, 1);
    float[] two = HeadMaps.map(HeadMaps.Kind.ATSS, HeadMaps.Output.CLS, 4, 2);
    assertThat(one).hasSize(80 * 7 * 10);
    assertThat(java.util.Arrays.copyOf(two, one.length)).containsExactly(one);
  }

  @Test
  void npyHeaderIsPaddedTo64BytesAndNamesTheShape(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("a.npy");
    NpyWriter.write(f, new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
    byte[] bytes = Files.readAllBytes(f);
    int headerLen = (bytes[8] & 0xff) | (bytes[9] & 0xff) << 8;
    assertThat((10 + headerLen) % 64).isZero();
    assertThat(bytes).hasSize(10 + headerLen + 6 * 4);
    String header = new String(bytes, 10, headerLen, StandardCharsets.US_ASCII);
    assertThat(header).contains("'descr': '<f4'").contains("'shape': (2, 3)").endsWith("\n");
  }
}
