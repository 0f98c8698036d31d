package io.detkit.losses;

import static io.detkit.losses.RegressionTestSupport.f32;
import static io.detkit.losses.RegressionTestSupport.f64;
import static io.detkit.losses.RegressionTestSupport.predBoxes;
import static io.detkit.losses.RegressionTestSupport.targetBoxes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.detkit.core.tensor.Tensors;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** CIoU's constant alpha and its finite limit where MMDetection divides 0 by 0. */
class CIoULossTest {
  private static final double EPS = 1e-6;

  /** The golden case's rows 1 and 2: pred == target exactly. */
  private static final double[] SAME = {10.600049, 18.09677, 22.669327, 46.752125, 22.12508, 12.243279, 47.013885,
    29.533907};

  @Test
  void perfectPredictionHasTheFiniteLimitInsteadOfNaN() {
    for (boolean float32 : new boolean[] {true, false}) {
      LossResult r = CIoULoss.TYPE.builder().options(o -> o.withReduction(Reduction.NONE)).build()
          .forward(float32 ? f32(SAME, 2, 4) : f64(SAME, 2, 4), float32 ? f32(SAME, 2, 4) : f64(SAME, 2, 4));
      double[] v = Tensors.toDoubles(r.value());
      double[] g = Tensors.toDoubles(r.gradPred());
      for (int i = 0; i < 2; i++) {
        double w = SAME[4 * i + 2] - SAME[4 * i];
        double h = SAME[4 * i + 3] - SAME[4 * i + 1];
        // 1 - iou = eps / (area + eps): alpha * v is 0 in the limit
        assertThat(v[i]).isCloseTo(EPS / (w * h + EPS), within(1e-12));
      }
      for (double x : g) {
        assertThat(Math.abs(x)).isLessThan(1e-9);
      }
    }
  }

  @Test
  void gradientTreatsAlphaAsAConstant() {
    Random rnd = new Random(5);
    double[] t = targetBoxes(rnd, 6);
    double[] p = predBoxes(rnd, t, 3);
    p[0] -= 200;
    p[2] -= 200;
    LossResult r = CIoULoss.TYPE.builder().options(o -> o.withReduction(Reduction.NONE)).build()
        .forward(f64(p, 6, 4), f64(t, 6, 4));
    double[] v = Tensors.toDoubles(r.value());
    double[] g = Tensors.toDoubles(r.gradPred());
    int highIou = 0;
    for (int i = 0; i < 6; i++) {
      double[] pi = java.util.Arrays.copyOfRange(p, 4 * i, 4 * i + 4);
      double[] ti = java.util.Arrays.copyOfRange(t, 4 * i, 4 * i + 4);
      double alpha = alpha(pi, ti);
      highIou += alpha > 0 ? 1 : 0;
      assertThat(v[i]).isCloseTo(ciou(pi, ti, alpha), within(1e-12));
      for (int k = 0; k < 4; k++) {
        double hStep = 1e-6 * Math.max(1, Math.abs(pi[k]));
        double[] plus = pi.clone();
        double[] minus = pi.clone();
        plus[k] += hStep;
        minus[k] -= hStep;
        double fd = (ciou(plus, ti, alpha) - ciou(minus, ti, alpha)) / (2 * hStep);
        assertThat(g[4 * i + k]).as("row %d coordinate %d", i, k).isCloseTo(fd, within(1e-6 + 1e-5 * Math.abs(fd)));
      }
    }
    assertThat(highIou).as("rows with iou > 0.5").isGreaterThanOrEqualTo(3);
  }

  private static double[] terms(double[] p, double[] t) {
    double iw = Math.max(0, Math.min(p[2], t[2]) - Math.max(p[0], t[0]));
    double ih = Math.max(0, Math.min(p[3], t[3]) - Math.max(p[1], t[1]));
    double overlap = iw * ih;
    double union = (p[2] - p[0]) * (p[3] - p[1]) + (t[2] - t[0]) * (t[3] - t[1]) - overlap + EPS;
    double iou = overlap / union;
    double cw = Math.max(p[2], t[2]) - Math.min(p[0], t[0]);
    double ch = Math.max(p[3], t[3]) - Math.min(p[1], t[1]);
    double c2 = cw * cw + ch * ch + EPS;
    double dx = (t[0] + t[2]) - (p[0] + p[2]);
    double dy = (t[1] + t[3]) - (p[1] + p[3]);
    double rho2 = (dx * dx + dy * dy) / 4;
    double dAngle = Math.atan((t[2] - t[0]) / (t[3] - t[1] + EPS)) - Math.atan((p[2] - p[0]) / (p[3] - p[1] + EPS));
    double v = 4 / (Math.PI * Math.PI) * dAngle * dAngle;
    return new double[] {iou, rho2 / c2, v};
  }

  private static double alpha(double[] p, double[] t) {
    double[] x = terms(p, t);
    return x[0] > 0.5 ? x[2] / (1 - x[0] + x[2]) : 0;
  }

  private static double ciou(double[] p, double[] t, double alpha) {
    double[] x = terms(p, t);
    return 1 - Math.max(-1, Math.min(1, x[0] - x[1] - alpha * x[2]));
  }
}
