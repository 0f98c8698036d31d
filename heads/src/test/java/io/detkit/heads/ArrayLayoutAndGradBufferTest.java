package io.detkit.heads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.detkit.core.tensor.Tensors;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The array-level permutations the loss path uses agree with the primitive ones, keep the dtype,
 * and index like {@link Layout#nchwIndex}; the gradient buffer keeps first contributions, adds
 * later ones and fills untouched outputs with zeros; the finiteness screen still names bad elements.
 */
class ArrayLayoutAndGradAccumulatorTest {
  private static double[] ramp(int n) {
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = i * 0.25 - 7;
    }
    return x;
  }

  @Property(tries = 40)
  void arrayPermutationsMatchThePrimitiveOnes(@ForAll @IntRange(min = 1, max = 3) int n,
      @ForAll @IntRange(min = 1, max = 3) int a, @ForAll @IntRange(min = 1, max = 5) int k,
      @ForAll @IntRange(min = 1, max = 4) int h, @ForAll @IntRange(min = 1, max = 4) int w,
      @ForAll boolean asDouble) {
    DataType dtype = asDouble ? DataType.DOUBLE : DataType.FLOAT;
    double[] x = ramp(n * a * k * h * w);
    INDArray nchw = Tensors.create(x, dtype, n, (long) a * k, h, w);
    INDArray rows = Layout.toRows(nchw, a, k);
    assertThat(rows.shape()).containsExactly((long) n * h * w * a, k);
    assertThat(rows.dataType()).isEqualTo(dtype);
    assertThat(Tensors.toDoubles(rows)).containsExactly(Layout.toRows(x, n, a, k, h, w));
    INDArray back = Layout.fromRows(rows, n, a, k, h, w);
    assertThat(back.shape()).containsExactly(n, (long) a * k, h, w);
    assertThat(back.dataType()).isEqualTo(dtype);
    assertThat(back.ordering()).isEqualTo('c');
    assertThat(Tensors.toDoubles(back)).containsExactly(x);
    double[] r = Layout.toRows(x, n, a, k, h, w);
    for (int row = 0; row < n * h * w * a; row++) {
      for (int col = 0; col < k; col++) {
        assertThat(x[Layout.nchwIndex(row, col, a, k, h * w)]).isEqualTo(r[row * k + col]);
      }
    }
  }

  @Test
  void toRowsReadsViewsAndFortranOrder() {
    double[] x = ramp(2 * 6 * 2 * 3);
    INDArray c = Tensors.create(x, DataType.FLOAT, 2, 6, 2, 3);
    INDArray f = c.dup('f');
    INDArray secondImage = c.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 2),
        org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.all(),
        org.nd4j.linalg.indexing.NDArrayIndex.all());
    assertThat(Tensors.toDoubles(Layout.toRows(f, 2, 3))).containsExactly(Layout.toRows(x, 2, 2, 3, 2, 3));
    double[] second = java.util.Arrays.copyOfRange(x, 36, 72);
    assertThat(Tensors.toDoubles(Layout.toRows(secondImage, 2, 3)))
        .containsExactly(Layout.toRows(second, 1, 2, 3, 2, 3));
  }

  @Test
  void emptyLevelsPermuteToEmptyArrays() {
    INDArray empty = Tensors.create(new float[0], DataType.FLOAT, 1, 8, 0, 3);
    assertThat(Layout.toRows(empty, 2, 4).shape()).containsExactly(0, 4);
    assertThat(Layout.fromRows(Layout.toRows(empty, 2, 4), 1, 2, 4, 0, 3).shape()).containsExactly(1, 8, 0, 3);
  }

  @Test
  void gradBufferKeepsAddsAndZeroFills() {
    INDArray out = Tensors.create(ramp(2 * 4 * 1 * 2), DataType.FLOAT, 2, 4, 1, 2);
    HeadOutputs outputs = HeadOutputs.of(List.of(out, out), List.of(out, out));
    GradAccumulator grads = new GradAccumulator(outputs, DataType.FLOAT);
    INDArray rows = Tensors.create(ramp(2 * 2 * 1 * 2 * 2), DataType.DOUBLE, 8, 2);
    grads.addRows(HeadOutputs.CLS_SCORES, 0, rows, 2);
    grads.addRows(HeadOutputs.CLS_SCORES, 0, rows, 2);
    grads.add(HeadOutputs.BBOX_PREDS, 1, out);
    HeadOutputs g = grads.toOutputs();
    double[] once = Layout.fromRows(Tensors.toDoubles(rows), 2, 2, 2, 1, 2);
    double[] twice = new double[once.length];
    for (int i = 0; i < once.length; i++) {
      twice[i] = (float) (once[i] + once[i]);
    }
    assertThat(g.get(HeadOutputs.CLS_SCORES, 0).dataType()).isEqualTo(DataType.FLOAT);
    assertThat(Tensors.toDoubles(g.get(HeadOutputs.CLS_SCORES, 0))).containsExactly(twice);
    assertThat(Tensors.toDoubles(g.get(HeadOutputs.BBOX_PREDS, 1))).containsExactly(Tensors.toDoubles(out));
    assertThat(Tensors.toDoubles(g.get(HeadOutputs.CLS_SCORES, 1))).containsOnly(0.0).hasSize(16);
    assertThat(g.get(HeadOutputs.BBOX_PREDS, 0).shape()).containsExactly(2, 4, 1, 2);
    assertThatThrownBy(() -> grads.add(HeadOutputs.BBOX_PREDS, 0, rows))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bbox_preds[0] must be [2, 4, 1, 2]; got [8, 2]");
  }

  @Test
  void finitenessScreenPassesFiniteArraysAndNamesBadElements() {
    float[] big = {3e38f, 3e38f, -Float.MAX_VALUE, Float.MIN_VALUE};
    OutputChecks.requireFinite(Tensors.create(big, DataType.FLOAT, 4), "big");
    OutputChecks.requireFinite(Tensors.create(new double[] {1e308, -1e308}, DataType.DOUBLE, 2), "big");
    float[] bad = {1, 2, 3, 4, 5, 6, 7, Float.NaN};
    assertThatThrownBy(() -> OutputChecks.requireFinite(Tensors.create(bad, DataType.FLOAT, 2, 4), "x"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("element 7 is NaN");
    float[] infs = {0, Float.NEGATIVE_INFINITY};
    assertThatThrownBy(() -> OutputChecks.requireFinite(Tensors.create(infs, DataType.FLOAT, 2), "y"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("element 1");
    // The scan reads floats two to a long: a bad value in either half, or alone after the last long.
    float[] oddTail = {1, 2, Float.POSITIVE_INFINITY};
    assertThatThrownBy(() -> OutputChecks.requireFinite(Tensors.create(oddTail, DataType.FLOAT, 3), "t"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("element 2");
    float[] lowHalf = {Float.intBitsToFloat(0xFFC00001), 1, 2, 3, 4};
    assertThatThrownBy(() -> OutputChecks.requireFinite(Tensors.create(lowHalf, DataType.FLOAT, 5), "l"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("element 0 is NaN");
    OutputChecks.requireFinite(Tensors.create(new float[] {1, 2, 3}, DataType.FLOAT, 3), "odd");
    double[] dinf = {Double.POSITIVE_INFINITY, 0};
    assertThatThrownBy(() -> OutputChecks.requireFinite(Tensors.create(dinf, DataType.DOUBLE, 2), "z"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("element 0");
    // A view: the exact check reads just its elements.
    INDArray withNan = Tensors.create(new float[] {Float.NaN, 1, 2, 3}, DataType.FLOAT, 2, 2);
    OutputChecks.requireFinite(withNan.getRow(1), "row 1");
    INDArray half = Tensors.create(new float[] {1, Float.NaN}, DataType.FLOAT, 2).castTo(DataType.HALF);
    assertThatThrownBy(() -> OutputChecks.requireFinite(half, "h"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("element 1 is NaN");
  }
}
