package io.detkit.heads.examples;

import static io.detkit.heads.Tiny.EPS;
import static io.detkit.heads.examples.ExampleMath.ANCHORS;
import static io.detkit.heads.examples.ExampleMath.bce;
import static io.detkit.heads.examples.ExampleMath.sigmoid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.detkit.core.config.Config;
import io.detkit.core.tensor.Tensors;
import io.detkit.heads.GroundTruth;
import io.detkit.heads.HeadLoss;
import io.detkit.heads.HeadOutputs;
import io.detkit.heads.ImageMeta;
import io.detkit.heads.RetinaHead;
import io.detkit.heads.Tiny;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The IoU-prediction branch added to RetinaHead, against a direct float64 computation: positives
 * anchor 0 (gt B) and anchor 3 (gt A), each trained towards the IoU of its decoded box with its gt.
 */
class IoUBranchRetinaHeadTest {
  private static final double[] GT_A = {8, 8, 24, 20};
  private static final double[] GT_B = {-8, -8, 6, 8};
  private static final double[][] DELTAS = {{0.05, 0.1, -0.1, 0.0}, {0.2, 0.2, 0.2, 0.2}, {0.2, 0.2, 0.2, 0.2},
      {0.1, -0.05, 0.2, 0.1}};
  private static final double[] IOU_LOGITS = {0.2, -0.1, 0.3, 0.5};
  private static final List<GroundTruth> GTS = List.of(GroundTruth.of(Tiny.boxes(8, 8, 24, 20, -8, -8, 6, 8),
      Tiny.labels(0, 0)));

  private final List<INDArray> clsScores = List.of(ExampleMath.logits(0, 0, 0, 0));
  private final List<INDArray> bboxPreds = List.of(ExampleMath.map(4, DELTAS));

  private static HeadOutputs outputs(boolean withIou) {
    HeadOutputs o = HeadOutputs.of(List.of(ExampleMath.logits(0, 0, 0, 0)), List.of(ExampleMath.map(4, DELTAS)));
    return withIou ? o.with(IoUBranchRetinaHead.IOU_PREDS, List.of(ExampleMath.logits(IOU_LOGITS))) : o;
  }

  @Test
  void theBranchIsTrainedTowardsTheIoUOfEachPositivesDecodedBox() {
    Config cfg = Tiny.headConfig("IoUBranchRetinaHead", -1, 0, -1);
    List<ImageMeta> metas = List.of(Tiny.meta(32, 32));
    INDArray iouLogits = ExampleMath.logits(IOU_LOGITS);  // [N, A, H, W]
    // tag::iou-branch-usage[]
    IoUBranchRetinaHead head = IoUBranchRetinaHead.fromConfig(cfg);
    HeadOutputs outputs = HeadOutputs.of(clsScores, bboxPreds).with(IoUBranchRetinaHead.IOU_PREDS, List.of(iouLogits));
    HeadLoss loss = head.loss(outputs, GTS, metas);      // loss_cls, loss_bbox, loss_iou
    INDArray iouGrad = loss.grads().get(IoUBranchRetinaHead.IOU_PREDS, 0);  // back into the branch
    // end::iou-branch-usage[]

    assertThat(loss.targets().orElseThrow().image(0).posInds()).containsExactly(0, 3);
    double iou0 = ExampleMath.iou(ExampleMath.decode(ANCHORS.get(0), DELTAS[0]), GT_B);
    double iou3 = ExampleMath.iou(ExampleMath.decode(ANCHORS.get(3), DELTAS[3]), GT_A);
    // Sigmoid cross-entropy over the two positives, averaged by num_total_pos = 2.
    assertThat(loss.names()).containsExactly("loss_cls", "loss_bbox", "loss_iou");
    assertThat(loss.get("loss_iou", 0)).isCloseTo((bce(IOU_LOGITS[0], iou0) + bce(IOU_LOGITS[3], iou3)) / (2 + EPS),
        within(1e-9));
    double[] grad = Tensors.toDoubles(iouGrad);
    assertThat(grad).containsExactly(new double[] {(sigmoid(IOU_LOGITS[0]) - iou0) / (2 + EPS), 0, 0,
        (sigmoid(IOU_LOGITS[3]) - iou3) / (2 + EPS)}, within(1e-12));

    // RetinaHead's own terms and gradients are untouched by the branch.
    RetinaHead plain = RetinaHead.fromConfig(Tiny.headConfig("RetinaHead", -1, 0, -1));
    HeadLoss reference = plain.loss(outputs(false), GTS, List.of(Tiny.meta(32, 32)));
    assertThat(loss.get("loss_cls")).containsExactly(reference.get("loss_cls"));
    assertThat(loss.get("loss_bbox")).containsExactly(reference.get("loss_bbox"));
    assertThat(Tensors.toDoubles(loss.grads().get(HeadOutputs.BBOX_PREDS, 0)))
        .containsExactly(Tensors.toDoubles(reference.grads().get(HeadOutputs.BBOX_PREDS, 0)));
  }

  @Test
  void theDeclaredOutputIsChecked() {
    IoUBranchRetinaHead head = IoUBranchRetinaHead.fromConfig(Tiny.headConfig("IoUBranchRetinaHead", -1, 0, -1));
    assertThatThrownBy(() -> head.loss(outputs(false), GTS, List.of(Tiny.meta(32, 32))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs head output 'iou_preds'");
    HeadOutputs wide = outputs(false).with(IoUBranchRetinaHead.IOU_PREDS, List.of(ExampleMath.map(4, DELTAS)));
    assertThatThrownBy(() -> head.loss(wide, GTS, List.of(Tiny.meta(32, 32))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("iou_preds[0] must be [1,1,2,2]");
  }
}
