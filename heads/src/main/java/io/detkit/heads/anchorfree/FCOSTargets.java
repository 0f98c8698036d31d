package io.detkit.heads.anchorfree;

import static io.detkit.heads.anchorfree.PointLayout.r;

import com.google.common.primitives.Doubles;
import com.google.common.primitives.Ints;
import io.detkit.core.tensor.Tensors;
import io.detkit.heads.GroundTruth;
import io.detkit.heads.ImageParallelism;
import java.util.List;
import java.util.concurrent.Executor;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * FCOS's training targets ({@code FCOSHead.get_targets}): per level, a label and the distances
 * {@code (left, top, right, bottom)} to its gt for every point of every image, image-major inside a
 * level ({@code [N*P_l]} and {@code [N*P_l, 4]}).
 *
 * <p>A point is a candidate of a gt when it lies strictly inside the gt (or, with
 * {@code center_sampling}, strictly inside the box of half-size {@code stride * radius} around the
 * gt centre, clipped to the gt; the stride is that of the point's level) and the largest of its
 * four distances lies in its level's {@code regress_range} (both ends inclusive). Among its
 * candidate gts the smallest area wins (the first on equal areas). A point without candidate is
 * background (label {@code num_classes}) and, as in MMDetection, keeps the distances to gt 0 as its
 * (never used) box target; an image without gts has background labels and zero targets. With
 * {@code norm_on_bbox} the distances are divided by the level's stride. {@code gt_bboxes_ignore}
 * plays no part (MMDetection ignores it too).
 *
 * <p>Float32 outputs are computed with float32 rounding in PyTorch's order. Immutable.
 */
public final class FCOSTargets {
  /** MMDetection's "no candidate" area. */
  static final double INF = 100000000;

  private final int numImages;
  private final int[] pointsPerLevel;
  private final int[][] labels;
  private final double[][] bboxTargets;
  private final DataType dtype;

  private FCOSTargets(int numImages, int[] pointsPerLevel, int[][] labels, double[][] bboxTargets, DataType dtype) {
    this.numImages = numImages;
    this.pointsPerLevel = pointsPerLevel;
    this.labels = labels;
    this.bboxTargets = bboxTargets;
    this.dtype = dtype;
  }

  /** The rules of one head: classes, per-level strides and ranges, sampling and normalisation. */
  record Rules(int numClasses, double[] strides, double[][] regressRanges, boolean centerSampling, double radius,
      boolean normOnBbox) {}

  /**
   * Computes the targets of a batch.
   *
   * @param points per level, flat {@code (x, y)} rows
   * @param gts one per image; labels required
   * @param dtype FLOAT (float32 rounding) or DOUBLE
   * @param executor runs the images, or null
   * @throws IllegalArgumentException if an image has no labels
   */
  static FCOSTargets compute(Rules rules, List<double[]> points, List<GroundTruth> gts, DataType dtype,
      Executor executor) {
    int levels = points.size();
    int[] perLevel = new int[levels];
    int total = 0;
    for (int l = 0; l < levels; l++) {
      perLevel[l] = points.get(l).length / 2;
      total += perLevel[l];
    }
    boolean f32 = dtype != DataType.DOUBLE;
    int numPoints = total;
    List<double[][]> images = ImageParallelism.map(executor, PointLayout.imageIndices(gts.size()),
        j -> single(rules, points, perLevel, numPoints, gts.get(j), j, f32));
    int n = gts.size();
    int[][] labels = new int[levels][];
    double[][] targets = new double[levels][];
    int start = 0;
    for (int l = 0; l < levels; l++) {
      int p = perLevel[l];
      labels[l] = new int[n * p];
      targets[l] = new double[n * p * 4];
      double s = r(rules.strides()[l], f32);
      for (int j = 0; j < n; j++) {
        double[] lab = images.get(j)[0];
        double[] tgt = images.get(j)[1];
        for (int q = 0; q < p; q++) {
          labels[l][j * p + q] = (int) lab[start + q];
          for (int k = 0; k < 4; k++) {
            double v = tgt[4 * (start + q) + k];
            targets[l][4 * (j * p + q) + k] = rules.normOnBbox() ? r(v / s, f32) : v;
          }
        }
      }
      start += p;
    }
    return new FCOSTargets(n, perLevel, labels, targets, f32 ? DataType.FLOAT : DataType.DOUBLE);
  }

  /** One image over the concatenated points: {labels (as doubles), targets 4 per point}. */
  private static double[][] single(Rules rules, List<double[]> points, int[] perLevel, int numPoints, GroundTruth gt,
      int image, boolean f32) {
    double[] lab = new double[numPoints];
    double[] tgt = new double[4 * numPoints];
    int k = gt.size();
    if (k == 0) {
      java.util.Arrays.fill(lab, rules.numClasses());
      return new double[][] {lab, tgt};
    }
    int[] gtLabels = gt.labels().isPresent() ? gt.labelArray() : null;
    if (gtLabels == null) {
      throw new IllegalArgumentException("FCOSHead needs gt_labels; image " + image + " has none");
    }
    for (int j = 0; j < k; j++) {
      if (gtLabels[j] >= rules.numClasses()) {
        throw new IllegalArgumentException("gt_labels of image " + image + " must be in [0, " + rules.numClasses()
            + "); element " + j + " is " + gtLabels[j]);
      }
    }
    double[] g = Tensors.toDoubles(gt.bboxes());
    int cols = (int) gt.bboxes().size(1);
    double[] x1 = new double[k];
    double[] y1 = new double[k];
    double[] x2 = new double[k];
    double[] y2 = new double[k];
    double[] area = new double[k];
    double[] cx = new double[k];
    double[] cy = new double[k];
    for (int j = 0; j < k; j++) {
      x1[j] = r(g[j * cols], f32);
      y1[j] = r(g[j * cols + 1], f32);
      x2[j] = r(g[j * cols + 2], f32);
      y2[j] = r(g[j * cols + 3], f32);
      area[j] = r(r(x2[j] - x1[j], f32) * r(y2[j] - y1[j], f32), f32);
      cx[j] = r(r(x1[j] + x2[j], f32) / 2, f32);
      cy[j] = r(r(y1[j] + y2[j], f32) / 2, f32);
    }
    int o = 0;
    for (int l = 0; l < perLevel.length; l++) {
      double lo = r(rules.regressRanges()[l][0], f32);
      double hi = r(rules.regressRanges()[l][1], f32);
      // Python multiplies stride and radius in double; torch stores the product in the tensor's dtype.
      double rad = r(rules.strides()[l] * rules.radius(), f32);
      double[] pts = points.get(l);
      for (int q = 0; q < perLevel[l]; q++, o++) {
        double x = pts[2 * q];
        double y = pts[2 * q + 1];
        double best = INF;
        int bestGt = 0;
        boolean any = false;
        for (int j = 0; j < k; j++) {
          double left = r(x - x1[j], f32);
          double top = r(y - y1[j], f32);
          double right = r(x2[j] - x, f32);
          double bottom = r(y2[j] - y, f32);
          boolean inside;
          if (rules.centerSampling()) {
            double xmin = r(cx[j] - rad, f32);
            double ymin = r(cy[j] - rad, f32);
            double xmax = r(cx[j] + rad, f32);
            double ymax = r(cy[j] + rad, f32);
            double cx1 = xmin > x1[j] ? xmin : x1[j];
            double cy1 = ymin > y1[j] ? ymin : y1[j];
            double cx2 = xmax > x2[j] ? x2[j] : xmax;
            double cy2 = ymax > y2[j] ? y2[j] : ymax;
            inside = min4(r(x - cx1, f32), r(y - cy1, f32), r(cx2 - x, f32), r(cy2 - y, f32)) > 0;
          } else {
            inside = min4(left, top, right, bottom) > 0;
          }
          double maxDist = Math.max(Math.max(left, top), Math.max(right, bottom));
          double a = inside && maxDist >= lo && maxDist <= hi ? area[j] : INF;
          // torch.min over the gts keeps the first index on equal areas.
          if (!any || a < best) {
            best = a;
            bestGt = j;
            any = true;
          }
        }
        lab[o] = best == INF ? rules.numClasses() : gtLabels[bestGt];
        tgt[4 * o] = r(x - x1[bestGt], f32);
        tgt[4 * o + 1] = r(y - y1[bestGt], f32);
        tgt[4 * o + 2] = r(x2[bestGt] - x, f32);
        tgt[4 * o + 3] = r(y2[bestGt] - y, f32);
      }
    }
    return new double[][] {lab, tgt};
  }

  private static double min4(double a, double b, double c, double d) {
    return Math.min(Math.min(a, b), Math.min(c, d));
  }

  /**
   * Targets already computed elsewhere (VFNet's ATSS variant), per level image-major.
   *
   * @param labels per level {@code N*P_l} labels
   * @param bboxTargets per level {@code 4*N*P_l} distances
   */
  static FCOSTargets of(int numImages, int[] pointsPerLevel, int[][] labels, double[][] bboxTargets, DataType dtype) {
    return new FCOSTargets(numImages, pointsPerLevel, labels, bboxTargets, dtype);
  }

  /** The labels of all levels concatenated (level-major, image-major inside a level). */
  long[] flatLabels() {
    return java.util.Arrays.stream(Ints.concat(labels)).asLongStream().toArray();
  }

  /** The box targets of all levels concatenated, 4 per row. */
  double[] flatBboxTargets() {
    return Doubles.concat(bboxTargets);
  }

  /** Number of images. */
  public int numImages() {
    return numImages;
  }

  /** Number of levels. */
  public int numLevels() {
    return pointsPerLevel.length;
  }

  /** Points per image on {@code level}. */
  public int pointsPerImage(int level) {
    return pointsPerLevel[level];
  }

  /** Labels of {@code level}, {@code [N*P_l]} image-major; {@code num_classes} is background. A copy. */
  public int[] labelsData(int level) {
    return labels[level].clone();
  }

  /** Box targets of {@code level}, {@code 4*N*P_l} values. A copy. */
  public double[] bboxTargetsData(int level) {
    return bboxTargets[level].clone();
  }

  /** {@link #labelsData} as an INT64 {@code [N*P_l]} array (new on each call; the caller owns it and may close it). */
  public INDArray labels(int level) {
    return Tensors.createLong(labels[level], labels[level].length);
  }

  /** {@link #bboxTargetsData} as a {@code [N*P_l, 4]} array in the outputs' dtype (new on each call, the caller's). */
  public INDArray bboxTargets(int level) {
    return Tensors.create(bboxTargets[level], dtype, bboxTargets[level].length / 4, 4);
  }

  /** The number of positive points of {@code image} (label in {@code [0, numClasses)}). */
  public int numPositive(int image, int numClasses) {
    int count = 0;
    for (int l = 0; l < labels.length; l++) {
      int p = pointsPerLevel[l];
      for (int q = 0; q < p; q++) {
        int v = labels[l][image * p + q];
        count += v >= 0 && v < numClasses ? 1 : 0;
      }
    }
    return count;
  }
}
