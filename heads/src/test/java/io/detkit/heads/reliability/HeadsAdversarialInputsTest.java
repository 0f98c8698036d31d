package io.detkit.heads.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.within;

import io.detkit.core.config.Config;
import io.detkit.core.tensor.Tensors;
import io.detkit.heads.AnchorHead;
import io.detkit.heads.GroundTruth;
import io.detkit.heads.HeadLoss;
import io.detkit.heads.HeadOutputs;
import io.detkit.heads.ImageMeta;
import io.detkit.losses.NonFiniteLossException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * RetinaHead and ATSSHead against hostile inputs: NaN or Inf in any output or ground truth, logits
 * of ±1e4, an image without ground truth, 10,000 ground truths, float64 outputs. Each gives a
 * finite loss and gradient where one exists, or a named exception; none hides a NaN.
 */
class HeadsAdversarialInputsTest {
  private static final int H = 64;
  private static final int W = 96;

  private static Config config(String type) {
    return type.equals("ATSSHead") ? HeadFixtures.ATSS : HeadFixtures.RETINA;
  }

  /** The same head with {@code check_finite=True} on every loss. */
  private static Config checked(Config c) {
    Config out = c.with("loss_cls", c.getConfig("loss_cls").with("check_finite", true))
        .with("loss_bbox", c.getConfig("loss_bbox").with("check_finite", true));
    return c.has("loss_centerness")
        ? out.with("loss_centerness", c.getConfig("loss_centerness").with("check_finite", true)) : out;
  }

  private static List<GroundTruth> gts(int images, int k, DataType t) {
    List<GroundTruth> g = new ArrayList<>();
    for (int i = 0; i < images; i++) {
      g.add(HeadFixtures.gts(k, H, W, t, 7 + i));
    }
    return g;
  }

  private static boolean allFinite(HeadLoss loss) {
    for (String n : loss.names()) {
      for (double v : loss.get(n)) {
        if (!Double.isFinite(v)) {
          return false;
        }
      }
    }
    for (String n : loss.grads().names()) {
      for (INDArray a : loss.grads().get(n)) {
        for (double v : Tensors.toDoubles(a)) {
          if (!Double.isFinite(v)) {
            return false;
          }
        }
      }
    }
    return true;
  }

  static Stream<Arguments> poisonedOutputs() {
    List<Arguments> out = new ArrayList<>();
    for (String type : new String[] {"RetinaHead", "ATSSHead"}) {
      List<String> names = new ArrayList<>(List.of(HeadOutputs.CLS_SCORES, HeadOutputs.BBOX_PREDS));
      if (type.equals("ATSSHead")) {
        names.add(HeadOutputs.CENTERNESSES);
      }
      for (String name : names) {
        for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
          out.add(Arguments.of(type, name, bad));
        }
      }
    }
    return out.stream();
  }

  /** {@code outs} with every element of {@code name} at level 0 replaced by {@code bad}. */
  private static HeadOutputs poison(HeadOutputs outs, String name, double bad) {
    List<INDArray> levels = new ArrayList<>(outs.get(name));
    INDArray l0 = levels.get(0);
    double[] v = Tensors.toDoubles(l0);
    java.util.Arrays.fill(v, bad);
    levels.set(0, Tensors.create(v, l0.dataType(), l0.shape()));
    return outs.with(name, levels);
  }

  @ParameterizedTest(name = "{0} {1} = {2}")
  @MethodSource("poisonedOutputs")
  void aNonFiniteOutputIsNamedOrShowsInTheLossNeverHidden(String type, String name, double bad) {
    AnchorHead head = HeadFixtures.build(config(type), null);
    HeadOutputs outs = poison(HeadFixtures.outputs(head, 1, HeadFixtures.featmapSizes(H, W), DataType.FLOAT, 3, 5),
        name, bad);
    List<ImageMeta> metas = HeadFixtures.metas(1, H, W);
    Throwable t = catchThrowable(() -> {
      HeadLoss loss = head.loss(outs, gts(1, 4, DataType.FLOAT), metas);
      assertThat(allFinite(loss)).as("%s %s = %s must not give a finite loss and gradient", type, name, bad)
          .isFalse();
    });
    if (t != null) {
      assertThat(t).isInstanceOf(IllegalArgumentException.class);
    }
    AnchorHead strict = HeadFixtures.build(checked(config(type)), null);
    assertThatThrownBy(() -> strict.loss(outs, gts(1, 4, DataType.FLOAT), metas))
        .as("%s %s = %s with check_finite", type, name, bad)
        .isInstanceOfAny(NonFiniteLossException.class, IllegalArgumentException.class);
  }

  @org.junit.jupiter.api.Test
  void anInt64LabelBeyondIntRangeIsRejectedByName() {
    // A long label that does not fit an int must not wrap around (or throw ArithmeticException).
    assertThatThrownBy(() -> GroundTruth.of(
            Tensors.create(new float[] {10, 10, 50, 40}, DataType.FLOAT, 1, 4),
            Tensors.createLong(new long[] {1L << 33}, 1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gt_labels");
  }

  @ParameterizedTest
  @ValueSource(strings = {"RetinaHead", "ATSSHead"})
  void aNonFiniteGroundTruthIsRejectedByName(String type) {
    AnchorHead head = HeadFixtures.build(config(type), null);
    HeadOutputs outs = HeadFixtures.outputs(head, 1, HeadFixtures.featmapSizes(H, W), DataType.FLOAT, 3, 5);
    // GroundTruth.of already rejects it; either place must name gt_bboxes.
    assertThatThrownBy(() -> head.loss(outs, List.of(GroundTruth.of(
            Tensors.create(new float[] {10, 10, 50, Float.NaN}, DataType.FLOAT, 1, 4),
            Tensors.createLong(new long[] {3}, 1))), HeadFixtures.metas(1, H, W)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gt_bboxes")
        .hasMessageContaining("finite");
  }

  @ParameterizedTest
  @ValueSource(strings = {"RetinaHead", "ATSSHead"})
  void saturatedLogitsGiveFiniteLossesAndGradients(String type) {
    AnchorHead head = HeadFixtures.build(config(type), null);
    HeadOutputs outs = HeadFixtures.outputs(head, 2, HeadFixtures.featmapSizes(H, W), DataType.FLOAT, 1, 9);
    for (double logit : new double[] {1e4, -1e4}) {
      List<INDArray> all = new ArrayList<>();
      for (INDArray a : outs.get(HeadOutputs.CLS_SCORES)) {
        all.add(a.dup().assign(logit));
      }
      HeadOutputs sat = outs.with(HeadOutputs.CLS_SCORES, all);
      HeadLoss loss = HeadFixtures.build(checked(config(type)), null).loss(sat, gts(2, 5, DataType.FLOAT),
          HeadFixtures.metas(2, H, W));
      assertThat(allFinite(loss)).as("%s at %s", type, logit).isTrue();
      // All logits at +1e4: every negative costs (1 - alpha) * 1e4; at -1e4 every positive alpha * 1e4.
      assertThat(loss.sum("loss_cls")).as("%s loss_cls at %s", type, logit).isGreaterThan(1e3);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"RetinaHead", "ATSSHead"})
  void anImageWithoutGroundTruthAndTenThousandGroundTruths(String type) {
    AnchorHead head = HeadFixtures.build(checked(config(type)), null);
    HeadOutputs outs = HeadFixtures.outputs(head, 2, HeadFixtures.featmapSizes(H, W), DataType.FLOAT, 3, 11);
    List<GroundTruth> gts = List.of(HeadFixtures.gts(0, H, W, DataType.FLOAT, 1),
        HeadFixtures.gts(10_000, H, W, DataType.FLOAT, 2));
    HeadLoss loss = head.loss(outs, gts, HeadFixtures.metas(2, H, W));
    assertThat(allFinite(loss)).isTrue();
    assertThat(loss.targets().orElseThrow().image(0).numPositives()).isZero();
    assertThat(loss.targets().orElseThrow().image(1).numPositives()).isPositive();
    HeadLoss none = head.loss(outs, List.of(HeadFixtures.gts(0, H, W, DataType.FLOAT, 1),
        HeadFixtures.gts(0, H, W, DataType.FLOAT, 1)), HeadFixtures.metas(2, H, W));
    assertThat(allFinite(none)).isTrue();
    assertThat(none.sum("loss_bbox")).isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {"RetinaHead", "ATSSHead"})
  void float64OutputsGiveFloat64GradientsThatAgreeWithFloat32(String type) {
    AnchorHead head = HeadFixtures.build(config(type), null);
    HeadOutputs f32 = HeadFixtures.outputs(head, 2, HeadFixtures.featmapSizes(H, W), DataType.FLOAT, 3, 13);
    HeadOutputs f64 = HeadFixtures.outputs(head, 2, HeadFixtures.featmapSizes(H, W), DataType.DOUBLE, 3, 13);
    HeadLoss a = head.loss(f32, gts(2, 6, DataType.FLOAT), HeadFixtures.metas(2, H, W));
    HeadLoss b = head.loss(f64, gts(2, 6, DataType.DOUBLE), HeadFixtures.metas(2, H, W));
    assertThat(b.grads().get(HeadOutputs.CLS_SCORES, 0).dataType()).isEqualTo(DataType.DOUBLE);
    assertThat(allFinite(b)).isTrue();
    // Where float32 and float64 assign the same anchors the losses agree to float32 precision; an
    // IoU on a threshold (or a tie for a gt's best anchor) may legitimately assign differently.
    var ta = a.targets().orElseThrow();
    var tb = b.targets().orElseThrow();
    boolean sameAssignment = ta.numTotalPos() == tb.numTotalPos();
    for (int l = 0; l < ta.numLevels() && sameAssignment; l++) {
      sameAssignment = java.util.Arrays.equals(ta.labelsData(l), tb.labelsData(l));
    }
    for (String n : a.names()) {
      double tol = (sameAssignment ? 1e-4 : 0.1) * (1 + Math.abs(a.sum(n)));
      assertThat(b.sum(n)).as("%s %s (same assignment: %s)", type, n, sameAssignment).isCloseTo(a.sum(n),
          within(tol));
    }
  }
}
