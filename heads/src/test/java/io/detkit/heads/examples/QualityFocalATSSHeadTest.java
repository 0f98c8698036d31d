package io.detkit.heads.examples;

import static io.detkit.heads.Tiny.EPS;
import static io.detkit.heads.examples.ExampleMath.ANCHORS;
import static io.detkit.heads.examples.ExampleMath.bce;
import static io.detkit.heads.examples.ExampleMath.sigmoid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.detkit.core.config.Config;
import io.detkit.core.tensor.Tensors;
import io.detkit.heads.ATSSHead;
import io.detkit.heads.GroundTruth;
import io.detkit.heads.HeadLoss;
import io.detkit.heads.HeadOutputs;
import io.detkit.heads.Tiny;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * QualityFocalLoss on ATSS with IoU soft targets, against a direct float64 computation: the single
 * positive (anchor 3) is trained towards the IoU of its decoded prediction with its gt.
 */
class QualityFocalATSSHeadTest {
  private static final double[] X = {0.3, -0.2, 0.1, 0.4};
  private static final double[] DELTA3 = {0.1, -0.05, 0.2, 0.1};
  private static final double[] GT = {8, 8, 24, 20};

  private static Config config(Config lossCls) {
    return Tiny.headConfig("QualityFocalATSSHead", -1, 0, -1).with("loss_cls", lossCls)
        .with("loss_bbox", Config.of("type", "GIoULoss", "loss_weight", 2.0))
        .with("train_cfg", Config.of("assigner", Config.of("type", "ATSSAssigner", "topk", 9), "allowed_border", -1,
            "pos_weight", -1));
  }

  private static HeadOutputs outputs() {
    double[] zero = {0, 0, 0, 0};
    return HeadOutputs.of(List.of(ExampleMath.logits(X)), List.of(ExampleMath.map(4, zero, zero, zero, DELTA3)))
        .with(HeadOutputs.CENTERNESSES, List.of(ExampleMath.logits(0.1, 0.2, 0.3, 0.4)));
  }

  /** QFL of one logit: beta 2, target score {@code s} at a positive, 0 (background) elsewhere. */
  private static double qfl(double x, double s) {
    return bce(x, s) * Math.pow(Math.abs(s - sigmoid(x)), 2);
  }

  @Test
  void thePositiveIsTrainedTowardsTheIoUOfItsDecodedPrediction() {
    Config cfg = config(Config.of("type", "QualityFocalLoss", "use_sigmoid", true, "beta", 2.0));
    List<GroundTruth> gts = List.of(GroundTruth.of(Tiny.boxes(GT), Tiny.labels(0)));
    HeadOutputs outputs = outputs();  // cls_scores, bbox_preds, centernesses
    // tag::qfl-atss-usage[]
    QualityFocalATSSHead head = QualityFocalATSSHead.builder().fromConfig(cfg);  // loss_cls=dict(type='QualityFocalLoss', ...)
    HeadLoss loss = head.loss(outputs, gts, List.of(Tiny.meta(32, 32)));
    // end::qfl-atss-usage[]

    assertThat(loss.targets().orElseThrow().labelsData(0)).containsExactly(1, 1, 1, 0);
    double score = ExampleMath.iou(ExampleMath.decode(ANCHORS.get(3), DELTA3), GT);
    assertThat(score).isBetween(0.5, 0.9);
    double[] s = {0, 0, 0, score};
    double expected = 0;
    for (int i = 0; i < 4; i++) {
      expected += qfl(X[i], s[i]);
    }
    // ATSS averages by max(num_total_pos, 1) = 1.
    assertThat(loss.get("loss_cls", 0)).isCloseTo(expected / (1 + EPS), within(1e-9));
    double[] grad = Tensors.toDoubles(loss.grads().get(HeadOutputs.CLS_SCORES, 0));
    for (int i = 0; i < 4; i++) {
      double si = s[i];
      assertThat(grad[i]).as("d loss / d x[%d]", i)
          .isCloseTo(ExampleMath.derivative(x -> qfl(x, si), X[i]) / (1 + EPS), within(1e-7));
    }

    // Only the classification term changed: ATSS's box and centerness losses and gradients stay.
    ATSSHead plain = ATSSHead.fromConfig(config(Config.of("type", "FocalLoss", "use_sigmoid", true)));
    HeadLoss reference = plain.loss(outputs(), gts, List.of(Tiny.meta(32, 32)));
    assertThat(loss.names()).containsExactly("loss_cls", "loss_bbox", "loss_centerness");
    assertThat(loss.get("loss_bbox")).containsExactly(reference.get("loss_bbox"));
    assertThat(loss.get("loss_centerness")).containsExactly(reference.get("loss_centerness"));
    assertThat(Tensors.toDoubles(loss.grads().get(HeadOutputs.BBOX_PREDS, 0)))
        .containsExactly(Tensors.toDoubles(reference.grads().get(HeadOutputs.BBOX_PREDS, 0)));
  }
}
