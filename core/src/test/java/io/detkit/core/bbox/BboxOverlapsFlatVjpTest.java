package io.detkit.core.bbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.detkit.core.tensor.Tensors;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The flat-array aligned VJP gives the INDArray method's gradient bit for bit and checks its input. */
class BboxOverlapsFlatVjpTest {
  @ParameterizedTest
  @EnumSource(OverlapMode.class)
  void flatVjpEqualsTheArrayVjp(OverlapMode mode) {
    Random rnd = new Random(7 + mode.ordinal());
    int n = 300;
    double[] a = new double[4 * n];
    double[] b = new double[4 * n];
    double[] up = new double[n];
    for (int i = 0; i < n; i++) {
      for (double[] boxes : new double[][] {a, b}) {
        double x = rnd.nextInt(50);
        double y = rnd.nextDouble() * 50;
        boxes[4 * i] = x;
        boxes[4 * i + 1] = y;
        // Integer-aligned edges in a produce ties with b's, which exercise the min/max tie rules.
        boxes[4 * i + 2] = x + rnd.nextInt(20);
        boxes[4 * i + 3] = y + rnd.nextDouble() * 20;
      }
      up[i] = rnd.nextGaussian();
    }
    for (DataType dt : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      INDArray pa = Tensors.create(a, dt, n, 4);
      INDArray pb = Tensors.create(b, dt, n, 4);
      double[] expected = Tensors.toDoubles(BboxOverlaps.alignedVjp(pa, pb, mode, 1e-6, Tensors.create(up, dt, n)));
      boolean f32 = dt == DataType.FLOAT;
      double[] upstream = Tensors.toDoubles(Tensors.create(up, dt, n));
      double[] actual = BboxOverlaps.alignedVjp(Tensors.toDoubles(pa), Tensors.toDoubles(pb), mode, 1e-6, f32, upstream);
      assertThat(actual).as("%s %s", mode, dt).containsExactly(expected);
    }
  }

  @Test
  void badInputsAreNamed() {
    double[] box = {0, 0, 1, 1};
    assertThatThrownBy(() -> BboxOverlaps.alignedVjp(box, new double[8], OverlapMode.IOU, 1e-6, true, new double[1]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("4*n");
    assertThatThrownBy(() -> BboxOverlaps.alignedVjp(new double[] {0, 0, Double.NaN, 1}, box, OverlapMode.GIOU, 1e-6,
        true, new double[1])).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pred");
    assertThatThrownBy(() -> BboxOverlaps.alignedVjp(box, box, OverlapMode.GIOU, 1e-6, true,
        new double[] {Double.POSITIVE_INFINITY})).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("upstream");
    assertThatThrownBy(() -> BboxOverlaps.alignedVjp(box, box, OverlapMode.IOU, -1, false, new double[1]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("eps");
  }
}
