package io.detkit.core.bbox;

import static io.detkit.core.bbox.BboxOverlapsTest.boxes;
import static io.detkit.core.bbox.BboxOverlapsTest.randomBoxes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.detkit.core.CoreRegistries;
import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.core.precision.Precision;
import io.detkit.core.tensor.Tensors;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class BboxOverlaps2DTest {
  @Test
  void buildsFromTheMmdetectionConfig() {
    BboxOverlaps2D calc = CoreRegistries.buildIouCalculator(Config.of("type", "BboxOverlaps2D"));
    assertThat(calc.scale()).isEqualTo(1.0);
    assertThat(calc.dtype()).isNull();
    assertThat(calc.toString()).isEqualTo("BboxOverlaps2D(scale=1.0, dtype=None)");
    BboxOverlaps2D fp16 = CoreRegistries.buildIouCalculator(Config.of("type", "BboxOverlaps2D", "scale", 512.0, "dtype", "fp16"));
    assertThat(fp16.scale()).isEqualTo(512.0);
    assertThat(fp16.dtype()).isEqualTo("fp16");
    assertThat(CoreRegistries.IOU_CALCULATORS.types()).containsExactly("BboxOverlaps2D");
    assertThat(CoreRegistries.IOU_CALCULATORS.kind()).isEqualTo("iou calculator");
  }

  @Test
  void rejectsUnknownParametersAndBadValues() {
    assertThatThrownBy(() -> CoreRegistries.buildIouCalculator(Config.of("type", "BboxOverlaps2D", "scal", 2.0)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("unknown parameter 'scal'")
        .hasMessageContaining("scale");
    assertThatThrownBy(() -> CoreRegistries.buildIouCalculator(Config.of("type", "BboxOverlaps2D", "dtype", "fp32")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("dtype")
        .hasMessageContaining("'fp32'");
    assertThatThrownBy(() -> CoreRegistries.buildIouCalculator(Config.of("type", "BboxOverlaps2D", "scale", 0)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("scale");
    assertThatThrownBy(() -> new BboxOverlaps2D(-1, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("scale must be finite and > 0; got -1.0");
  }

  @Test
  void aFifthScoreColumnIsDropped() {
    Random rnd = new Random(3);
    float[] a = randomBoxes(rnd, 4);
    float[] b = randomBoxes(rnd, 3);
    INDArray a5 = Nd4j.hstack(boxes(DataType.FLOAT, a), Nd4j.ones(DataType.FLOAT, 4, 1));
    BboxOverlaps2D calc = new BboxOverlaps2D();
    INDArray withScores = calc.overlaps(a5, boxes(DataType.FLOAT, b), "iof", false);
    INDArray plain = BboxOverlaps.bboxOverlaps(boxes(DataType.FLOAT, a), boxes(DataType.FLOAT, b), "iof", false);
    assertThat(withScores.shape()).containsExactly(4, 3);
    assertThat(Tensors.toFloats(withScores)).containsExactly(Tensors.toFloats(plain));
    assertThat(calc.overlaps(Nd4j.create(DataType.FLOAT, 0, 5), boxes(DataType.FLOAT, b)).shape())
        .containsExactly(0, 3);
  }

  @Test
  void otherColumnCountsAreRejected() {
    assertThatThrownBy(() -> new BboxOverlaps2D().overlaps(Nd4j.create(DataType.FLOAT, 2, 6),
        Nd4j.create(DataType.FLOAT, 2, 4)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("bboxes1 must be [..., N, 4] (x1, y1, x2, y2) or [..., N, 5] (with score); got [2,6]");
  }

  @Test
  void fp16ComputesInHalfPrecisionAndReturnsFloat32() {
    BboxOverlaps2D fp16 = new BboxOverlaps2D(1.0, "fp16");
    INDArray a = boxes(DataType.FLOAT, 0, 0, 10, 10, 0.1f, 0.1f, 3.3f, 7.7f);
    INDArray b = boxes(DataType.FLOAT, 0, 0, 10, 20, 1.7f, 0.2f, 5.1f, 6.9f);
    INDArray out = fp16.overlaps(a, b, OverlapMode.GIOU, false);
    assertThat(out.dataType()).isEqualTo(DataType.FLOAT);
    assertThat(out.getFloat(0, 0)).isEqualTo(0.5f);
    INDArray exact = BboxOverlaps.bboxOverlaps(a, b, OverlapMode.GIOU, false);
    for (int i = 0; i < 2; i++) {
      for (int j = 0; j < 2; j++) {
        float h = out.getFloat(i, j);
        assertThat((double) h).as("a float16 value").isEqualTo(Precision.toHalf(h));
        assertThat((double) h).isCloseTo(exact.getFloat(i, j), org.assertj.core.api.Assertions.within(5e-3));
      }
    }
  }

  @Test
  void fp16OverflowIsRejectedUnlessScaled() {
    // 1000 x 1000 areas exceed float16's 65504: MMDetection's inf - inf makes the union NaN; we refuse.
    INDArray a = boxes(DataType.FLOAT, 0, 0, 1000, 1000);
    INDArray b = boxes(DataType.FLOAT, 0, 0, 1000, 2000);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new BboxOverlaps2D(1.0, "fp16").overlaps(a, b))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("area of bboxes1 row 0 is Infinity").hasMessageContaining("larger scale");
    // Scaled by 1/64 the sides are 15.625 and 31.25; in float16 the areas round to 244.125 and 488.25,
    // their sum to 732.5, the union to 488.5 (a tie, to even), and 244.125 / 488.5 to 2047 / 4096.
    assertThat(new BboxOverlaps2D(64.0, "fp16").overlaps(a, b).getFloat(0, 0)).isEqualTo(2047f / 4096f);
    assertThat(new BboxOverlaps2D(64.0, null).overlaps(a, b).getFloat(0, 0)).isEqualTo(0.5f);
  }

  @Test
  void fp16AlignedMatchesItsPairwiseDiagonal() {
    Random rnd = new Random(5);
    INDArray a = boxes(DataType.DOUBLE, randomBoxes(rnd, 20));
    INDArray b = boxes(DataType.DOUBLE, randomBoxes(rnd, 20));
    BboxOverlaps2D fp16 = new BboxOverlaps2D(4.0, "fp16");
    for (OverlapMode mode : OverlapMode.values()) {
      INDArray all = fp16.overlaps(a, b, mode, false);
      INDArray diag = fp16.overlaps(a, b, mode, true);
      assertThat(diag.dataType()).isEqualTo(DataType.FLOAT);
      for (int i = 0; i < 20; i++) {
        assertThat(diag.getFloat(i)).isEqualTo(all.getFloat(i, i));
      }
    }
  }
}
