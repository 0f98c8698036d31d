package io.detkit.tools.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;

class GroupNormTest {
  private static ComputationGraph net(Activation act) {
    ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE)
        .updater(new Sgd(0.1)).miniBatch(false).graphBuilder().addInputs("in")
        .addLayer("gn", GroupNorm.of(6, 3, act), "in").setOutputs("gn").build());
    g.init();
    Random r = new Random(2);
    INDArray p = g.params();
    for (int i = 0; i < p.length(); i++) {
      p.putScalar(i, 0.5 + r.nextDouble());
    }
    return g;
  }

  private static INDArray input() {
    Nd4j.getRandom().setSeed(42);
    return Nd4j.rand(DataType.DOUBLE, 2, 6, 3, 4).muli(4).subi(1);
  }

  @Test
  void normalizesEachImageAndGroupThenScalesPerChannel() {
    ComputationGraph g = net(Activation.IDENTITY);
    INDArray x = input();
    INDArray y = g.output(false, x)[0];
    double[] gamma = g.getParam("gn_gamma").toDoubleVector();
    double[] beta = g.getParam("gn_beta").toDoubleVector();
    for (int n = 0; n < 2; n++) {
      for (int grp = 0; grp < 3; grp++) {
        double sum = 0;
        double sq = 0;
        for (int c = 2 * grp; c < 2 * grp + 2; c++) {
          for (int i = 0; i < 12; i++) {
            double v = x.getDouble(n, c, i / 4, i % 4);
            sum += v;
            sq += v * v;
          }
        }
        double mean = sum / 24;
        double var = sq / 24 - mean * mean;
        for (int c = 2 * grp; c < 2 * grp + 2; c++) {
          for (int i = 0; i < 12; i++) {
            double expected = (x.getDouble(n, c, i / 4, i % 4) - mean) / Math.sqrt(var + 1e-5) * gamma[c] + beta[c];
            assertThat(y.getDouble(n, c, i / 4, i % 4)).isCloseTo(expected, within(1e-9));
          }
        }
      }
    }
  }

  @Test
  void splittingTheLoopsOverThreadsGivesTheSameBits() {
    // Float, as in training, and large enough (32,768 values) that every loop is split.
    ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT)
        .updater(new Sgd(0.1)).miniBatch(false).graphBuilder().addInputs("in")
        .addLayer("gn", GroupNorm.of(32, 8, Activation.RELU), "in").setOutputs("gn").build());
    g.init();
    g.initGradientsView();
    Nd4j.getRandom().setSeed(7);
    g.params().assign(Nd4j.rand(DataType.FLOAT, g.params().shape()).addi(0.5));
    INDArray x = Nd4j.rand(DataType.FLOAT, 4, 32, 16, 16).muli(4).subi(1);
    INDArray eps = Nd4j.rand(DataType.FLOAT, x.shape()).subi(0.5);
    INDArray[] reference = null;
    int old = HostSplit.setParts(1);
    try {
      for (int parts : new int[] {1, 2, 3}) {
        HostSplit.setParts(parts);
        org.deeplearning4j.nn.api.Layer layer = g.getLayer("gn");
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        layer.setInput(x, mgr);
        INDArray y = layer.activate(true, mgr).dup();
        Pair<Gradient, INDArray> back = layer.backpropGradient(eps, mgr);
        INDArray[] got = {y, back.getFirst().getGradientFor("gamma").dup(), back.getFirst().getGradientFor("beta").dup(),
            back.getSecond().dup()};
        if (reference == null) {
          reference = got;
        }
        for (int k = 0; k < got.length; k++) {
          assertThat(got[k].ravel().toFloatVector()).as("parts %d, array %d", parts, k)
              .containsExactly(reference[k].ravel().toFloatVector());
        }
      }
    } finally {
      HostSplit.setParts(old);
    }
  }

  @Test
  void aMapLargeEnoughToSplitGivesTheSameBitsOnACanvasOnAnyNumberOfThreads() {
    // 606,208 values on a two-level canvas (gaps right of level 1): every loop splits into up to
    // three blocks of rows, some blocks of one row and a remainder.
    Nd4j.getRandom().setSeed(9);
    GroupNorm layer = GroupNorm.of(32, 8, Activation.RELU, new LevelCanvas(new int[] {8, 16}));
    ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT)
        .miniBatch(false).graphBuilder().addInputs("in").addLayer("gn", layer, "in").setOutputs("gn").build());
    g.init();
    g.params().assign(Nd4j.rand(DataType.FLOAT, g.params().shape()).addi(0.5));
    g.initGradientsView();
    INDArray x = Nd4j.rand(DataType.FLOAT, 16, 32, 37, 32).muli(4).subi(1);
    INDArray eps = Nd4j.rand(DataType.FLOAT, x.shape()).subi(0.5);
    float[][] reference = null;
    int old = HostSplit.setParts(1);
    try {
      for (int parts : new int[] {1, 2, 3}) {
        HostSplit.setParts(parts);
        float[][] got = forwardAndBackward(g.getLayer("gn"), x, eps);
        if (reference == null) {
          reference = got;
        }
        for (int k = 0; k < got.length; k++) {
          // isEqualTo (Arrays.equals, bit patterns): containsExactly is quadratic at 600,000 values.
          assertThat(got[k]).as("parts %d, array %d", parts, k).isEqualTo(reference[k]);
        }
      }
    } finally {
      HostSplit.setParts(old);
    }
  }

  /** A training forward pass and its backward pass: the output, gamma's and beta's gradients, the input's. */
  private static float[][] forwardAndBackward(org.deeplearning4j.nn.api.Layer layer, INDArray x, INDArray eps) {
    LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
    layer.setInput(x, mgr);
    INDArray y = layer.activate(true, mgr).dup();
    Pair<Gradient, INDArray> back = layer.backpropGradient(eps, mgr);
    return new float[][] {y.ravel().toFloatVector(), back.getFirst().getGradientFor("gamma").toFloatVector(),
        back.getFirst().getGradientFor("beta").toFloatVector(), back.getSecond().ravel().toFloatVector()};
  }

  @Test
  void aNonFiniteInputMakesItsGroupZeroThroughTheReluAndLeavesTheOthers() {
    ComputationGraph g = net(Activation.RELU);
    INDArray x = input();
    INDArray y = g.output(false, x)[0];
    for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
      INDArray xb = x.dup();
      xb.putScalar(new long[] {1, 3, 2, 1}, bad); // image 1, group 1 (channels 2 and 3)
      INDArray yb = g.output(false, xb)[0];
      INDArray group = yb.get(point(1), interval(2, 4));
      assertThat(group.ravel().toDoubleVector()).as("%s", bad).containsOnly(0.0);
      INDArray rest = yb.dup();
      rest.get(point(1), interval(2, 4)).assign(y.get(point(1), interval(2, 4)));
      assertThat(rest.ravel().toDoubleVector()).containsExactly(y.ravel().toDoubleVector());
    }
  }

  @Test
  void theReluMaskKeepsExactlyTheValuesAboveZero() {
    double[] values = {0.0, -0.0, Double.MIN_VALUE, -Double.MIN_VALUE, 1, -1, Double.MAX_VALUE, -Double.MAX_VALUE,
        Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN, Double.longBitsToDouble(0xfff8000000000001L),
        Double.longBitsToDouble(0x7ff0000000000001L), Double.MIN_NORMAL, 1e-300, -1e300};
    for (double v : values) {
      for (double d : values) {
        double expected = v > 0 ? d : 0;
        assertThat(Double.doubleToRawLongBits(GroupNormPass.keep(d, v))).as("keep(%s, %s)", d, v)
            .isEqualTo(Double.doubleToRawLongBits(expected));
      }
      assertThat(GroupNormPass.positive(Double.doubleToRawLongBits(v))).as("positive(%s)", v).isEqualTo(v > 0 ? -1L : 0L);
    }
  }

  private static org.nd4j.linalg.indexing.INDArrayIndex point(long i) {
    return org.nd4j.linalg.indexing.NDArrayIndex.point(i);
  }

  private static org.nd4j.linalg.indexing.INDArrayIndex interval(long from, long to) {
    return org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to);
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    ComputationGraph g = net(Activation.RELU);
    INDArray x = input();
    INDArray eps = Nd4j.rand(DataType.DOUBLE, x.shape()).subi(0.5);
    g.feedForward(new INDArray[] {x}, true, false);
    Gradient grad = g.backpropGradient(eps);
    double h = 1e-6;
    for (String key : new String[] {"gn_gamma", "gn_beta"}) {
      INDArray analytic = grad.getGradientFor(key).dup();
      INDArray p = g.getParam(key);
      for (int i = 0; i < 6; i++) {
        double v = p.getDouble(i);
        p.putScalar(i, v + h);
        double up = g.output(false, x)[0].mul(eps).sumNumber().doubleValue();
        p.putScalar(i, v - h);
        double down = g.output(false, x)[0].mul(eps).sumNumber().doubleValue();
        p.putScalar(i, v);
        assertThat(analytic.getDouble(i)).as(key + "[" + i + "]").isCloseTo((up - down) / (2 * h), within(1e-6));
      }
    }
    // Input gradient through a following identity layer is what the graph hands back to the input.
    INDArray dx = inputGradient(x, eps);
    for (int i = 0; i < x.length(); i += 7) {
      INDArray xp = x.dup();
      xp.putScalar(i, x.getDouble(i) + h);
      double up = g.output(false, xp)[0].mul(eps).sumNumber().doubleValue();
      xp.putScalar(i, x.getDouble(i) - h);
      double down = g.output(false, xp)[0].mul(eps).sumNumber().doubleValue();
      assertThat(dx.getDouble(i)).as("x[" + i + "]").isCloseTo((up - down) / (2 * h), within(1e-6));
    }
  }

  /** The input gradient, read through the layer directly. */
  private static INDArray inputGradient(INDArray x, INDArray eps) {
    ComputationGraph g = net(Activation.RELU);
    g.initGradientsView();
    org.deeplearning4j.nn.api.Layer layer = g.getLayer("gn");
    layer.setInput(x, org.deeplearning4j.nn.workspace.LayerWorkspaceMgr.noWorkspaces());
    return layer.backpropGradient(eps, org.deeplearning4j.nn.workspace.LayerWorkspaceMgr.noWorkspaces()).getSecond();
  }

  @Test
  void aFloatLayerMatchesTheDoubleOneWithinFloatRounding() {
    INDArray x = input();
    INDArray eps = Nd4j.rand(DataType.DOUBLE, x.shape()).subi(0.5);
    ComputationGraph d = net(Activation.RELU);
    ComputationGraph f = new ComputationGraph(new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT)
        .updater(new Sgd(0.1)).miniBatch(false).graphBuilder().addInputs("in")
        .addLayer("gn", GroupNorm.of(6, 3, Activation.RELU), "in").setOutputs("gn").build());
    f.init();
    f.params().assign(d.params().castTo(DataType.FLOAT));
    // A permuted (non-contiguous) float input: the layer reads it through a dense copy.
    INDArray xf = x.castTo(DataType.FLOAT).permute(0, 1, 3, 2).dup('f').permute(0, 1, 3, 2);
    INDArray yd = d.feedForward(new INDArray[] {x}, true, false).get("gn");
    INDArray yf = f.feedForward(new INDArray[] {xf}, true, false).get("gn");
    assertThat(yf.castTo(DataType.DOUBLE).sub(yd).amaxNumber().doubleValue()).isLessThan(1e-5);
    INDArray gd = d.backpropGradient(eps).gradient().dup();
    INDArray gf = f.backpropGradient(eps.castTo(DataType.FLOAT)).gradient().castTo(DataType.DOUBLE);
    assertThat(gf.sub(gd).amaxNumber().doubleValue()).isLessThan(1e-4 * gd.amaxNumber().doubleValue());
  }

  @Test
  void otherActivationsAreRejected() {
    assertThatThrownBy(() -> GroupNorm.of(6, 3, Activation.TANH)).hasMessageContaining("RELU and IDENTITY")
        .hasMessageContaining("TANH");
  }

  @Test
  void groupsMustDivideChannels() {
    assertThatThrownBy(() -> GroupNorm.of(6, 4, Activation.RELU)).hasMessageContaining("4 groups for 6 channels");
  }

  @Test
  void theSettingsAreThoseGivenWithPyTorchsEps() {
    assertThat(GroupNorm.of(6, 3, Activation.RELU).settings()).isEqualTo(new GroupNorm.Settings(6, 3, 1e-5));
    assertThatThrownBy(() -> new GroupNorm.Settings(6, 3, 0)).hasMessageContaining("eps must be positive");
  }
}
