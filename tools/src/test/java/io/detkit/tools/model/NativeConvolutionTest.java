package io.detkit.tools.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;

class NativeConvolutionTest {
  /** kernel, stride, nIn, nOut per layer: 3x3 stride 2, 3x3, 1x1, 3x3 stride 2 on odd and even sizes. */
  private static final int[][] LAYERS = {{3, 2, 3, 8}, {3, 1, 8, 8}, {1, 1, 8, 5}, {3, 2, 5, 4}};

  private static ComputationGraph net(boolean nativeConv, boolean bias) {
    ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder().seed(3)
        .updater(new Sgd(0.1)).dataType(DataType.FLOAT).miniBatch(false).graphBuilder().addInputs("in");
    String prev = "in";
    for (int i = 0; i < LAYERS.length; i++) {
      int[] s = LAYERS[i];
      Activation act = i == LAYERS.length - 1 ? Activation.IDENTITY : Activation.RELU;
      Layer l = nativeConv
          ? NativeConvolution.of(s[0], s[1], s[2], s[3], act, WeightInit.XAVIER.getWeightInitFunction(), 0.1, bias)
          : new ConvolutionLayer.Builder(s[0], s[0]).stride(s[1], s[1]).padding(s[0] / 2, s[0] / 2)
              .convolutionMode(ConvolutionMode.Truncate).nIn(s[2]).nOut(s[3]).activation(act)
              .weightInit(WeightInit.XAVIER).biasInit(0.1).hasBias(bias).build();
      g.addLayer("l" + i, l, prev);
      prev = "l" + i;
    }
    g.setOutputs(prev);
    ComputationGraph n = new ComputationGraph(g.build());
    n.init();
    return n;
  }

  @Test
  void matchesDl4jConvolutionForwardAndBackward() {
    check(true);
  }

  @Test
  void matchesDl4jConvolutionWithoutBias() {
    check(false);
  }

  private static void check(boolean bias) {
    ComputationGraph fast = net(true, bias);
    ComputationGraph reference = net(false, bias);
    assertThat(fast.numParams()).isEqualTo(reference.numParams());
    reference.setParams(fast.params().dup());
    Nd4j.getRandom().setSeed(11);
    INDArray x = Nd4j.rand(DataType.FLOAT, 4, 3, 15, 12);
    INDArray outFast = fast.feedForward(new INDArray[] {x}, true, false).get("l3");
    INDArray outRef = reference.feedForward(new INDArray[] {x}, true, false).get("l3");
    assertThat(outFast.shape()).containsExactly(4, 4, 4, 3);
    assertThat(outFast.sub(outRef).amaxNumber().doubleValue()).isLessThan(1e-5);

    INDArray eps = Nd4j.rand(DataType.FLOAT, outFast.shape()).subi(0.5);
    INDArray gFast = fast.backpropGradient(eps).gradient().dup();
    INDArray gRef = reference.backpropGradient(eps).gradient().dup();
    double scale = gRef.amaxNumber().doubleValue();
    assertThat(scale).isGreaterThan(0.1);
    assertThat(gFast.sub(gRef).amaxNumber().doubleValue()).isLessThan(1e-4 * scale);

    INDArray inference = fast.output(false, x)[0];
    assertThat(inference.sub(outRef).amaxNumber().doubleValue()).isLessThan(1e-5);
  }

  @Test
  void outputSizeFollowsPytorchPadding() {
    ComputationGraph n = net(true, true);
    INDArray out = n.output(false, Nd4j.zeros(DataType.FLOAT, 1, 3, 64, 64))[0];
    assertThat(out.shape()).containsExactly(1, 4, 16, 16);
  }
}
