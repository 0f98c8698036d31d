package io.detkit.heads.tood;

import io.detkit.core.assign.AssignResult;
import io.detkit.core.assign.TaskAlignedAssignResult;
import io.detkit.core.tensor.Tensors;
import io.detkit.heads.AnchorUtils;
import io.detkit.heads.GroundTruth;
import io.detkit.heads.HeadOutputs;
import io.detkit.heads.ImageTargets;
import io.detkit.heads.ImagesToLevels;
import io.detkit.heads.InsideAnchors;
import io.detkit.heads.Layout;
import io.detkit.heads.MultiLevelAnchors;
import io.detkit.core.precision.Precision;
import io.detkit.heads.SingleImageInput;
import io.detkit.samplers.SamplingResult;
import java.util.ArrayList;
import java.util.List;

/**
 * One {@link TOODHead#loss} call's per-image target step (MMDetection's
 * {@code TOODHead._get_target_single} and, before {@code initial_epoch}, ATSS's): it holds the call's
 * predictions (class probabilities and boxes in pixels, one row per anchor, levels concatenated per
 * image), prepared once on the caller's thread, and is then applied to each image on the executor.
 *
 * <p>Alignment phase, per image: the task-aligned assigner on the inside anchors with their
 * predicted probabilities and boxes; the standard targets (gt boxes as box targets, no sampling);
 * then for each assigned gt its positives' alignment metrics normalised as
 * {@code metric / (max metric of the gt's positives + 1e-7) * max IoU of the gt's positives} (the
 * IoU of the predicted boxes): the targets' {@link TOODHead#ALIGNMENT_METRICS} extra (0 for other
 * anchors), with the raw metrics as {@link TOODHead#ASSIGN_METRICS}. Initial phase: ATSS's targets,
 * the alignment metrics being 1 for positives and 0 else.
 *
 * <p>Immutable after construction; {@link #targets} is safe to call concurrently.
 */
final class AlignmentTargets {
  private final TOODHead head;
  private final List<double[]> scores = new ArrayList<>();
  private final List<double[]> boxes = new ArrayList<>();

  AlignmentTargets(TOODHead head, HeadOutputs outputs, MultiLevelAnchors anchors) {
    this.head = head;
    Precision p = Precision.of(anchors.dataType());
    int n = (int) outputs.get(HeadOutputs.CLS_SCORES, 0).size(0);
    int levels = anchors.numLevels();
    List<List<double[]>> clsPerImage = new ArrayList<>();
    List<List<double[]>> boxPerImage = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      clsPerImage.add(new ArrayList<>());
      boxPerImage.add(new ArrayList<>());
    }
    int c = head.clsOutChannels();
    for (int l = 0; l < levels; l++) {
      int[] hw = anchors.featmapSize(l);
      int a = head.numBaseAnchors(l);
      double[] cls = Tensors.toDoubles(outputs.get(HeadOutputs.CLS_SCORES, l));
      requireProbabilities(cls, l);
      double[] box = Tensors.toDoubles(outputs.get(HeadOutputs.BBOX_PREDS, l));
      double stride = head.stride(l);
      for (int i = 0; i < n; i++) {
        clsPerImage.get(i).add(Layout.toRows(ImagesToLevels.imageSlice(cls, n, i), 1, a, c, hw[0], hw[1]));
        double[] rows = Layout.toRows(ImagesToLevels.imageSlice(box, n, i), 1, a, 4, hw[0], hw[1]);
        for (int k = 0; k < rows.length; k++) {
          rows[k] = p.round(rows[k] * stride);  // stride units to pixels, as MMDetection's flatten_bbox_preds
        }
        boxPerImage.get(i).add(rows);
      }
    }
    for (int i = 0; i < n; i++) {
      scores.add(concat(clsPerImage.get(i)));
      boxes.add(concat(boxPerImage.get(i)));
    }
  }

  /**
   * TOOD's {@code cls_scores} are probabilities; a value outside {@code [0, 1]} would give a NaN
   * log-loss in MMDetection (or a metric that silently decides the assignment), so it is refused.
   */
  private static void requireProbabilities(double[] cls, int level) {
    for (int i = 0; i < cls.length; i++) {
      if (!(cls[i] >= 0 && cls[i] <= 1)) {
        throw new IllegalArgumentException("TOODHead: cls_scores[" + level + "] must be probabilities in [0, 1] (the"
            + " network's sigmoid outputs); element " + i + " is " + cls[i]);
      }
    }
  }

  /** One image's targets in its epoch's phase. Called on the executor. */
  ImageTargets targets(SingleImageInput in) {
    if (in.epoch() < head.initialEpoch()) {
      ImageTargets t = head.atssTargetsSingle(in);
      double[] metrics = new double[t.numAnchors()];
      double[] bw = t.bboxWeights();
      for (int i = 0; i < metrics.length; i++) {
        metrics[i] = bw[i * 4];
      }
      return t.withExtra(TOODHead.ALIGNMENT_METRICS, 1, metrics);
    }
    return alignment(in);
  }

  private ImageTargets alignment(SingleImageInput in) {
    boolean[] inside = AnchorUtils.insideFlags(in.flatAnchorData(), in.validFlags(), in.meta(),
        head.trainCfg().orElseThrow().allowedBorder());
    InsideAnchors ia = new InsideAnchors(in, inside);
    int total = in.numAnchors();
    if (ia.count() == 0) {
      return ImageTargets.empty(total, head.numClasses(), in.gt().size());
    }
    int[] idx = ia.insideIndices();
    int c = head.clsOutChannels();
    double[] s = scores.get(in.imageIndex());
    double[] b = boxes.get(in.imageIndex());
    double[] anchors = Tensors.toDoubles(ia.anchors());
    double[] insideScores = new double[idx.length * c];
    double[] insideBoxes = new double[idx.length * 4];
    for (int k = 0; k < idx.length; k++) {
      System.arraycopy(s, idx[k] * c, insideScores, k * c, c);
      System.arraycopy(b, idx[k] * 4, insideBoxes, k * 4, 4);
    }
    GroundTruth gt = in.gt();
    double[] gtBoxes = Tensors.toDoubles(gt.bboxes());
    int[] gtLabels = gt.labelArray();
    Precision p = Precision.of(in.dataType());
    TaskAlignedAssignResult r = p.isSingle()
        ? head.alignmentAssigner().assign(Tensors.narrow(insideScores), c, Tensors.narrow(insideBoxes),
            Tensors.narrow(anchors), Tensors.narrow(gtBoxes), gtLabels, head.alpha(), head.beta())
        : head.alignmentAssigner().assign(insideScores, c, insideBoxes, anchors, gtBoxes, gtLabels, head.alpha(),
            head.beta());
    AssignResult assign = r.assignResult();
    SamplingResult sr = head.sampler().sample(assign, ia.anchors(), gt.bboxes(), null, in.random());
    ImageTargets t = head.targetBuilder().build(ia, assign, sr);
    double[] norm = normalisedMetrics(sr, r.assignMetrics(), assign.maxOverlaps(), idx.length, p);
    t = head.refineTargetsOf(in, t);
    return t.withExtra(TOODHead.ALIGNMENT_METRICS, 1, AnchorUtils.unmap(norm, 1, inside, 0))
        .withExtra(TOODHead.ASSIGN_METRICS, 1, AnchorUtils.unmap(r.assignMetrics(), 1, inside, 0));
  }

  /** Per inside anchor: the normalised alignment metric of a positive, 0 else (see the class comment). */
  private static double[] normalisedMetrics(SamplingResult sr, double[] metrics, double[] ious, int n, Precision p) {
    int[] pos = sr.posInds().toArray();
    int[] posGt = sr.posAssignedGtInds().toArray();
    double[] out = new double[n];
    int numGts = 0;
    for (int g : posGt) {
      numGts = Math.max(numGts, g + 1);
    }
    double[] maxMetric = new double[numGts];
    double[] maxIou = new double[numGts];
    java.util.Arrays.fill(maxMetric, Double.NEGATIVE_INFINITY);
    java.util.Arrays.fill(maxIou, Double.NEGATIVE_INFINITY);
    for (int k = 0; k < pos.length; k++) {
      maxMetric[posGt[k]] = Math.max(maxMetric[posGt[k]], metrics[pos[k]]);
      maxIou[posGt[k]] = Math.max(maxIou[posGt[k]], ious[pos[k]]);
    }
    for (int k = 0; k < pos.length; k++) {
      int g = posGt[k];
      out[pos[k]] = p.round(p.round(metrics[pos[k]] / p.round(maxMetric[g] + 1e-7)) * maxIou[g]);
    }
    return out;
  }

  private static double[] concat(List<double[]> parts) {
    return com.google.common.primitives.Doubles.concat(parts.toArray(double[][]::new));
  }
}
