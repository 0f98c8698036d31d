package io.detkit.tools.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The TOOD and FCOS network vertices: each backward pass against central finite differences of its
 * forward pass, and the sampling rules of {@link DeformSampling}.
 */
class HostVertexGradientTest {
  /** A vertex with the shapes of its inputs. */
  static Stream<Arguments> vertices() {
    return Stream.of(
        Arguments.of(new LayerAttention(3), new long[][] {{2, 6, 3, 4}, {2, 3, 1, 1}}),
        Arguments.of(new SigmoidGeometricMean(), new long[][] {{2, 3, 3, 4}, {2, 1, 3, 4}}),
        Arguments.of(new PointBoxes(0.5, 0.25), new long[][] {{2, 4, 3, 4}}),
        Arguments.of(new Exp(), new long[][] {{2, 4, 3, 4}}),
        Arguments.of(new DeformSampling(), new long[][] {{2, 4, 4, 5}, {2, 8, 4, 5}}));
  }

  private static double[][] randomInputs(HostVertex v, long[][] shapes, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[][] in = new double[shapes.length][];
    for (int i = 0; i < shapes.length; i++) {
      long n = 1;
      for (long d : shapes[i]) {
        n *= d;
      }
      in[i] = new double[(int) n];
      for (int k = 0; k < n; k++) {
        in[i][k] = r.nextDouble(-1.5, 1.5);
      }
    }
    if (v instanceof DeformSampling) {
      // Boxes: x1, y1 around -1 and x2, y2 around +1 so that most samples stay valid; offsets
      // away from integers, where bilinear interpolation has kinks.
      int hw = (int) (shapes[0][2] * shapes[0][3]);
      for (int k = 0; k < in[0].length; k++) {
        in[0][k] += (k / hw) % 4 < 2 ? -2 : 2;
      }
      for (int k = 0; k < in[1].length; k++) {
        in[1][k] = Math.floor(in[1][k] * 2) / 2 + 0.1 + 0.3 * r.nextDouble();
      }
    }
    return in;
  }

  private static double objective(HostVertex v, double[][] in, long[][] shapes, double[] eps) {
    double[] out = new double[eps.length];
    v.forward(in, shapes, out);
    double s = 0;
    for (int i = 0; i < out.length; i++) {
      s += out[i] * eps[i];
    }
    return s;
  }

  @ParameterizedTest
  @MethodSource("vertices")
  void backwardMatchesFiniteDifferences(HostVertex v, long[][] shapes) {
    double[][] in = randomInputs(v, shapes, 11);
    long[] outShape = v.outputShape(shapes);
    int n = 1;
    for (long d : outShape) {
      n *= (int) d;
    }
    SplittableRandom r = new SplittableRandom(5);
    double[] eps = new double[n];
    for (int i = 0; i < n; i++) {
      eps[i] = r.nextDouble(-1, 1);
    }
    double[][] grads = new double[in.length][];
    for (int i = 0; i < in.length; i++) {
      grads[i] = new double[in[i].length];
    }
    v.backward(in, shapes, eps, grads);
    double h = 1e-6;
    int checked = 0;
    for (int i = 0; i < in.length; i++) {
      for (int k = 0; k < in[i].length; k++) {
        double x = in[i][k];
        in[i][k] = x + h;
        double up = objective(v, in, shapes, eps);
        in[i][k] = x - h;
        double down = objective(v, in, shapes, eps);
        in[i][k] = x;
        assertThat(grads[i][k]).as(v + " input " + i + "[" + k + "]").isCloseTo((up - down) / (2 * h), within(1e-6));
        checked += grads[i][k] != 0 ? 1 : 0;
      }
    }
    assertThat(checked).as("non-zero gradients checked").isGreaterThan(in[0].length / 2);
  }

  /** The graph vertex's output and input gradients for these inputs and output gradient (DOUBLE arrays). */
  private static double[][] throughTheGraphVertex(GraphVertex impl, double[][] in, long[][] shapes, double[] eps) {
    LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
    INDArray[] inputs = new INDArray[in.length];
    for (int i = 0; i < in.length; i++) {
      inputs[i] = Nd4j.create(in[i], shapes[i]);
    }
    impl.setInputs(inputs);
    INDArray out = impl.doForward(true, mgr);
    impl.setEpsilon(Nd4j.create(eps, out.shape()));
    INDArray[] grads = impl.doBackward(false, mgr).getSecond();
    double[][] result = new double[in.length + 1][];
    result[0] = out.data().asDouble();
    for (int i = 0; i < in.length; i++) {
      result[i + 1] = grads[i].data().asDouble();
    }
    return result;
  }

  @ParameterizedTest
  @MethodSource("vertices")
  void theGraphVertexGivesTheSameResultsCallAfterCall(HostVertex v, long[][] shapes) {
    // The vertex reuses its scratch arrays between calls: a call on other values in between must
    // leave no trace (a backward pass that accumulates needs zeroed gradients every call).
    ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE)
        .graphBuilder().addInputs(inputNames(shapes.length)).addVertex("v", v, inputNames(shapes.length))
        .setOutputs("v").build());
    g.init();
    GraphVertex impl = g.getVertex("v");
    long[] outShape = v.outputShape(shapes);
    double[] eps = new double[(int) Arrays.stream(outShape).reduce(1, (a, b) -> a * b)];
    SplittableRandom r = new SplittableRandom(3);
    for (int i = 0; i < eps.length; i++) {
      eps[i] = r.nextDouble(-1, 1);
    }
    double[][] in = randomInputs(v, shapes, 11);
    double[][] first = throughTheGraphVertex(impl, in, shapes, eps);
    throughTheGraphVertex(impl, randomInputs(v, shapes, 12), shapes, eps);
    double[][] again = throughTheGraphVertex(impl, in, shapes, eps);
    for (int k = 0; k < first.length; k++) {
      assertThat(again[k]).as(v + (k == 0 ? " output" : " gradient of input " + (k - 1))).containsExactly(first[k]);
    }
    assertThat(first[1]).as("a gradient that is not all zeros").isNotEqualTo(new double[first[1].length]);
  }

  /** The level canvas's vertices, whose backward passes read no input values, with their inputs' shapes. */
  static Stream<Arguments> copyVertices() {
    return Stream.of(
        Arguments.of(new LevelCanvas.Assemble(new int[] {8, 16, 32}),
            new long[][] {{2, 3, 8, 12}, {2, 3, 4, 6}, {2, 3, 2, 3}}),
        Arguments.of(new LevelCanvas.Crop(new int[] {8, 16, 32}, 1), new long[][] {{2, 3, 16, 12}}));
  }

  @ParameterizedTest
  @MethodSource("copyVertices")
  void aVertexWhoseBackwardReadsNoInputsGetsNoneAndTheSameGradients(HostVertex v, long[][] shapes) {
    // The graph vertex hands such a vertex's backward pass null inputs: its gradients must be those
    // of the pass given the inputs (and it must not touch them, or the null fails it).
    assertThat(v.backwardReadsInputs()).as(v + " reads its inputs backward").isFalse();
    ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE)
        .graphBuilder().addInputs(inputNames(shapes.length)).addVertex("v", v, inputNames(shapes.length))
        .setOutputs("v").build());
    g.init();
    double[][] in = randomInputs(v, shapes, 13);
    double[] eps = new double[(int) Arrays.stream(v.outputShape(shapes)).reduce(1, (a, b) -> a * b)];
    SplittableRandom r = new SplittableRandom(4);
    for (int i = 0; i < eps.length; i++) {
      eps[i] = r.nextDouble(-1, 1);
    }
    double[][] viaGraph = throughTheGraphVertex(g.getVertex("v"), in, shapes, eps);
    double[][] grads = new double[in.length][];
    for (int i = 0; i < in.length; i++) {
      grads[i] = new double[in[i].length];
    }
    v.backward(in, shapes, eps, grads);
    for (int i = 0; i < in.length; i++) {
      assertThat(viaGraph[i + 1]).as(v + " gradient of input " + i).containsExactly(grads[i]);
      assertThat(grads[i]).as("a gradient that is not all zeros").isNotEqualTo(new double[grads[i].length]);
    }
  }

  private static String[] inputNames(int n) {
    String[] names = new String[n];
    for (int i = 0; i < n; i++) {
      names[i] = "in" + i;
    }
    return names;
  }

  @Test
  void deformSamplingWithZeroOffsetsKeepsTheBoxesAndIntegerOffsetsShiftThem() {
    long[][] shapes = {{1, 4, 2, 3}, {1, 8, 2, 3}};
    double[] boxes = new double[24];
    for (int c = 0; c < 4; c++) {
      for (int p = 0; p < 6; p++) {
        boxes[c * 6 + p] = (c < 2 ? -1 : 1) * (1 + p + 10 * c);
      }
    }
    double[] out = new double[24];
    new DeformSampling().forward(new double[][] {boxes, new double[48]}, shapes, out);
    assertThat(out).containsExactly(boxes);
    // Every side reads its right-hand neighbour (dx = 1); the last column reads outside: 0 for
    // x1, y1 (so the box stays valid only where x2 >= x1).
    double[] offsets = new double[48];
    for (int c = 0; c < 4; c++) {
      Arrays.fill(offsets, (2 * c + 1) * 6, (2 * c + 2) * 6, 1.0);
    }
    new DeformSampling().forward(new double[][] {boxes, offsets}, shapes, out);
    assertThat(out[0]).isEqualTo(boxes[1]);
    assertThat(out[2 * 6 + 1]).isEqualTo(boxes[2 * 6 + 2]);
    // Column 2: every side samples 0, a valid (degenerate) box.
    assertThat(out[2]).isZero();
    assertThat(out[3 * 6 + 2]).isZero();
  }

  @Test
  void deformSamplingKeepsTheUnsampledBoxWhereTheSampledOneIsInverted() {
    long[][] shapes = {{1, 4, 1, 2}, {1, 8, 1, 2}};
    // location 0: (0, 0, 1, 1); location 1: (5, 0, 6, 1). x1 of location 0 reads location 1 (5 > 1).
    double[] boxes = {0, 5, 0, 0, 1, 6, 1, 1};
    double[] offsets = new double[16];
    offsets[1 * 2] = 1.0;
    double[] out = new double[8];
    new DeformSampling().forward(new double[][] {boxes, offsets}, shapes, out);
    assertThat(out).containsExactly(boxes);
    double[][] grads = {new double[8], new double[16]};
    double[] eps = {1, 2, 3, 4, 5, 6, 7, 8};
    new DeformSampling().backward(new double[][] {boxes, offsets}, shapes, eps, grads);
    assertThat(grads[0]).containsExactly(eps);
    // No gradient reaches the offsets of the location that kept its unsampled box.
    for (int k = 0; k < 8; k++) {
      assertThat(grads[1][k * 2]).as("offset " + k + " of location 0").isZero();
    }
  }

  @Test
  void shapesThatDoNotFitAreRefusedNamingTheVertex() {
    assertThatThrownBy(() -> new DeformSampling().outputShape(new long[][] {{1, 4, 2, 2}, {1, 4, 2, 2}}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("DeformSampling")
        .hasMessageContaining("[1, 4, 2, 2]");
    assertThatThrownBy(() -> new LayerAttention(3).outputShape(new long[][] {{1, 8, 2, 2}, {1, 3, 1, 1}}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("LayerAttention(3)");
    assertThatThrownBy(() -> new SigmoidGeometricMean().outputShape(new long[][] {{1, 3, 2, 2}, {1, 2, 2, 2}}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[1, 2, 2, 2]");
  }
}
