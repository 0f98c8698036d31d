package io.detkit.heads;

import com.google.common.primitives.Doubles;
import com.google.common.primitives.Ints;
import io.detkit.core.nms.Nms;
import io.detkit.core.nms.NmsConfig;
import io.detkit.core.order.Argsort;
import io.detkit.core.precision.Precision;
import io.detkit.core.tensor.Tensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The predictor of an {@link AnchorHead} (MMDetection's {@code get_bboxes}): per image (on the
 * head's executor) and level, class scores, the (anchor, class) pairs above {@code score_thr}, of
 * those the {@code nms_pre} best, decoded and clipped; levels concatenated; then the head's
 * {@link AnchorHead#postProcess} hook (rescale, NMS, {@code max_per_img}).
 *
 * <p>Get it with {@link AnchorHead#predictor()}. Stateless apart from its head; thread-safe.
 */
public final class Predictor {
  private final AnchorHead head;

  Predictor(AnchorHead head) {
    this.head = head;
  }

  /** See {@link AnchorHead#predict(HeadOutputs, List, TestConfig, boolean, boolean)}. */
  public List<Detections> predict(HeadOutputs outputs, List<ImageMeta> metas, TestConfig cfg, boolean rescale,
      boolean withNms) {
    TestConfig c = cfg != null ? cfg : head.testCfg().orElse(null);
    if (c == null) {
      throw new IllegalStateException(head.type() + " has no test_cfg; pass one to predict");
    }
    OutputChecks.checkMetas(metas);
    OutputShapes batch = head.outputChecks().check(outputs, metas.size());
    if (withNms && c.nms().isEmpty()) {
      throw new IllegalStateException(head.type() + ": test_cfg.nms is required for NMS; got " + c);
    }
    Map<String, List<double[]>> data = new LinkedHashMap<>();
    for (String name : head.outputNames()) {
      List<double[]> levels = new ArrayList<>();
      for (INDArray a : outputs.get(name)) {
        levels.add(Tensors.toDoubles(a));
      }
      data.put(name, levels);
    }
    MultiLevelAnchors anchors = head.getAnchors(batch.featmapSizes(), List.of(), batch.dataType());
    List<Integer> images = new ArrayList<>();
    for (int i = 0; i < metas.size(); i++) {
      images.add(i);
    }
    return ImageParallelism.map(head.executor(), images,
        i -> head.predictSingle(new ImageOutputs(i, batch, data), anchors, metas.get(i), c, rescale, withNms));
  }

  /**
   * One image's share of the head outputs, as per-anchor rows per level.
   *
   * @param image the image's index in the batch
   */
  public record ImageOutputs(int image, OutputShapes batch, Map<String, List<double[]>> data) {
    /** The rows {@code [H*W*A, k]} of output {@code name} at {@code level} for this image. */
    public double[] rows(String name, int level, int anchorsPerLocation) {
      int[] hw = batch.featmapSizes().get(level);
      double[] mine = ImagesToLevels.imageSlice(data.get(name).get(level), batch.numImages(), image);
      int k = mine.length / (hw[0] * hw[1] * anchorsPerLocation);
      return Layout.toRows(mine, 1, anchorsPerLocation, k, hw[0], hw[1]);
    }
  }

  /**
   * The candidates of one image before post-processing: {@code 4n} box coordinates, {@code n}
   * scores and labels, and the NMS group of each (boxes of different groups never suppress each
   * other: the label for class-aware NMS, the level for RPN).
   */
  public record Candidates(double[] boxes, double[] scores, int[] labels, int[] groups) {}

  /** The default per-image step: see {@link AnchorHead#predict(HeadOutputs, List, TestConfig, boolean, boolean)}. */
  public Detections predictSingle(ImageOutputs out, MultiLevelAnchors anchors, ImageMeta meta, TestConfig cfg,
      boolean rescale, boolean withNms) {
    Precision p = Precision.of(anchors.dataType());
    double scoreThr = cfg.scoreThr().orElseThrow(() -> new IllegalStateException(head.type()
        + ": test_cfg.score_thr is required; got " + cfg));
    String factorName = head.scoreFactorName();
    int c = head.clsOutChannels();
    int fg = head.useSigmoidCls() ? c : c - 1;
    List<double[]> boxesPerLevel = new ArrayList<>();
    List<double[]> scoresPerLevel = new ArrayList<>();
    List<int[]> labelsPerLevel = new ArrayList<>();
    for (int l = 0; l < anchors.numLevels(); l++) {
      int a = head.numBaseAnchors(l);
      double[] cls = out.rows(HeadOutputs.CLS_SCORES, l, a);
      double[] deltas = out.rows(HeadOutputs.BBOX_PREDS, l, a);
      double[] factor = factorName == null ? null : out.rows(factorName, l, a);
      int n = anchors.numAnchors(l);
      int width = n == 0 ? 4 : deltas.length / n;  // values per anchor of bbox_preds (4, or GFL's distributions)
      double[] scores = head.predictScores(l, cls, n, p);
      int[] order = filterScoresAndTopk(scores, n * fg, scoreThr, cfg.nmsPre());
      int keep = order.length;
      double[] keptAnchors = new double[keep * 4];
      double[] keptDeltas = new double[keep * width];
      double[] keptScores = new double[keep];
      int[] keptLabels = new int[keep];
      double[] levelAnchors = anchors.anchorData(l);
      for (int k = 0; k < keep; k++) {
        int flat = order[k];
        int anchor = flat / fg;
        System.arraycopy(levelAnchors, anchor * 4, keptAnchors, k * 4, 4);
        System.arraycopy(deltas, anchor * width, keptDeltas, k * width, width);
        keptScores[k] = scores[flat];
        keptLabels[k] = flat % fg;
        if (factor != null) {
          keptScores[k] = p.round(keptScores[k] * p.sigmoid(factor[anchor]));
        }
      }
      boxesPerLevel.add(head.decodePredictions(l, keptAnchors, keptDeltas, meta.imgShape().toArray(), p));
      scoresPerLevel.add(keptScores);
      labelsPerLevel.add(keptLabels);
    }
    double[] boxes = concat(boxesPerLevel);
    int[] labels = concatInts(labelsPerLevel);
    return head.postProcess(new Candidates(boxes, concat(scoresPerLevel), labels, labels), meta, cfg, rescale,
        withNms, anchors.dataType());
  }

  /**
   * MMDetection's {@code filter_scores_and_topk} on one image's level: the indices {@code i <
   * count} with {@code scores[i] > scoreThr}, best first (ties by the lower index: a stable
   * descending sort, where torch's sort is not stable and detkit is deterministic), cut to
   * {@code nmsPre} as a Python slice ({@code [:nms_pre]}, so -1 drops the lowest). The one candidate
   * ordering of every head's prediction (anchor heads here, point heads in {@code PointPredictor}).
   * Only the kept candidates are sorted: the {@code keep}-th largest score is found on a primitive
   * copy, then the candidates above it and, in index order, enough of those equal to it. Pure; any
   * thread.
   */
  public static int[] filterScoresAndTopk(double[] scores, int count, double scoreThr, int nmsPre) {
    int[] cand = new int[count];
    int m = 0;
    for (int i = 0; i < count; i++) {
      if (scores[i] > scoreThr) {
        cand[m++] = i;
      }
    }
    int keep = pythonSliceEnd(Math.min(nmsPre, m), m);
    int[] kept = cand;
    if (keep < m) {
      double[] values = new double[m];
      for (int i = 0; i < m; i++) {
        values[i] = scores[cand[i]];
      }
      Arrays.sort(values);
      double threshold = keep == 0 ? Double.POSITIVE_INFINITY : values[m - keep];
      int above = 0;
      for (int i = 0; i < m; i++) {
        above += scores[cand[i]] > threshold ? 1 : 0;
      }
      kept = new int[keep];
      int k = 0;
      int equalLeft = keep - above;
      for (int i = 0; i < m && k < keep; i++) {
        double v = scores[cand[i]];
        if (v > threshold) {
          kept[k++] = cand[i];
        } else if (v == threshold && equalLeft > 0) {
          kept[k++] = cand[i];
          equalLeft--;
        }
      }
    }
    int[] order = Arrays.copyOf(kept, keep);
    Argsort.sortDescending(order, 0, keep, scores);
    return order;
  }

  /**
   * The default post-processing of every head's candidates (anchor and point heads): boxes divided
   * by {@code scale_factor} when {@code rescale}; then, with NMS, NMS within each group and the first
   * {@code max_per_img} (a Python slice), or, without, every candidate in order. Pure; any thread.
   */
  public static Detections postProcess(Candidates c, ImageMeta meta, TestConfig cfg, boolean rescale, boolean withNms,
      DataType dtype) {
    Precision p = Precision.of(dtype);
    double[] boxes = c.boxes();
    if (rescale) {
      double[] sf = meta.scaleFactor().toArray();
      boxes = boxes.clone();
      for (int i = 0; i < boxes.length; i++) {
        boxes[i] = p.round(boxes[i] / p.round(sf[i % 4]));
      }
    }
    if (!withNms) {
      return Detections.of(dtype, boxes, c.scores(), c.labels());
    }
    return nmsAndCap(new Candidates(boxes, c.scores(), c.labels(), c.groups()), cfg, dtype);
  }

  /** NMS within each group ({@code cfg.nms}), then the first {@code max_per_img} as a Python slice. */
  public static Detections nmsAndCap(Candidates c, TestConfig cfg, DataType dtype) {
    double[] boxes = c.boxes();
    double[] scores = c.scores();
    if (scores.length == 0) {
      return Detections.of(dtype, new double[0], new double[0], new int[0]);
    }
    NmsConfig nms = cfg.nms().orElseThrow();
    int[] keep;
    if (Precision.of(dtype).isSingle()) {
      keep = Nms.batchedNms(Tensors.narrow(boxes), Tensors.narrow(scores), c.groups(), nms);
    } else {
      keep = Nms.batchedNms(boxes, scores, c.groups(), nms);
    }
    int n = pythonSliceEnd(cfg.maxPerImg(), keep.length);
    double[] ob = new double[n * 4];
    double[] os = new double[n];
    int[] ol = new int[n];
    for (int k = 0; k < n; k++) {
      System.arraycopy(boxes, keep[k] * 4, ob, k * 4, 4);
      os[k] = scores[keep[k]];
      ol[k] = c.labels()[keep[k]];
    }
    return Detections.of(dtype, ob, os, ol);
  }

  /**
   * The default class scores of {@code n} rows of {@code cls_out_channels} logits: sigmoid, or
   * softmax without the background column ({@code n * num_classes} values, row-major).
   */
  public double[] classScores(double[] logits, int n, Precision p) {
    int c = head.clsOutChannels();
    if (head.useSigmoidCls()) {
      double[] s = new double[logits.length];
      for (int i = 0; i < s.length; i++) {
        s[i] = p.sigmoid(logits[i]);
      }
      return s;
    }
    int fg = c - 1;
    double[] s = new double[n * fg];
    for (int i = 0; i < n; i++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int k = 0; k < c; k++) {
        max = Math.max(max, logits[i * c + k]);
      }
      double sum = 0;
      for (int k = 0; k < c; k++) {
        sum += Math.exp(logits[i * c + k] - max);
      }
      for (int k = 0; k < fg; k++) {
        s[i * fg + k] = p.round(Math.exp(logits[i * c + k] - max) / sum);
      }
    }
    return s;
  }

  /** Where {@code [:stop]} ends on a sequence of {@code n}, Python's way (negative counts from the end). */
  public static int pythonSliceEnd(int stop, int n) {
    return stop >= 0 ? Math.min(stop, n) : Math.max(n + stop, 0);
  }

  /**
   * Decoded boxes of {@code anchors} and {@code deltas} (flat rows, 4 per box) with the head's
   * coder in precision {@code p}, clipped to {@code maxShape} (null: not clipped).
   */
  public double[] decode(double[] anchors, double[] deltas, int[] maxShape, Precision p) {
    if (deltas.length == 0) {
      return new double[0];
    }
    if (p.isSingle()) {
      return Tensors.widen(head.bboxCoder().decode(Tensors.narrow(anchors), Tensors.narrow(deltas), maxShape));
    }
    return head.bboxCoder().decode(anchors, deltas, maxShape);
  }

  static double[] concat(List<double[]> parts) {
    return Doubles.concat(parts.toArray(double[][]::new));
  }

  static int[] concatInts(List<int[]> parts) {
    return Ints.concat(parts.toArray(int[][]::new));
  }
}
