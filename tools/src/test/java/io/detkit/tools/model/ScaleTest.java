package io.detkit.tools.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;

class ScaleTest {
  /** A 3x3 convolution then the scale, so the input gradient is read at the graph's input. */
  private static ComputationGraph net(double init) {
    ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE)
        .seed(3).updater(new Sgd(0.1)).miniBatch(false).graphBuilder().addInputs("in")
        .addLayer("conv", Layers.conv(3, 1, 2, 3, org.nd4j.linalg.activations.Activation.IDENTITY,
            Layers.Init.KAIMING, 0.1), "in")
        .addLayer("scale", Scale.of(init), "conv").setOutputs("scale").build());
    g.init();
    return g;
  }

  @Test
  void startsAtItsInitAndMultipliesTheInput() {
    ComputationGraph g = net(1.0);
    assertThat(g.getParam("scale_scale").getDouble(0)).isEqualTo(1.0);
    Nd4j.getRandom().setSeed(1);
    INDArray x = Nd4j.rand(DataType.DOUBLE, 2, 2, 4, 5);
    INDArray unscaled = g.output(false, x)[0].dup();
    g.getParam("scale_scale").putScalar(0, -2.5);
    assertThat(g.output(false, x)[0].sub(unscaled.mul(-2.5)).amaxNumber().doubleValue()).isLessThan(1e-12);
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    ComputationGraph g = net(0.7);
    Nd4j.getRandom().setSeed(4);
    INDArray x = Nd4j.rand(DataType.DOUBLE, 2, 2, 4, 5).subi(0.5);
    INDArray eps = Nd4j.rand(DataType.DOUBLE, 2, 3, 4, 5).subi(0.5);
    g.feedForward(new INDArray[] {x}, true, false);
    Gradient grad = g.backpropGradient(eps);
    double h = 1e-6;
    INDArray s = g.getParam("scale_scale");
    double analytic = grad.getGradientFor("scale_scale").getDouble(0);
    double v = s.getDouble(0);
    s.putScalar(0, v + h);
    double up = g.output(false, x)[0].mul(eps).sumNumber().doubleValue();
    s.putScalar(0, v - h);
    double down = g.output(false, x)[0].mul(eps).sumNumber().doubleValue();
    s.putScalar(0, v);
    assertThat(analytic).isNotZero().isCloseTo((up - down) / (2 * h), within(1e-7));
    // The convolution's weights see the gradient through the scale (dL/dx = s * dL/dy).
    INDArray w = g.getParam("conv_W");
    INDArray wGrad = grad.getGradientFor("conv_W").dup();
    for (int i = 0; i < w.length(); i += 5) {
      double wi = w.getDouble(i);
      w.putScalar(i, wi + h);
      double wu = g.output(false, x)[0].mul(eps).sumNumber().doubleValue();
      w.putScalar(i, wi - h);
      double wd = g.output(false, x)[0].mul(eps).sumNumber().doubleValue();
      w.putScalar(i, wi);
      assertThat(wGrad.getDouble(i)).as("W[" + i + "]").isCloseTo((wu - wd) / (2 * h), within(1e-7));
    }
  }

  @Test
  void aNonFiniteInitIsRefused() {
    assertThatThrownBy(() -> Scale.of(Double.NaN)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("finite");
  }
}
