package io.detkit.heads.anchorfree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.core.tensor.Tensors;
import io.detkit.heads.GroundTruth;
import io.detkit.heads.HeadLoss;
import io.detkit.heads.Heads;
import io.detkit.heads.HeadOutputs;
import io.detkit.heads.ImageMeta;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Edge cases of FCOSHead with values worked out by hand (one level, stride 8, a 2x2 map unless stated). */
class FCOSHeadTest {
  private static final double LN2 = Math.log(2);

  /** One class, one level of stride 8 with the whole distance range. */
  private static FCOSHead oneLevel() {
    return FCOSHead.builder().params(p -> p.withNumClasses(1).withExecutor(null)).strides(8)
        .regressRanges(new double[][] {{-1, 1e8}}).build();
  }

  /** Outputs of one 2x2 level: logits 0, the given distances at every point, centerness logits 0. */
  private static HeadOutputs outputs(DataType dtype, double... dist) {
    double[] reg = new double[16];
    for (int k = 0; k < 4; k++) {
      for (int p = 0; p < 4; p++) {
        reg[k * 4 + p] = dist[k];
      }
    }
    return HeadOutputs.empty()
        .with(HeadOutputs.CLS_SCORES, List.of(Tensors.create(new double[4], dtype, 1, 1, 2, 2)))
        .with(HeadOutputs.BBOX_PREDS, List.of(Tensors.create(reg, dtype, 1, 4, 2, 2)))
        .with(HeadOutputs.CENTERNESSES, List.of(Tensors.create(new double[4], dtype, 1, 1, 2, 2)));
  }

  private static GroundTruth gt(float... xyxy) {
    long[] labels = new long[xyxy.length / 4];
    return GroundTruth.of(Tensors.create(xyxy, DataType.FLOAT, xyxy.length / 4, 4), Tensors.createLong(labels,
        labels.length));
  }

  private static List<ImageMeta> meta() {
    return List.of(ImageMeta.ofSize(16, 16));
  }

  @Test
  void fourSymmetricPositivesGiveHandComputedLossesAndGradients() {
    // Points (4,4), (12,4), (4,12), (12,12) all lie inside gt [0,0,16,16]; each has distances
    // (4,4,12,12) in some order, so centerness sqrt(4/12 * 4/12) = 1/3. Logits 0 give p = 1/2:
    // focal per positive 0.25 * 0.5^2 * ln2, mean over 4 positives; BCE(0, t) = ln2 for any t.
    HeadLoss loss = oneLevel().loss(outputs(DataType.DOUBLE, 8, 8, 8, 8), List.of(gt(0, 0, 16, 16)), meta());
    FCOSLoss r = loss.details(FCOSLoss.class);
    assertThat(r.posInds()).containsExactly(0, 1, 2, 3);
    double third = 1.0 / 3;
    assertThat(r.centernessTargets()).containsExactly(new double[] {third, third, third, third}, within(1e-12));
    assertThat(r.numPos()).isEqualTo(4.0);
    assertThat(r.centernessDenorm()).isCloseTo(4.0 / 3, within(1e-12));
    assertThat(loss.sum("loss_cls")).isCloseTo(0.0625 * LN2, within(1e-6));
    // MMDetection's mean divides by avg_factor + 1.1920929e-07, hence the 1e-7 tolerances.
    assertThat(loss.sum("loss_centerness")).isCloseTo(LN2, within(1e-7));
    // d/dz BCE = (sigmoid(z) - t) / num_pos = (1/2 - 1/3) / 4.
    assertThat(loss.grads().get(HeadOutputs.CENTERNESSES, 0).getDouble(0, 0, 1, 1)).isCloseTo(1.0 / 24,
        within(1e-8));
    // Predicted (8,8,8,8) around (4,4) is [-4,-4,12,12]; target [0,0,16,16]: intersection 144,
    // union 256 + 256 - 144; the same at every point, so the centerness-weighted mean is that loss.
    INDArray box = r.posDecodedBboxPreds();
    assertThat(box.getDouble(0, 0)).isEqualTo(-4.0);
    assertThat(loss.sum("loss_bbox")).isCloseTo(-Math.log(144.0 / 368), within(1e-5));
  }

  @Test
  void imageWithoutGroundTruthIsAllBackgroundWithZeroBoxAndCenternessLoss() {
    HeadLoss loss = oneLevel().loss(outputs(DataType.FLOAT, 8, 8, 8, 8),
        List.of(GroundTruth.of(Tensors.create(new float[0], DataType.FLOAT, 0, 4),
            Tensors.createLong(new long[0], 0))), meta());
    FCOSLoss r = loss.details(FCOSLoss.class);
    assertThat(r.targets().labelsData(0)).containsExactly(1, 1, 1, 1);
    assertThat(r.targets().bboxTargetsData(0)).containsOnly(0.0);
    assertThat(r.posInds()).isEmpty();
    assertThat(r.numPos()).isEqualTo(1.0);
    // Four negatives at p = 1/2: 0.75 * 0.5^2 * ln2 each, avg factor max(0, 1) = 1.
    assertThat(loss.sum("loss_cls")).isCloseTo(4 * 0.1875 * LN2, within(1e-6));
    assertThat(loss.sum("loss_bbox")).isZero();
    assertThat(loss.sum("loss_centerness")).isZero();
    assertThat(loss.grads().get(HeadOutputs.BBOX_PREDS, 0).dup().reshape(-1).toDoubleVector()).containsOnly(0.0);
    assertThat(loss.grads().get(HeadOutputs.CENTERNESSES, 0).dup().reshape(-1).toDoubleVector()).containsOnly(0.0);
  }

  @Test
  void ignoreBoxesChangeNothing() {
    FCOSHead head = oneLevel();
    GroundTruth plain = gt(0, 0, 16, 16);
    GroundTruth withIgnore = GroundTruth.of(plain.bboxes(), plain.labels().orElseThrow(),
        Tensors.create(new float[] {0, 0, 8, 8}, DataType.FLOAT, 1, 4));
    HeadLoss a = head.loss(outputs(DataType.FLOAT, 3, 5, 7, 9), List.of(plain), meta());
    HeadLoss b = head.loss(outputs(DataType.FLOAT, 3, 5, 7, 9), List.of(withIgnore), meta());
    assertThat(b.total()).isEqualTo(a.total());
    assertThat(b.grads().get(HeadOutputs.BBOX_PREDS, 0).dup().reshape(-1).toDoubleVector())
        .containsExactly(a.grads().get(HeadOutputs.BBOX_PREDS, 0).dup().reshape(-1).toDoubleVector());
  }

  @Test
  void groundTruthSmallerThanEveryStride() {
    FCOSHead head = FCOSHead.builder().params(p -> p.withNumClasses(1).withExecutor(null)).strides(8, 16)
        .regressRanges(new double[][] {{-1, 64}, {64, 1e8}}).build();
    List<int[]> sizes = List.of(new int[] {2, 2}, new int[] {1, 1});
    // Between the points (4 and 12 on level 0, 8 on level 1): no point inside, all background.
    FCOSTargets none = head.getTargets(sizes, List.of(gt(5, 5, 7, 7)), DataType.FLOAT);
    assertThat(none.labelsData(0)).containsExactly(1, 1, 1, 1);
    assertThat(none.labelsData(1)).containsExactly(1);
    // Around the point (4,4): positive there only, distances (1,1,1,1); the background rows keep
    // their distances to gt 0 (never used by the loss), e.g. (12,4) -> (9, 1, -7, 1).
    FCOSTargets one = head.getTargets(sizes, List.of(gt(3, 3, 5, 5)), DataType.FLOAT);
    assertThat(one.labelsData(0)).containsExactly(0, 1, 1, 1);
    assertThat(one.labelsData(1)).containsExactly(1);
    assertThat(java.util.Arrays.copyOfRange(one.bboxTargetsData(0), 0, 8))
        .containsExactly(1, 1, 1, 1, 9, 1, -7, 1);
  }

  @Test
  void pointOnABoxBorderIsNotInside() {
    // Gt [4,4,20,12]: (4,4) is its corner, (12,4) on its top edge, (4,12) on its left and bottom
    // edges, (12,12) on its bottom edge: a zero distance is not inside, so no positive. Gt
    // [4,3,20,13] leaves (4,4) and (4,12) on its left edge but (12,4) and (12,12) strictly inside.
    FCOSHead head = oneLevel();
    List<int[]> sizes = List.<int[]>of(new int[] {2, 2});
    assertThat(head.getTargets(sizes, List.of(gt(4, 4, 20, 12)), DataType.FLOAT).labelsData(0))
        .containsExactly(1, 1, 1, 1);
    assertThat(head.getTargets(sizes, List.of(gt(4, 3, 20, 13)), DataType.FLOAT).labelsData(0))
        .containsExactly(1, 0, 1, 0);
  }

  @Test
  void smallestAreaWinsAndRegressRangeIsInclusive() {
    FCOSHead head = FCOSHead.builder().params(p -> p.withNumClasses(3).withExecutor(null)).strides(8)
        .regressRanges(new double[][] {{-1, 12}}).build();
    List<int[]> sizes = List.<int[]>of(new int[] {2, 2});
    GroundTruth two = GroundTruth.of(Tensors.create(new float[] {0, 0, 16, 16, 0, 0, 8, 8}, DataType.FLOAT, 2, 4),
        Tensors.createLong(new long[] {1, 2}, 2));
    // (4,4): both gts; the 8x8 one (label 2) is smaller. (12,12): only the big one, max distance 12
    // = the range's upper end, still inside the range.
    assertThat(head.getTargets(sizes, List.of(two), DataType.FLOAT).labelsData(0)).containsExactly(2, 1, 1, 1);
  }

  @Test
  void configIsReadAndCheckedLikeMmdetections() {
    FCOSHead f = Heads.build(Config.of("type", "FCOSHead", "num_classes", 3, "strides",
        List.of(8, 16, 32), "regress_ranges", List.of(List.of(-1, 64), List.of(64, 128), List.of(128, 1e8)),
        "center_sampling", true, "norm_on_bbox", true, "centerness_on_reg", true, "feat_channels", 8), FCOSHead.class);
    assertThat(f.numLevels()).isEqualTo(3);
    assertThat(f.regressRange(2)).containsExactly(128, 1e8);
    assertThat(f.centerSampling()).isTrue();
    assertThat(f.centerSampleRadius()).isEqualTo(1.5);
    assertThatThrownBy(() -> Heads.build(Config.of("type", "FCOSHead", "num_classes", 3, "center_samplin",
        true))).isInstanceOf(ConfigException.class).hasMessageContaining("center_samplin");
    // Five default ranges for three strides.
    assertThatThrownBy(() -> Heads.build(Config.of("type", "FCOSHead", "num_classes", 3, "strides",
        List.of(8, 16, 32)))).isInstanceOf(ConfigException.class).hasMessageContaining("regress_ranges");
    assertThatThrownBy(() -> Heads.build(Config.of("type", "FCOSHead", "num_classes", 3, "loss_cls",
        Config.of("type", "CrossEntropyLoss", "use_sigmoid", false).toMap())))
        .isInstanceOf(ConfigException.class).hasMessageContaining("sigmoid");
  }

  @Test
  void badOutputsAndLabelsAreRefusedWithTheirName() {
    FCOSHead head = oneLevel();
    HeadOutputs ok = outputs(DataType.FLOAT, 8, 8, 8, 8);
    HeadOutputs wrongChannels = ok.with(HeadOutputs.CENTERNESSES,
        List.of(Tensors.create(new double[8], DataType.FLOAT, 1, 2, 2, 2)));
    assertThatThrownBy(() -> head.loss(wrongChannels, List.of(gt(0, 0, 16, 16)), meta()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("centernesses[0]");
    GroundTruth badLabel = GroundTruth.of(Tensors.create(new float[] {0, 0, 16, 16}, DataType.FLOAT, 1, 4),
        Tensors.createLong(new long[] {1}, 1));
    assertThatThrownBy(() -> head.loss(ok, List.of(badLabel), meta()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gt_labels");
    double[] nan = new double[16];
    nan[5] = Double.NaN;
    HeadOutputs withNan = ok.with(HeadOutputs.BBOX_PREDS, List.of(Tensors.create(nan, DataType.FLOAT, 1, 4, 2, 2)));
    assertThatThrownBy(() -> head.loss(withNan, List.of(gt(0, 0, 16, 16)), meta()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bbox_preds[0]").hasMessageContaining("NaN");
    assertThatThrownBy(() -> head.predict(withNan, meta(), io.detkit.heads.TestConfig.of(100, 0.05, 0.5, 10), false,
        true)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bbox_preds[0]");
    assertThatThrownBy(() -> head.loss(ok, List.of(gt(0, 0, 16, 16)), List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("img_metas");
  }
}
