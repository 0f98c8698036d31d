package io.detkit.heads.anchorfree;

import static io.detkit.heads.anchorfree.PointLayout.r;
import static io.detkit.heads.anchorfree.PointLayout.sigmoid;

import io.detkit.core.tensor.Tensors;
import io.detkit.heads.Detections;
import io.detkit.heads.HeadOutputs;
import io.detkit.heads.ImageMeta;
import io.detkit.heads.ImageParallelism;
import io.detkit.heads.Predictor;
import io.detkit.heads.TestConfig;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * MMDetection's {@code BaseDenseHead._get_bboxes_single} for point heads. Per image and level: class
 * scores {@code sigmoid(cls)}; the (point, class) pairs scoring strictly above {@code score_thr},
 * best first, cut to {@code nms_pre} ({@link Predictor#filterScoresAndTopk}, the ordering anchor
 * heads use); their distances decoded around the points and clamped to {@code img_shape}. Then the
 * levels are concatenated, the scores multiplied by the sigmoid of the score factor (FCOS:
 * centerness; after the threshold, so a final score may be below it), and the candidates
 * post-processed as an anchor head's ({@link Predictor#postProcess}: divided by
 * {@code scale_factor} when {@code rescale}, class-aware NMS and the first {@code max_per_img}, or
 * without NMS every candidate in level order).
 *
 * <p>One instance per call; images run on the head's executor.
 */
final class PointPredictor {
  private final AnchorFreeHead head;
  private final TestConfig cfg;
  private final boolean rescale;
  private final boolean withNms;

  PointPredictor(AnchorFreeHead head, TestConfig cfg, boolean rescale, boolean withNms) {
    this.head = head;
    this.cfg = cfg;
    this.rescale = rescale;
    this.withNms = withNms;
    if (cfg.scoreThr().isEmpty()) {
      throw new IllegalStateException(head.type() + ": test_cfg.score_thr is required; got " + cfg);
    }
    if (withNms && cfg.nms().isEmpty()) {
      throw new IllegalStateException(head.type() + ": test_cfg.nms is required for NMS; got " + cfg);
    }
  }

  List<Detections> predict(HeadOutputs outputs, PointBatch batch, List<ImageMeta> metas) {
    if (metas.size() != batch.numImages()) {
      throw new IllegalArgumentException("img_metas must hold one entry per image (" + batch.numImages() + "); got "
          + metas.size());
    }
    List<double[]> points = head.points(batch.featmapSizes(), batch.dataType());
    int levels = head.numLevels();
    double[][] cls = new double[levels][];
    double[][] reg = new double[levels][];
    double[][] factor = new double[levels][];
    String factorName = head.scoreFactorName();
    int c = head.numClasses();
    for (int l = 0; l < levels; l++) {
      int hw = batch.pointsOf(l);
      cls[l] = PointLayout.toRows(PointLayout.finiteData(outputs.get(HeadOutputs.CLS_SCORES, l),
          HeadOutputs.CLS_SCORES + "[" + l + "]"), batch.numImages(), c, hw);
      reg[l] = PointLayout.toRows(PointLayout.finiteData(outputs.get(HeadOutputs.BBOX_PREDS, l),
          HeadOutputs.BBOX_PREDS + "[" + l + "]"), batch.numImages(), 4, hw);
      factor[l] = factorName == null ? null : PointLayout.finiteData(outputs.get(factorName, l),
          factorName + "[" + l + "]");
    }
    return ImageParallelism.map(head.executor(), PointLayout.imageIndices(batch.numImages()),
        i -> single(i, batch, points, cls, reg, factor, metas.get(i)));
  }

  private Detections single(int image, PointBatch batch, List<double[]> points, double[][] cls,
      double[][] reg, double[][] factor, ImageMeta meta) {
    DataType dtype = batch.dataType();
    boolean f32 = dtype != DataType.DOUBLE;
    double thr = cfg.scoreThr().getAsDouble();
    int c = head.numClasses();
    int total = 0;
    double[][] boxesL = new double[head.numLevels()][];
    double[][] scoresL = new double[head.numLevels()][];
    double[][] factorsL = new double[head.numLevels()][];
    int[][] labelsL = new int[head.numLevels()][];
    for (int l = 0; l < head.numLevels(); l++) {
      int hw = batch.pointsOf(l);
      int base = image * hw;
      double[] scores = new double[hw * c];
      for (int k = 0; k < hw * c; k++) {
        scores[k] = sigmoid(cls[l][base * c + k], f32);
      }
      int[] order = Predictor.filterScoresAndTopk(scores, hw * c, thr, cfg.nmsPre());
      int keep = order.length;
      double[] keptPoints = new double[2 * keep];
      double[] keptDist = new double[4 * keep];
      scoresL[l] = new double[keep];
      factorsL[l] = new double[keep];
      labelsL[l] = new int[keep];
      for (int k = 0; k < keep; k++) {
        int p = order[k] / c;
        System.arraycopy(points.get(l), 2 * p, keptPoints, 2 * k, 2);
        System.arraycopy(reg[l], 4 * (base + p), keptDist, 4 * k, 4);
        scoresL[l][k] = scores[order[k]];
        labelsL[l][k] = order[k] % c;
        factorsL[l][k] = factor[l] == null ? 1 : sigmoid(factor[l][base + p], f32);
      }
      boxesL[l] = keep == 0 ? new double[0] : f32
          ? Tensors.widen(head.bboxCoder().decode(Tensors.narrow(keptPoints), Tensors.narrow(keptDist),
              meta.imgShape().toArray()))
          : head.bboxCoder().decode(keptPoints, keptDist, meta.imgShape().toArray());
      total += keep;
    }
    double[] boxes = new double[4 * total];
    double[] scores = new double[total];
    int[] labels = new int[total];
    int o = 0;
    for (int l = 0; l < head.numLevels(); l++) {
      int k = scoresL[l].length;
      System.arraycopy(boxesL[l], 0, boxes, 4 * o, 4 * k);
      for (int q = 0; q < k; q++) {
        scores[o + q] = factor[l] == null ? scoresL[l][q] : r(scoresL[l][q] * factorsL[l][q], f32);
      }
      System.arraycopy(labelsL[l], 0, labels, o, k);
      o += k;
    }
    return Predictor.postProcess(new Predictor.Candidates(boxes, scores, labels, labels), meta, cfg, rescale,
        withNms, dtype);
  }
}
