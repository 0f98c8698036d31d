package io.detkit.core.coder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.detkit.core.tensor.Tensors;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class DistancePointBBoxCoderTest {
  @Test
  void encodesLeftTopRightBottomAndClampsToMaxDisMinusEps() {
    DistancePointBBoxCoder coder = new DistancePointBBoxCoder();
    double[] points = {10, 20};
    double[] gt = {4, 25, 40, 22};
    assertThat(coder.encode(points, gt)).containsExactly(6, -5, 30, 2);
    assertThat(coder.encode(points, gt, 16.0, 0.1)).containsExactly(6, 0, 15.9, 2);
    float[] f = coder.encode(new float[] {10, 20}, new float[] {4, 25, 40, 22}, 16.0, 0.1);
    assertThat(f[2]).isEqualTo((float) 15.9);
    assertThat(coder.encode(points, gt, null, 0.1)).containsExactly(6, -5, 30, 2);
  }

  @Test
  void decodeClipsOnlyWithClipBorderAndMaxShape() {
    double[] points = {10, 20};
    double[] pred = {12, 5, 3, 40};
    assertThat(new DistancePointBBoxCoder().decode(points, pred, null)).containsExactly(-2, 15, 13, 60);
    assertThat(new DistancePointBBoxCoder().decode(points, pred, new int[] {50, 12})).containsExactly(0, 15, 12, 50);
    assertThat(new DistancePointBBoxCoder(false).decode(points, pred, new int[] {50, 12}))
        .containsExactly(-2, 15, 13, 60);
    assertThat(new DistancePointBBoxCoder().decodeVjp(points, pred, new int[] {50, 12}, new double[] {1, 2, 3, 4}))
        .containsExactly(0, -2, 0, 0);
  }

  @Test
  void roundTripAndFiniteDifferenceGradient() {
    Random r = new Random(4);
    DistancePointBBoxCoder coder = new DistancePointBBoxCoder();
    double[] points = GradientCheck.uniform(r, 40, 0, 60);
    double[] boxes = new double[80];
    for (int i = 0; i < 20; i++) {
      boxes[4 * i] = points[2 * i] - 1 - 10 * r.nextDouble();
      boxes[4 * i + 1] = points[2 * i + 1] - 1 - 10 * r.nextDouble();
      boxes[4 * i + 2] = points[2 * i] + 1 + 10 * r.nextDouble();
      boxes[4 * i + 3] = points[2 * i + 1] + 1 + 10 * r.nextDouble();
    }
    double[] back = coder.decode(points, coder.encode(points, boxes), null);
    for (int i = 0; i < boxes.length; i++) {
      assertThat(back[i]).isCloseTo(boxes[i], within(1e-12));
    }
    double[] pred = GradientCheck.uniform(r, 80, -5, 20);
    double[] upstream = GradientCheck.uniform(r, 80, -1, 1);
    int[] maxShape = {55, 50};
    double[] analytic = coder.decodeVjp(points, pred, maxShape, upstream);
    assertThat(GradientCheck.check(coder, points, pred, maxShape, upstream, analytic, coder::decode))
        .isGreaterThan(72);
  }

  @Test
  void pointsMustBeNByTwo() {
    DistancePointBBoxCoder coder = new DistancePointBBoxCoder();
    INDArray boxes = Tensors.create(new float[8], DataType.FLOAT, 2, 4);
    assertThatThrownBy(() -> coder.encode(boxes, boxes)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("points must be [N,2] (x, y); got [2,4]");
    assertThat(coder.priorDim()).isEqualTo(2);
    INDArray points = Tensors.create(new double[] {1, 2, 3, 4}, DataType.DOUBLE, 2, 2);
    assertThat(coder.decode(points, boxes, null).dataType()).isEqualTo(DataType.DOUBLE);
    assertThatThrownBy(() -> coder.encode(points, boxes, Double.NaN, 0.1)).hasMessageContaining("max_dis");
  }
}
