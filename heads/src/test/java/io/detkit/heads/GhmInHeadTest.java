package io.detkit.heads;

import static io.detkit.heads.Tiny.EPS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.detkit.core.config.Config;
import io.detkit.core.tensor.Tensors;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A RetinaHead with {@code loss_cls=GHMC} and {@code loss_bbox=GHMR}, called as MMDetection's anchor
 * head calls them (the label or box weights as the third input; each normalises by its own count),
 * against a direct float64 computation of both losses and their gradients.
 */
class GhmInHeadTest {
  private static final double[] X = {0.3, -0.2, 0.1, 0.4};
  private static final double[][] DELTAS = {{0.05, 0.1, -0.1, 0.0}, {0.2, 0.2, 0.2, 0.2}, {0.2, 0.2, 0.2, 0.2},
      {0.1, -0.05, 0.2, 0.1}};
  private static final double[][] ANCHORS = {{-8, -8, 8, 8}, {8, -8, 24, 8}, {-8, 8, 8, 24}, {8, 8, 24, 24}};
  private static final double MU = 0.02;

  private static INDArray map(int channels, double[][] perAnchor) {
    double[] d = new double[channels * 4];
    for (int a = 0; a < 4; a++) {
      for (int c = 0; c < channels; c++) {
        d[c * 4 + a] = perAnchor[a][c];
      }
    }
    return Tensors.create(d, DataType.DOUBLE, 1, channels, 2, 2);
  }

  /** GHM weights: tot / count of the element's bin, over the number of non-empty bins; 0 when invalid. */
  private static double[] ghmWeights(double[] g, boolean[] valid, double lastEdge) {
    int bins = 10;
    int[] bin = new int[g.length];
    int[] count = new int[bins];
    int tot = 0;
    for (int i = 0; i < g.length; i++) {
      bin[i] = -1;
      for (int b = 0; b < bins && valid[i]; b++) {
        double hi = b == bins - 1 ? lastEdge : (b + 1) / 10.0;
        if (g[i] >= b / 10.0 && g[i] < hi) {
          bin[i] = b;
        }
      }
      if (bin[i] >= 0) {
        count[bin[i]]++;
        tot++;
      }
    }
    int nonEmpty = 0;
    for (int c : count) {
      nonEmpty += c > 0 ? 1 : 0;
    }
    double[] w = new double[g.length];
    for (int i = 0; i < g.length; i++) {
      w[i] = bin[i] >= 0 ? (double) Math.max(tot, 1) / count[bin[i]] / nonEmpty : 0;
    }
    return w;
  }

  @Test
  void ghmcAndGhmrTrainARetinaHead() {
    Config cfg = Tiny.headConfig("RetinaHead", -1, 0, -1)
        .with("loss_cls", Config.of("type", "GHMC", "bins", 10, "momentum", 0.0, "use_sigmoid", true,
            "loss_weight", 1.0))
        .with("loss_bbox", Config.of("type", "GHMR", "mu", MU, "bins", 10, "momentum", 0.0, "loss_weight", 1.0));
    AnchorHead head = Heads.build(cfg, AnchorHead.class);
    double[][] gts = {{8, 8, 24, 20}, {-8, -8, 6, 8}};
    HeadOutputs outputs = HeadOutputs.of(List.of(map(1, new double[][] {{X[0]}, {X[1]}, {X[2]}, {X[3]}})),
        List.of(map(4, DELTAS)));
    HeadLoss loss = head.loss(outputs, List.of(GroundTruth.of(Tiny.boxes(8, 8, 24, 20, -8, -8, 6, 8),
        Tiny.labels(0, 0))), List.of(Tiny.meta(32, 32)));
    assertThat(loss.targets().orElseThrow().image(0).posInds()).containsExactly(0, 3);

    // GHMC: anchors 0 and 3 positive (target 1), 1 and 2 negative (target 0); every label weight 1.
    double[] t = {1, 0, 0, 1};
    double[] g = new double[4];
    for (int i = 0; i < 4; i++) {
      g[i] = Math.abs(1 / (1 + Math.exp(-X[i])) - t[i]);
    }
    double[] w = ghmWeights(g, new boolean[] {true, true, true, true}, 1 + 1e-6);
    double cls = 0;
    for (int i = 0; i < 4; i++) {
      cls += w[i] * (Math.log1p(Math.exp(X[i])) - t[i] * X[i]);
    }
    assertThat(loss.get("loss_cls", 0)).isCloseTo(cls / (4 + EPS), within(1e-9));
    double[] clsGrad = Tensors.toDoubles(loss.grads().get(HeadOutputs.CLS_SCORES, 0));
    for (int i = 0; i < 4; i++) {
      assertThat(clsGrad[i]).isCloseTo(w[i] * (1 / (1 + Math.exp(-X[i])) - t[i]) / (4 + EPS), within(1e-12));
    }

    // GHMR over the 8 coordinates of the positives (box weight 1), tot = 8; targets are encoded gts.
    int[] pos = {0, 3};
    int[] gtOf = {1, 0};
    double[] diff = new double[16];
    boolean[] valid = new boolean[16];
    for (int k = 0; k < 2; k++) {
      double[] a = ANCHORS[pos[k]];
      double[] b = gts[gtOf[k]];
      double pw = a[2] - a[0];
      double ph = a[3] - a[1];
      double[] enc = {((b[0] + b[2]) / 2 - (a[0] + a[2]) / 2) / pw, ((b[1] + b[3]) / 2 - (a[1] + a[3]) / 2) / ph,
          Math.log((b[2] - b[0]) / pw), Math.log((b[3] - b[1]) / ph)};
      for (int c = 0; c < 4; c++) {
        diff[pos[k] * 4 + c] = DELTAS[pos[k]][c] - enc[c];
        valid[pos[k] * 4 + c] = true;
      }
    }
    double[] gr = new double[16];
    for (int i = 0; i < 16; i++) {
      gr[i] = Math.abs(diff[i] / Math.sqrt(MU * MU + diff[i] * diff[i]));
    }
    double[] wr = ghmWeights(gr, valid, 1e3);
    double box = 0;
    for (int i = 0; i < 16; i++) {
      box += wr[i] * (Math.sqrt(diff[i] * diff[i] + MU * MU) - MU);
    }
    assertThat(loss.get("loss_bbox", 0)).isCloseTo(box / (8 + EPS), within(1e-7));
    double[] boxGrad = Tensors.toDoubles(loss.grads().get(HeadOutputs.BBOX_PREDS, 0));
    for (int a = 0; a < 4; a++) {
      for (int c = 0; c < 4; c++) {
        int i = a * 4 + c;
        double expected = wr[i] * diff[i] / Math.sqrt(diff[i] * diff[i] + MU * MU) / (8 + EPS);
        assertThat(boxGrad[c * 4 + a]).as("bbox grad anchor %d coord %d", a, c).isCloseTo(expected, within(1e-7));
      }
    }
  }
}
