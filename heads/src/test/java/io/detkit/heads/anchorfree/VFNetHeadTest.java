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
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** VFNetHead's losses on hand-made inputs (one level, stride 8, a 2x2 map, FCOS targets) and on the golden inputs. */
class VFNetHeadTest {
  private static final double LN2 = Math.log(2);
  /** The exact distances of the points (4,4), (12,4), (4,12), (12,12) to gt [0,0,16,16], channel-major. */
  private static final double[] EXACT = {4, 12, 4, 12, 4, 4, 12, 12, 12, 4, 12, 4, 12, 12, 4, 4};

  private static VFNetHead head() {
    return VFNetHead.builder().params(p -> p.withExecutor(null)).fromConfig(Config.of("type", "VFNetHead",
        "num_classes", 1, "strides", List.of(8),
        "regress_ranges", List.of(List.of(-1, 1e8)), "use_atss", false,
        "test_cfg", Map.of("nms_pre", 1000, "score_thr", 0.05, "nms", Map.of("type", "soft_nms",
            "iou_threshold", 0.6), "max_per_img", 100)));
  }

  private static HeadOutputs outputs(double[] dist) {
    return HeadOutputs.empty()
        .with(HeadOutputs.CLS_SCORES, List.of(Tensors.create(new double[4], DataType.FLOAT, 1, 1, 2, 2)))
        .with(HeadOutputs.BBOX_PREDS, List.of(Tensors.create(dist, DataType.FLOAT, 1, 4, 2, 2)))
        .with(VFNetHead.BBOX_PREDS_REFINE, List.of(Tensors.create(dist, DataType.FLOAT, 1, 4, 2, 2)));
  }

  private static GroundTruth gt(float... xyxy) {
    return GroundTruth.of(Tensors.create(xyxy, DataType.FLOAT, xyxy.length / 4, 4),
        Tensors.createLong(new long[xyxy.length / 4], xyxy.length / 4));
  }

  @Test
  void exactBoxesGiveZeroBoxLossAndIouOneClassificationTargets() {
    // Every point lies inside gt [0,0,16,16] and predicts it exactly: IoU 1 for both branches, so
    // GIoU losses 0, avg factors sum(IoU) = 4, VFL targets 1: BCE(0, 1) * 1 = ln2 per positive / 4.
    HeadLoss loss = head().loss(outputs(EXACT), List.of(gt(0, 0, 16, 16)), List.of(ImageMeta.ofSize(16, 16)));
    VFNetLoss r = loss.details(VFNetLoss.class);
    assertThat(r.posInds()).containsExactly(0, 1, 2, 3);
    assertThat(r.iouRefine()).containsExactly(1, 1, 1, 1);
    assertThat(r.avgFactorInitial()).isEqualTo(4.0);
    assertThat(loss.sum("loss_bbox")).isCloseTo(0, within(1e-6));
    assertThat(loss.sum("loss_bbox_rf")).isCloseTo(0, within(1e-6));
    assertThat(loss.sum("loss_cls")).isCloseTo(LN2, within(1e-6));
  }

  @Test
  void imageWithoutGroundTruthHasOnlyTheNegativeClassificationLoss() {
    HeadLoss loss = head().loss(outputs(EXACT), List.of(GroundTruth.of(Tensors.create(new float[0],
        DataType.FLOAT, 0, 4), Tensors.createLong(new long[0], 0))), List.of(ImageMeta.ofSize(16, 16)));
    assertThat(loss.details(VFNetLoss.class).posInds()).isEmpty();
    // Four negatives at p = 1/2: alpha * p^2 * BCE(0, 0) = 0.75 * 0.25 * ln2 each, avg factor 1.
    assertThat(loss.sum("loss_cls")).isCloseTo(4 * 0.1875 * LN2, within(1e-6));
    assertThat(loss.sum("loss_bbox")).isZero();
    assertThat(loss.sum("loss_bbox_rf")).isZero();
    assertThat(Tensors.toDoubles(loss.grads().get(VFNetHead.BBOX_PREDS_REFINE, 0))).containsOnly(0.0);
  }

  @Test
  void predictionAndOtherClassificationLossesAreRefused() {
    VFNetHead head = head();
    assertThatThrownBy(() -> head.predict(outputs(EXACT), List.of(ImageMeta.ofSize(16, 16))))
        .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("bbox_preds_refine");
    assertThatThrownBy(() -> Heads.build(Config.of("type", "VFNetHead", "num_classes", 1, "use_vfl",
        false))).isInstanceOf(ConfigException.class).hasMessageContaining("use_vfl");
    assertThatThrownBy(() -> Heads.build(Config.of("type", "VFNetHead", "num_classes", 1, "use_atss", false,
        "loss_cls", Map.of("type", "FocalLoss", "use_sigmoid", true)))).isInstanceOf(ConfigException.class)
        .hasMessageContaining("loss_cls");
  }

  @Test
  void goldenInputsAreBitIdenticalOnOneAndEightThreads() {
    GoldenPointInputs.assertSameOnOneAndEightThreads(
        (c, e) -> VFNetHead.builder().params(p -> p.withExecutor(e)).fromConfig(c),
        List.of("VFNetHead/fcos_targets"), null);
  }

}
