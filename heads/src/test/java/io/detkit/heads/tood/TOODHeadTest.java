package io.detkit.heads.tood;

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
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * TOODHead's edge cases in both phases with values worked out by hand (every probability 1/2), its
 * {@code train_cfg} keys, and determinism. The golden config has {@code initial_epoch=4}.
 */
class TOODHeadTest {
  private static final double LN2 = Math.log(2);
  private static final double EPS = Math.ulp(1.0f);
  private static final Config CONFIG = GoldenPointInputs.golden("TOODHead/alignment_phase").config();
  private static final List<String> OUTPUTS = List.of(HeadOutputs.CLS_SCORES, HeadOutputs.BBOX_PREDS);
  private static final int INITIAL = 0;
  private static final int ALIGNMENT = 4;

  private final TOODHead head = TOODHead.fromConfig(CONFIG);
  // Probabilities 1/2; boxes (0, 0, 1, 1) stride units at every location (their IoU with a far gt is 0).
  private final HeadOutputs halves = boxes(constant(HeadOutputs.empty(), HeadOutputs.CLS_SCORES, 4, 0.5));

  private static HeadOutputs boxes(HeadOutputs base) {
    HeadOutputs o = constant(base, HeadOutputs.BBOX_PREDS, 4, 0.0);
    return o.with(HeadOutputs.BBOX_PREDS, unitBoxes(o));
  }

  /** The zero {@code bbox_preds} of {@code o} with x2 = y2 = 1 (channels 2 and 3 of every image). */
  private static List<org.nd4j.linalg.api.ndarray.INDArray> unitBoxes(HeadOutputs o) {
    List<org.nd4j.linalg.api.ndarray.INDArray> levels = new ArrayList<>();
    for (org.nd4j.linalg.api.ndarray.INDArray a : o.get(HeadOutputs.BBOX_PREDS)) {
      double[] d = Tensors.toDoubles(a);
      int hw = (int) (a.size(2) * a.size(3));
      for (int i = 0; i < a.size(0); i++) {
        java.util.Arrays.fill(d, (i * 4 + 2) * hw, (i * 4 + 4) * hw, 1.0);
      }
      levels.add(Tensors.create(d, a.dataType(), a.shape()));
    }
    return levels;
  }

  @Test
  void registeredWithItsPhaseSettings() {
    assertThat(Heads.build(CONFIG)).isInstanceOf(TOODHead.class);
    assertThat(head.initialEpoch()).isEqualTo(4);
    assertThat(head.alpha()).isEqualTo(1.0);
    assertThat(head.beta()).isEqualTo(6.0);
    assertThat(head.alignmentAssigner().topk()).isEqualTo(13);
  }

  @Test
  void withoutGroundTruthTheAlignmentPhaseTrainsQualityFocalTowardsZero() {
    HeadLoss r = head.loss(halves, List.of(noGt()), metas(), ALIGNMENT);
    // Every (anchor, class): BCE(1/2, 0) * (1/2)^2 = ln2 / 4; the cls avg factor is max(0, 1) = 1.
    double[] cls = r.get("loss_cls");
    assertThat(cls[0]).isCloseTo(16 * LN2 / (1 + EPS), within(2e-6));
    assertThat(cls[1]).isCloseTo(4 * LN2 / (1 + EPS), within(1e-6));
    assertThat(cls[2]).isCloseTo(LN2 / (1 + EPS), within(1e-6));
    assertThat(r.get("loss_bbox")).containsOnly(0.0);
    // d/dp [-ln(1-p) p^2] at 1/2 = 1/2 + ln2.
    for (int l = 0; l < 3; l++) {
      for (double g : Tensors.toDoubles(r.grads().get(HeadOutputs.CLS_SCORES, l))) {
        assertThat(g).isCloseTo((0.5 + LN2) / (1 + EPS), within(1e-6));
      }
    }
    assertZeroGrads(r, HeadOutputs.BBOX_PREDS, 3);
    assertNoPositives(r, 4);
  }

  @Test
  void withoutGroundTruthTheInitialPhaseTrainsFocalLossOnProbabilities() {
    HeadLoss r = head.loss(halves, List.of(noGt()), metas(), INITIAL);
    // Background: (1 - alpha) p^gamma BCE(p, 0) = 0.75 * 0.25 * ln2 per (anchor, class).
    double[] cls = r.get("loss_cls");
    assertThat(cls[0]).isCloseTo(64 * 0.1875 * LN2 / (1 + EPS), within(2e-6));
    assertThat(cls[1]).isCloseTo(16 * 0.1875 * LN2 / (1 + EPS), within(1e-6));
    assertThat(cls[2]).isCloseTo(4 * 0.1875 * LN2 / (1 + EPS), within(1e-6));
    assertThat(r.get("loss_bbox")).containsOnly(0.0);
    assertZeroGrads(r, HeadOutputs.BBOX_PREDS, 3);
  }

  @Test
  void aGroundTruthSmallerThanEveryStrideGetsNoPositiveInEitherPhase() {
    // No anchor centre (multiples of 8) lies inside (3, 3, 5, 5): neither assigner takes one.
    GroundTruth small = gt(new double[] {3, 3, 5, 5}, new long[] {1}, null);
    for (int epoch : new int[] {INITIAL, ALIGNMENT}) {
      HeadLoss r = head.loss(halves, List.of(small), metas(), epoch);
      assertNoPositives(r, 4);
      assertBitIdentical(head.loss(halves, List.of(noGt()), metas(), epoch), r, OUTPUTS, 3);
    }
  }

  @Test
  void ignoredBoxesChangeNothingInEitherPhase() {
    // TaskAlignedAssigner never reads gt_bboxes_ignore; ATSSAssigner only with ignore_iof_thr > 0.
    GoldenCase c = GoldenPointInputs.golden("TOODHead/alignment_phase");
    List<ImageMeta> metas = ImageMeta.listFromConfig(c.call().getList("img_metas"));
    HeadOutputs outs = GoldenPointInputs.outputs(c, OUTPUTS);
    List<GroundTruth> plain = GoldenPointInputs.gts(c, metas.size());
    List<GroundTruth> ignoring = withIgnored(plain, 0, 0, 40, 40);
    for (int epoch : new int[] {INITIAL, ALIGNMENT}) {
      HeadLoss a = head.loss(outs, plain, metas, epoch);
      assertThat(a.get("loss_bbox")[0]).isGreaterThan(0.0);
      assertBitIdentical(a, head.loss(outs, ignoring, metas, epoch), OUTPUTS, 3);
    }
  }

  @Test
  void scoresOutsideZeroOneAreRefusedInBothPhases() {
    HeadOutputs logits = boxes(constant(HeadOutputs.empty(), HeadOutputs.CLS_SCORES, 4, -1.5));
    for (int epoch : new int[] {INITIAL, ALIGNMENT}) {
      assertThatThrownBy(() -> head.loss(logits, List.of(noGt()), metas(), epoch))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cls_scores[0] must be probabilities")
          .hasMessageContaining("-1.5");
    }
  }

  @Test
  void anImageWithNoAnchorInsideItAddsNothingInEitherPhase() {
    // allowed_border 0: on a 96x96 image some 64x64 anchors fit; an img_shape (0, 0) image keeps none.
    TOODHead strict = TOODHead.fromConfig(CONFIG.with("train_cfg", CONFIG.getConfig("train_cfg").with(
        "allowed_border", 0)));
    int[][] sizes = {{12, 12}, {6, 6}, {3, 3}};
    GroundTruth g = gt(new double[] {20, 20, 70, 76}, new long[] {2}, null);
    ImageMeta full = ImageMeta.ofSize(96, 96);
    ImageMeta none = ImageMeta.of(new int[] {0, 0, 3}, new int[] {96, 96, 3}, new int[] {0, 0, 3}, 1, 1, 1, 1);
    for (int epoch : new int[] {INITIAL, ALIGNMENT}) {
      HeadLoss alone = strict.loss(outputs(1, sizes), List.of(g), List.of(full), epoch);
      HeadLoss both = strict.loss(outputs(2, sizes), List.of(g, g), List.of(full, none), epoch);
      assertEmptyImageAddsNothing(alone, both, OUTPUTS);
    }
  }

  /** Probabilities 1/2 and boxes (0, 0, 1, 1) at every location of {@code n} images. */
  private static HeadOutputs outputs(int n, int[][] sizes) {
    HeadOutputs o = constant(HeadOutputs.empty(), HeadOutputs.CLS_SCORES, 4, 0.5, n, sizes);
    return o.with(HeadOutputs.BBOX_PREDS, unitBoxes(constant(o, HeadOutputs.BBOX_PREDS, 4, 0.0, n, sizes)));
  }

  @Test
  void itsTrainCfgKeysAreRequiredHereAndRefusedElsewhere() {
    Config train = CONFIG.getConfig("train_cfg");
    for (String key : List.of("initial_epoch", "initial_assigner", "alpha", "beta")) {
      Config missing = CONFIG.with("train_cfg", train.without(key));
      assertThatThrownBy(() -> TOODHead.fromConfig(missing)).as(key).isInstanceOf(ConfigException.class)
          .hasMessageContaining(key);
    }
    Config atss = CONFIG.with("type", "ATSSHead").without("anchor_type").without("initial_loss_cls");
    assertThatThrownBy(() -> Heads.build(atss)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("unknown parameter").hasMessageContaining("for train_cfg");
    assertThatThrownBy(() -> TOODHead.fromConfig(CONFIG.with("anchor_type", "anchorless")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("anchor_type");
  }

  @Test
  void lossAndPredictionAreBitIdenticalOnOneAndEightThreads() {
    GoldenPointInputs.assertSameOnOneAndEightThreads((c, e) -> new TOODHead.Builder().params(p -> p.withExecutor(e)).fromConfig(c),
        List.of("TOODHead/alignment_phase"), "TOODHead/get_bboxes", INITIAL, ALIGNMENT);
  }

}
