package io.detkit.heads.gfl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.detkit.core.golden.GoldenCase;
import io.detkit.core.golden.GoldenSet;
import io.detkit.core.tensor.Tensors;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class IntegralTest {
  @Test
  void expectationOfHandPickedDistributions() {
    Integral integral = new Integral(2);
    // Side 1: equal logits -> p = 1/3 each -> 1. Side 2: logits (0, 0, ln 2) -> p = (1/4, 1/4, 1/2)
    // -> 1/4 + 2/2 = 1.25. Side 3: one dominant bin 0 -> ~0. Side 4: dominant bin 2 -> ~2.
    double[] x = {0, 0, 0, 0, 0, Math.log(2), 50, 0, 0, 0, 0, 50};
    double[] d = integral.forward(x, 1, false);
    assertThat(d[0]).isCloseTo(1.0, within(1e-15));
    assertThat(d[1]).isCloseTo(1.25, within(1e-15));
    assertThat(d[2]).isCloseTo(0.0, within(1e-20));
    assertThat(d[3]).isCloseTo(2.0, within(1e-20));
  }

  @Test
  void gradientMatchesFiniteDifferences() {
    Integral integral = new Integral(4);
    double[] x = new double[2 * 4 * 5];
    for (int i = 0; i < x.length; i++) {
      x[i] = Math.sin(1.7 * i) * 2;
    }
    double[] up = {0.3, -1.2, 0.7, 2.0, -0.4, 1.1, 0.9, -0.8};
    double[] g = integral.backward(x, 2, up, false);
    double h = 1e-6;
    for (int i = 0; i < x.length; i++) {
      double[] plus = x.clone();
      double[] minus = x.clone();
      plus[i] += h;
      minus[i] -= h;
      double fp = dot(up, integral.forward(plus, 2, false));
      double fm = dot(up, integral.forward(minus, 2, false));
      assertThat(g[i]).as("element %d", i).isCloseTo((fp - fm) / (2 * h), within(1e-8));
    }
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  /**
   * MMDetection's own Integral, seen through GFLHead/standard: the positives' predicted boxes given
   * to the GIoU loss are distance2bbox(anchor centre / stride, Integral(bbox_pred)).
   */
  @Test
  void reproducesTheGoldenDecodedPredictionsOfGflHead() {
    GoldenCase c = GoldenSet.bundled().cases().stream().filter(k -> k.id().equals("GFLHead/standard"))
        .findFirst().orElseThrow();
    Integral integral = new Integral(c.config().getInt("reg_max"));
    int b = integral.bins();
    INDArray preds = c.input("bbox_preds_l0");
    int n = (int) preds.size(0);
    int h = (int) preds.size(2);
    int w = (int) preds.size(3);
    double stride = 8;
    double[] pred = Tensors.toDoubles(preds);
    long[] labels = toLongs(c.expectedOutputs().get("labels_l0").data());
    double[] anchors = c.expectedOutputs().get("anchors_l0").data();
    double[] expected = c.expectedOutputs().get("aux_pos_decoded_bbox_pred_l0").data();
    int numClasses = c.config().getInt("num_classes");
    int k = 0;
    for (int j = 0; j < n; j++) {
      for (int a = 0; a < h * w; a++) {
        long label = labels[j * h * w + a];
        if (label < 0 || label >= numClasses) {
          continue;
        }
        double[] row = new double[4 * b];
        for (int ch = 0; ch < 4 * b; ch++) {
          row[ch] = pred[(j * 4 * b + ch) * h * w + a];
        }
        double[] d = integral.forward(row, 1, true);
        float cx = (float) (((float) anchors[4 * a] + (float) anchors[4 * a + 2]) / 2f / stride);
        float cy = (float) (((float) anchors[4 * a + 1] + (float) anchors[4 * a + 3]) / 2f / stride);
        double[] box = {cx - d[0], cy - d[1], cx + d[2], cy + d[3]};
        for (int q = 0; q < 4; q++) {
          assertThat(c.tolerance().accepts(box[q], expected[4 * k + q]))
              .as("positive %d side %d: %s vs %s", k, q, box[q], expected[4 * k + q]).isTrue();
        }
        k++;
      }
    }
    assertThat(k).isEqualTo(expected.length / 4).isPositive();
  }

  private static long[] toLongs(double[] v) {
    long[] l = new long[v.length];
    for (int i = 0; i < v.length; i++) {
      l[i] = (long) v[i];
    }
    return l;
  }

  @Test
  void ndArraysKeepTheirDtypeAndBadShapesAreRefused() {
    Integral integral = new Integral(16);
    INDArray x = Tensors.create(new float[2 * 68], DataType.FLOAT, 2, 68);
    INDArray d = integral.forward(x);
    assertThat(d.shape()).containsExactly(2, 4);
    assertThat(d.dataType()).isEqualTo(DataType.FLOAT);
    assertThat(d.getDouble(0, 0)).isEqualTo(8.0);
    INDArray g = integral.backward(x.castTo(DataType.DOUBLE), Tensors.create(new double[8], DataType.DOUBLE, 2, 4));
    assertThat(g.shape()).containsExactly(2, 68);
    assertThat(g.dataType()).isEqualTo(DataType.DOUBLE);
    assertThatThrownBy(() -> integral.forward(Tensors.create(new float[2 * 64], DataType.FLOAT, 2, 64)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reg_max=16");
    assertThatThrownBy(() -> new Integral(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("reg_max");
  }
}
