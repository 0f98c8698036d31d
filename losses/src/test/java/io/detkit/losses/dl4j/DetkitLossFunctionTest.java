package io.detkit.losses.dl4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import io.detkit.core.config.Config;
import io.detkit.core.tensor.Tensors;
import io.detkit.losses.FocalLoss;
import io.detkit.losses.LossArgs;
import io.detkit.losses.Reduction;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;
import java.util.Random;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.junit.jupiter.api.Test;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.ILossFunction;

/** The ILossFunction contract: per-example scores, gradients, masks, activation check, serialisation. */
class DetkitLossFunctionTest {
  private static final IActivation IDENTITY = Activation.IDENTITY.getActivationFunction();

  private static INDArray f64(double[] d, long... shape) {
    return Tensors.create(d, DataType.DOUBLE, shape);
  }

  private static double[] uniform(Random r, int n, double lo, double hi) {
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      out[i] = lo + (hi - lo) * r.nextDouble();
    }
    return out;
  }

  private static final Random RND = new Random(5);
  private static final INDArray PRE = f64(uniform(RND, 12, -3, 3), 4, 3);
  private static final INDArray SOFT = f64(uniform(RND, 12, 0, 1), 4, 3);

  @Test
  void scoresAreRowSumsOfTheElementwiseLoss() {
    DetkitLossFunction fn = DetkitLossFunction.focal(2.0, 0.25);
    double[] elementwise = Tensors.toDoubles(FocalLoss.TYPE.fromConfig(Config.of()).forward(
        LossArgs.of(PRE, SOFT).reductionOverride(Reduction.NONE)).value());
    INDArray scores = fn.computeScoreArray(SOFT, PRE, IDENTITY, null);
    assertThat(scores.shape()).isEqualTo(new long[] {4, 1});
    double total = 0;
    for (int i = 0; i < 4; i++) {
      double row = elementwise[3 * i] + elementwise[3 * i + 1] + elementwise[3 * i + 2];
      assertThat(scores.getDouble(i, 0)).isCloseTo(row, offset(1e-12));
      total += row;
    }
    assertThat(fn.computeScore(SOFT, PRE, IDENTITY, null, false)).isCloseTo(total, offset(1e-12));
    assertThat(fn.computeScore(SOFT, PRE, IDENTITY, null, true)).isCloseTo(total / 4, offset(1e-12));
    Pair<Double, INDArray> both = fn.computeGradientAndScore(SOFT, PRE, IDENTITY, null, true);
    assertThat(both.getFirst()).isCloseTo(total / 4, offset(1e-12));
    assertThat(Tensors.toDoubles(both.getSecond()))
        .containsExactly(Tensors.toDoubles(fn.computeGradient(SOFT, PRE, IDENTITY, null)), offset(1e-15));
  }

  @Test
  void gradientIsThatOfTheSummedScoreForEveryFactoryAndMask() {
    double[] soft = Tensors.toDoubles(SOFT);
    double[] sparse = new double[12];
    for (int i = 0; i < 4; i++) {
      sparse[3 * i + i % 3] = soft[3 * i];
    }
    INDArray rowMask = f64(new double[] {1, 0, 0.5, 1}, 4, 1);
    INDArray elementMask = f64(new double[] {1, 0, 1, 0.5, 1, 1, 0, 0, 1, 1, 1, 0}, 4, 3);
    List<Object[]> cases = List.of(
        new Object[] {DetkitLossFunction.focal(2.0, 0.25), SOFT},
        new Object[] {DetkitLossFunction.varifocal(0.75, 2.0, true), SOFT},
        new Object[] {DetkitLossFunction.qualityFocal(2.0), f64(sparse, 4, 3)},
        new Object[] {DetkitLossFunction.of(Config.of("type", "CrossEntropyLoss", "use_sigmoid", true,
            "loss_weight", 2.0)), SOFT});
    for (Object[] c : cases) {
      DetkitLossFunction fn = (DetkitLossFunction) c[0];
      INDArray labels = (INDArray) c[1];
      boolean perExampleLoss = fn.name().contains("QualityFocalLoss");
      INDArray[] masks = perExampleLoss ? new INDArray[] {null, rowMask}
          : new INDArray[] {null, rowMask, elementMask};
      for (INDArray mask : masks) {
        double[] g = Tensors.toDoubles(fn.computeGradient(labels, PRE, IDENTITY, mask));
        double[] x = Tensors.toDoubles(PRE);
        for (int i = 0; i < x.length; i++) {
          double[] plus = x.clone();
          double[] minus = x.clone();
          plus[i] += 1e-6;
          minus[i] -= 1e-6;
          double fd = (fn.computeScore(labels, f64(plus, 4, 3), IDENTITY, mask, false)
              - fn.computeScore(labels, f64(minus, 4, 3), IDENTITY, mask, false)) / 2e-6;
          assertThat(g[i]).as("%s mask %s d/dx[%d]", fn.name(), mask == null ? "none" : Tensors.shapeOf(mask), i)
              .isCloseTo(fd, offset(1e-6 + 1e-5 * Math.abs(fd)));
        }
      }
    }
  }

  @Test
  void masksScaleExamplesOrElements() {
    DetkitLossFunction fn = DetkitLossFunction.focal(2.0, 0.25);
    INDArray plain = fn.computeScoreArray(SOFT, PRE, IDENTITY, null);
    INDArray masked = fn.computeScoreArray(SOFT, PRE, IDENTITY, f64(new double[] {1, 0, 0.5, 1}, 4, 1));
    assertThat(masked.getDouble(0, 0)).isCloseTo(plain.getDouble(0, 0), offset(1e-12));
    assertThat(masked.getDouble(1, 0)).isZero();
    assertThat(masked.getDouble(2, 0)).isCloseTo(0.5 * plain.getDouble(2, 0), offset(1e-12));
    INDArray g = fn.computeGradient(SOFT, PRE, IDENTITY, f64(new double[] {1, 0, 0.5, 1}, 4));
    assertThat(java.util.Arrays.stream(Tensors.toDoubles(g.getRow(1))).allMatch(v -> v == 0)).isTrue();
    assertThat(java.util.Arrays.stream(Tensors.toDoubles(g.getRow(0))).allMatch(v -> v == 0)).isFalse();
    assertThatThrownBy(() -> fn.computeScoreArray(SOFT, PRE, IDENTITY, f64(new double[6], 2, 3)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mask").hasMessageContaining("[2,3]")
        .hasMessageContaining("[4,3]");
    assertThatThrownBy(() -> DetkitLossFunction.qualityFocal(2.0).computeScoreArray(SOFT, PRE, IDENTITY,
        f64(new double[12], 4, 3))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[4]");
  }

  @Test
  void rejectsActivationsOtherThanIdentity() {
    DetkitLossFunction fn = DetkitLossFunction.focal(2.0, 0.25);
    assertThatThrownBy(() -> fn.computeGradient(SOFT, PRE, Activation.SIGMOID.getActivationFunction(), null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("IDENTITY")
        .hasMessageContaining("FocalLoss").hasMessageContaining("sigmoid");
  }

  @Test
  void keepsTheNetworkDtype() {
    DetkitLossFunction fn = DetkitLossFunction.focal(2.0, 0.25);
    INDArray pre = PRE.castTo(DataType.FLOAT);
    assertThat(fn.computeGradient(SOFT.castTo(DataType.FLOAT), pre, IDENTITY, null).dataType())
        .isEqualTo(DataType.FLOAT);
    assertThat(fn.computeScoreArray(SOFT, pre, IDENTITY, null).dataType()).isEqualTo(DataType.FLOAT);
  }

  @Test
  void survivesDl4jJsonAndJavaSerialisation() throws Exception {
    DetkitLossFunction fn = DetkitLossFunction.of(Config.of("type", "VarifocalLoss", "alpha", 0.5, "gamma", 1.5,
        "iou_weighted", false, "loss_weight", 2.0));
    MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(1).list()
        .layer(new DenseLayer.Builder().nIn(3).nOut(4).build())
        .layer(new OutputLayer.Builder().lossFunction(fn).activation(Activation.IDENTITY).nIn(4).nOut(3).build())
        .build();
    String json = conf.toJson();
    assertThat(json).contains(DetkitLossFunction.class.getName()).contains("VarifocalLoss");
    MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(json);
    ILossFunction restored = ((OutputLayer) back.getConf(1).getLayer()).getLossFn();
    assertThat(restored).isEqualTo(fn).isInstanceOf(DetkitLossFunction.class);
    assertThat(restored.computeScore(SOFT, PRE, IDENTITY, null, true))
        .isCloseTo(fn.computeScore(SOFT, PRE, IDENTITY, null, true), offset(1e-12));
    assertThat(back).isEqualTo(conf);

    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(fn);
    }
    DetkitLossFunction copy;
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      copy = (DetkitLossFunction) in.readObject();
    }
    assertThat(copy).isEqualTo(fn);
    assertThat(copy.computeScore(SOFT, PRE, IDENTITY, null, false))
        .isCloseTo(fn.computeScore(SOFT, PRE, IDENTITY, null, false), offset(1e-12));
  }

  @Test
  void factoriesValidateTheirConfig() {
    assertThat(DetkitLossFunction.focal(1.5, 0.5).loss()).isInstanceOf(FocalLoss.class);
    assertThat(DetkitLossFunction.focal(1.5, 0.5).config().getDouble("gamma")).isEqualTo(1.5);
    assertThatThrownBy(() -> DetkitLossFunction.focal(-1.0, 0.25)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("gamma");
    assertThatThrownBy(() -> DetkitLossFunction.of(Config.of("type", "NoSuchLoss")))
        .hasMessageContaining("NoSuchLoss");
    assertThatThrownBy(() -> new DetkitLossFunction().loss()).isInstanceOf(IllegalStateException.class);
  }
}
