package io.detkit.heads;

import static io.detkit.heads.Tiny.EPS;
import static io.detkit.heads.Tiny.LN2;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigLoader;
import io.detkit.core.tensor.Tensors;
import io.detkit.heads.anchorfree.FCOSHead;
import io.detkit.heads.anchorfree.FCOSLoss;
import io.detkit.heads.anchorfree.FCOSTargets;
import io.detkit.heads.gfl.GFLHead;
import io.detkit.heads.gfl.Integral;
import io.detkit.heads.tood.TOODHead;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The code of docs/customize_losses.md's section on FCOSHead, GFLHead and TOODHead (English and
 * Chinese; {@link CustomizeLossesDocTest} checks the blocks against these tagged regions), run on a
 * 32 x 32 image with one gt box whose targets are worked out by hand.
 */
class DenseHeadsDocTest {
  private static final Map<String, String> TAGGED = Snippets.tagged(Snippets.repoRoot().resolve("heads/src"));
  // One gt box in the top-left quarter of a 32 x 32 image, class 0.
  private final List<GroundTruth> gts = List.of(GroundTruth.of(Tiny.boxes(0, 0, 16, 16), Tiny.labels(0)));
  private final List<ImageMeta> metas = List.of(Tiny.meta(32, 32));
  // FCOS's outputs on levels of 4 x 4 and 2 x 2: logits 0, distances of one stride.
  private final HeadOutputs outputs = HeadOutputs.of(maps(1, 0.0, 4, 2), maps(4, 1.0, 4, 2))
      .with(HeadOutputs.CENTERNESSES, maps(1, 0.0, 4, 2));

  private static Config bboxHead(String tag) {
    String source = TAGGED.get(tag);
    assertThat(source).as("tagged Python region '%s'", tag).isNotNull();
    return ConfigLoader.fromPython(source, tag + ".py").getConfig("bbox_head");
  }

  /** One image's maps {@code [1, channels, size, size]} of every level, all {@code value}. */
  private static List<INDArray> maps(int channels, double value, int... sizes) {
    List<INDArray> out = new ArrayList<>();
    for (int s : sizes) {
      double[] v = new double[channels * s * s];
      Arrays.fill(v, value);
      out.add(Tensors.create(v, DataType.FLOAT, 1, channels, s, s));
    }
    return out;
  }

  @Test
  void fcosTrainsPointsInsideTheCentreRegionAndWithinTheirLevelsRange() {
    Config cfg = bboxHead("fcos-config");
    List<int[]> featmapSizes = List.of(new int[] {4, 4}, new int[] {2, 2});
    // tag::fcos-usage[]
    FCOSHead fcos = FCOSHead.fromConfig(cfg);
    List<double[]> points = fcos.points(featmapSizes, DataType.FLOAT);     // per level (x, y) pairs, row-major
    FCOSTargets targets = fcos.getTargets(featmapSizes, gts, DataType.FLOAT);
    int[] labels = targets.labelsData(0);                                   // level 0, image after image
    HeadLoss loss = fcos.loss(outputs, gts, metas);                         // loss_cls, loss_bbox, loss_centerness
    // end::fcos-usage[]
    // Level 0 (stride 8) points sit at 4, 12, 20, 28: the four inside (0, 0, 16, 16) reach at most
    // 12 < 16, in level 0's range; level 1's point (8, 8) reaches 8, outside (16, 1e8].
    assertThat(Arrays.copyOf(points.get(0), 4)).containsExactly(4, 4, 12, 4);
    assertThat(labels).containsExactly(0, 0, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1);
    assertThat(targets.labelsData(1)).containsExactly(1, 1, 1, 1);
    // norm_on_bbox: (l, t, r, b) of the point (4, 4) in stride units.
    assertThat(Arrays.copyOf(targets.bboxTargetsData(0), 4)).containsExactly(0.5, 0.5, 1.5, 1.5);
    FCOSLoss details = loss.details(FCOSLoss.class);
    // Each positive is 4 pixels from two sides and 12 from the others: centerness sqrt(1/3 * 1/3).
    assertThat(details.centernessTargets()).hasSize(4).containsOnly(new double[] {1.0 / 3}, within(1e-6));
    assertThat(loss.names()).containsExactly("loss_cls", "loss_bbox", "loss_centerness");
    assertThat(fcos.scoreFactorName()).isEqualTo(HeadOutputs.CENTERNESSES);
  }

  @Test
  void gflIntegratesEachSidesDistribution() {
    GFLHead gfl = (GFLHead) Heads.build(bboxHead("gfl-config"));
    // Every side's logits: 20 on bins 3 and 4, 0 elsewhere (half the mass on each).
    double[] side = new double[17];
    side[3] = 20;
    side[4] = 20;
    double[] row = new double[68];
    for (int s = 0; s < 4; s++) {
      System.arraycopy(side, 0, row, 17 * s, 17);
    }
    INDArray logits = Tensors.create(row, DataType.DOUBLE, 1, 68);
    INDArray upstream = Tensors.create(new double[] {1, 0, 0, 0}, DataType.DOUBLE, 1, 4);
    // tag::gfl-integral[]
    Integral integral = gfl.integral();                        // reg_max + 1 = 17 bins a side
    INDArray distances = integral.forward(logits);             // [N, 4]: each side's expected bin, stride units
    INDArray grad = integral.backward(logits, upstream);       // [N, 68]: back through the softmax
    // end::gfl-integral[]
    assertThat(Tensors.toDoubles(distances)).containsOnly(new double[] {3.5}, within(1e-6));
    // d(distance)/d(logit of bin j) = p_j (j - 3.5): +-0.25 on bins 4 and 3 of the first side.
    assertThat(grad.getDouble(0, 3)).isCloseTo(-0.25, within(1e-6));
    assertThat(grad.getDouble(0, 4)).isCloseTo(0.25, within(1e-6));
  }

  @Test
  void gflsDistributionFocalLossOfUniformDistributionsIsLn17() {
    GFLHead gfl = (GFLHead) Heads.build(bboxHead("gfl-config"));
    HeadOutputs uniform = HeadOutputs.of(maps(1, 0.0, 4), maps(68, 0.0, 4));
    HeadLoss loss = gfl.loss(uniform, List.of(GroundTruth.of(Tiny.boxes(2, 2, 30, 30), Tiny.labels(0))), metas);
    // Every bin has probability 1/17, so each side's two cross-entropies weigh ln 17 in total; the
    // weights (the best class score, 1/2 for all 9 positives) cancel in the normalisation.
    assertThat(loss.names()).containsExactly("loss_cls", "loss_bbox", "loss_dfl");
    assertThat(loss.sum("loss_dfl")).isCloseTo(0.25 * Math.log(17) * 4 / (4 + EPS), within(1e-5));
  }

  @Test
  void toodSwitchesFromAtssToTaskAlignedAssignmentAtItsInitialEpoch() {
    Config cfg = bboxHead("tood-config");
    // Probability 1/2 everywhere but 0.6 at the location (1, 1), whose anchor is centred (8, 8) inside
    // the gt; every prediction is the gt box (in stride units), so every IoU is 1.
    INDArray probs = maps(1, 0.5, 4).get(0);
    probs.putScalar(new long[] {0, 0, 1, 1}, 0.6);
    HeadOutputs outputs = HeadOutputs.of(List.of(probs), boxes(0, 0, 2, 2));
    // tag::tood-usage[]
    TOODHead tood = (TOODHead) Heads.build(cfg);
    HeadLoss early = tood.loss(outputs, gts, metas, 0);                      // epochs 0-3: ATSS, FocalLoss
    HeadLoss late = tood.loss(outputs, gts, metas, tood.initialEpoch());     // from epoch 4: task-aligned, QFL
    // end::tood-usage[]
    // Both phases make anchor 5 (centre (8, 8)) the only positive: the others' centres are on the
    // gt's border or outside it. ATSS phase: its target is 1, FocalLoss on probabilities (alpha (1-p)^2
    // -ln p for it, (1 - alpha) p^2 ln 2 for each of the 15 negatives), divided by 1 positive.
    double[] atss = metrics(early);
    assertThat(atss[5]).isEqualTo(1.0);
    assertThat(Arrays.stream(atss).sum()).isEqualTo(1.0);
    double focal = (0.25 * 0.16 * -Math.log(0.6) + 15 * 0.75 * 0.25 * LN2) / (1 + EPS);
    assertThat(early.sum("loss_cls")).isCloseTo(focal, within(1e-5));
    // Task-aligned phase: metric 0.6 * 1^6, normalised to the gt's best IoU (1); QualityFocalLoss on
    // probabilities: BCE(p, target) |target - p|^2 for the positive, p^2 ln 2 for each negative.
    double target = 0.6 / (0.6 + 1e-7);
    double[] aligned = metrics(late);
    assertThat(aligned[5]).isCloseTo(target, within(1e-6));
    assertThat(Arrays.stream(aligned).sum()).isCloseTo(target, within(1e-6));
    double bce = -(target * Math.log(0.6) + (1 - target) * Math.log(0.4));
    double qfl = (bce * (target - 0.6) * (target - 0.6) + 15 * 0.25 * LN2) / (1 + EPS);
    assertThat(late.sum("loss_cls")).isCloseTo(qfl, within(1e-5));
  }

  /** {@code bbox_preds} of one 4 x 4 level whose every location predicts (x1, y1, x2, y2). */
  private static List<INDArray> boxes(double x1, double y1, double x2, double y2) {
    double[] v = new double[4 * 16];
    double[] box = {x1, y1, x2, y2};
    for (int c = 0; c < 4; c++) {
      Arrays.fill(v, c * 16, (c + 1) * 16, box[c]);
    }
    return List.of(Tensors.create(v, DataType.FLOAT, 1, 4, 4, 4));
  }

  private static double[] metrics(HeadLoss loss) {
    return Tensors.toDoubles(loss.targets().orElseThrow().extra(TOODHead.ALIGNMENT_METRICS, 0).orElseThrow());
  }
}
