package io.detkit.heads.gfl;

import static io.detkit.heads.DenseHeadEdgeFixture.assertBitIdentical;
import static io.detkit.heads.DenseHeadEdgeFixture.assertEmptyImageAddsNothing;
import static io.detkit.heads.DenseHeadEdgeFixture.assertNoPositives;
import static io.detkit.heads.DenseHeadEdgeFixture.assertZeroGrads;
import static io.detkit.heads.DenseHeadEdgeFixture.constant;
import static io.detkit.heads.DenseHeadEdgeFixture.gt;
import static io.detkit.heads.DenseHeadEdgeFixture.metas;
import static io.detkit.heads.DenseHeadEdgeFixture.noGt;
import static io.detkit.heads.DenseHeadEdgeFixture.withIgnored;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.core.golden.GoldenCase;
import io.detkit.core.tensor.Tensors;
import io.detkit.heads.GroundTruth;
import io.detkit.heads.HeadLoss;
import io.detkit.heads.HeadOutputs;
import io.detkit.heads.Heads;
import io.detkit.heads.ImageMeta;
import io.detkit.heads.anchorfree.GoldenPointInputs;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * GFLHead's edge cases with values worked out by hand (constant outputs: logits 0, so every class
 * probability is 1/2 and every side distribution uniform), its config keys, and determinism.
 */
class GFLHeadTest {
  private static final double LN2 = Math.log(2);
  private static final double EPS = Math.ulp(1.0f);  // weight_reduce_loss: sum / (avg_factor + eps)
  private static final Config CONFIG = GoldenPointInputs.golden("GFLHead/standard").config();
  private static final List<String> OUTPUTS = List.of(HeadOutputs.CLS_SCORES, HeadOutputs.BBOX_PREDS);

  private final GFLHead head = GFLHead.fromConfig(CONFIG);
  private final HeadOutputs zeros = constant(constant(HeadOutputs.empty(), HeadOutputs.CLS_SCORES, 4, 0.0),
      HeadOutputs.BBOX_PREDS, 68, 0.0);

  @Test
  void registeredUnderItsTypeName() {
    assertThat(Heads.build(CONFIG)).isInstanceOf(GFLHead.class);
    assertThat(head.regMax()).isEqualTo(16);
  }

  @Test
  void anImageWithoutGroundTruthTrainsOnlyTheQualityScoresTowardsZero() {
    HeadLoss r = head.loss(zeros, List.of(noGt()), metas());
    // Every (anchor, class): BCE(0, 0) * sigmoid(0)^2 = ln2 / 4; avg factor max(num_total_pos, 1) = 1.
    double[] cls = r.get("loss_cls");
    assertThat(cls[0]).isCloseTo(16 * 4 * LN2 / 4 / (1 + EPS), within(2e-6));
    assertThat(cls[1]).isCloseTo(4 * 4 * LN2 / 4 / (1 + EPS), within(1e-6));
    assertThat(cls[2]).isCloseTo(4 * LN2 / 4 / (1 + EPS), within(1e-6));
    assertThat(r.get("loss_bbox")).containsOnly(0.0);
    assertThat(r.get("loss_dfl")).containsOnly(0.0);
    // d/dx [softplus(x) sigmoid(x)^2] at 0 = 1/8 + ln2 / 4.
    for (int l = 0; l < 3; l++) {
      for (double g : Tensors.toDoubles(r.grads().get(HeadOutputs.CLS_SCORES, l))) {
        assertThat(g).isCloseTo((0.125 + LN2 / 4) / (1 + EPS), within(1e-6));
      }
    }
    assertZeroGrads(r, HeadOutputs.BBOX_PREDS, 3);
    assertNoPositives(r, 4);
  }

  @Test
  void aGroundTruthSmallerThanEveryStrideGetsNoPositiveAndTrainsAsNoGroundTruth() {
    // No anchor centre (multiples of 8) lies inside (3, 3, 5, 5): ATSS finds no positive.
    HeadLoss small = head.loss(zeros, List.of(gt(new double[] {3, 3, 5, 5}, new long[] {1}, null)), metas());
    assertNoPositives(small, 4);
    assertBitIdentical(head.loss(zeros, List.of(noGt()), metas()), small, OUTPUTS, 3);
  }

  @Test
  void ignoredBoxesChangeNothingWithTheDefaultIgnoreThreshold() {
    // ATSSAssigner uses gt_bboxes_ignore only with ignore_iof_thr > 0 (default -1), as MMDetection.
    GoldenCase c = GoldenPointInputs.golden("GFLHead/standard");
    List<ImageMeta> metas = ImageMeta.listFromConfig(c.call().getList("img_metas"));
    HeadOutputs outs = GoldenPointInputs.outputs(c, OUTPUTS);
    List<GroundTruth> plain = GoldenPointInputs.gts(c, metas.size());
    List<GroundTruth> ignoring = withIgnored(plain, 0, 0, 40, 40);
    HeadLoss a = head.loss(outs, plain, metas);
    assertThat(a.get("loss_bbox")[0]).isGreaterThan(0.0);
    assertBitIdentical(a, head.loss(outs, ignoring, metas), OUTPUTS, 3);
  }

  @Test
  void anImageWithNoAnchorInsideItAddsNothingToTheBatch() {
    // allowed_border 0: on a 96x96 image some 64x64 anchors fit; an img_shape (0, 0) image keeps none.
    GFLHead strict = GFLHead.fromConfig(CONFIG.with("train_cfg", CONFIG.getConfig("train_cfg").with("allowed_border",
        0)));
    int[][] sizes = {{12, 12}, {6, 6}, {3, 3}};
    GroundTruth g = gt(new double[] {20, 20, 70, 76}, new long[] {2}, null);
    ImageMeta full = ImageMeta.ofSize(96, 96);
    ImageMeta none = ImageMeta.of(new int[] {0, 0, 3}, new int[] {96, 96, 3}, new int[] {0, 0, 3}, 1, 1, 1, 1);
    HeadLoss alone = strict.loss(outputs(1, sizes), List.of(g), List.of(full));
    HeadLoss both = strict.loss(outputs(2, sizes), List.of(g, g), List.of(full, none));
    assertThat(alone.get("loss_bbox")[0]).isGreaterThan(0.0);
    assertEmptyImageAddsNothing(alone, both, OUTPUTS);
  }

  private static HeadOutputs outputs(int n, int[][] sizes) {
    return constant(constant(HeadOutputs.empty(), HeadOutputs.CLS_SCORES, 4, 0.0, n, sizes), HeadOutputs.BBOX_PREDS,
        68, 0.0, n, sizes);
  }

  @Test
  void trainCfgKeysOfTOODAreRefused() {
    Config bad = CONFIG.with("train_cfg", CONFIG.getConfig("train_cfg").with("initial_epoch", 4));
    assertThatThrownBy(() -> GFLHead.fromConfig(bad)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("initial_epoch");
  }

  @Test
  void lossAndPredictionAreBitIdenticalOnOneAndEightThreads() {
    GoldenPointInputs.assertSameOnOneAndEightThreads((c, e) -> new GFLHead.Builder().params(p -> p.withExecutor(e)).fromConfig(c),
        List.of("GFLHead/standard"), "GFLHead/get_bboxes");
  }

}
