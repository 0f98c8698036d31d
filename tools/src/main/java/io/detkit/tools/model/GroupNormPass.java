package io.detkit.tools.model;

/**
 * A {@link GroupNorm} layer's view of one input: the input's scratch copy, its pixel layout, the
 * layer's parameters, and per (image, group, region) the mean and inverse standard deviation
 * (two passes in double, row by row: {@link #statistics}). Planes are the {@code N * C} channel
 * maps of {@code hw} pixels in C order; plane {@code p} has channel {@code p % C} and belongs to
 * (image, group) row {@code p / (C / G)}; statistic {@code row * regions + region}. Rows are
 * independent: distinct rows' {@link #statistics} may run on distinct threads.
 */
final class GroupNormPass {
  final int channels;
  final double eps;
  final double[] x;
  final int planes;
  /** (image, group) rows: {@code planes / perGroup}. */
  final int rows;
  final int hw;
  final int perGroup;
  /** Per region the starts of its runs of {@link #runLength} contiguous pixels ({@link LevelCanvas.Pixels}). */
  final int[][] runStarts;
  final int[] runLength;
  final int[] outside;
  final int regions;
  /** Per region: values per statistic. */
  final int[] m;
  final double[] mean;
  final double[] invStd;
  final double[] gamma;
  final double[] beta;

  /**
   * @param channels {@code C}, split into {@code groups} groups (a layer's checked
   *     {@code GroupNorm.Settings}; plain numbers here keep this class free of the layer's)
   * @param eps added to the variance
   * @param shape the input's {@code [N, C, H, W]} shape
   * @param x the input's values, C order (read, never written)
   * @param layout the layout of the input's {@code H x W} planes
   * @param gamma the per-channel scale
   * @param beta the per-channel shift
   */
  GroupNormPass(int channels, int groups, double eps, long[] shape, double[] x, LevelCanvas.Pixels layout,
      double[] gamma, double[] beta) {
    this.channels = channels;
    this.eps = eps;
    this.perGroup = channels / groups;
    this.x = x;
    this.gamma = gamma;
    this.beta = beta;
    runStarts = layout.runStarts();
    runLength = layout.runLength();
    outside = layout.outside();
    regions = runStarts.length;
    planes = (int) (shape[0] * channels);
    hw = (int) (shape[2] * shape[3]);
    m = new int[regions];
    for (int l = 0; l < regions; l++) {
      m[l] = perGroup * layout.size(l);
    }
    rows = planes / perGroup;
    mean = new double[rows * regions];
    invStd = new double[rows * regions];
  }

  /** Computes row {@code r}'s statistics (every region's mean and inverse deviation). */
  void statistics(int r) {
    for (int l = 0; l < regions; l++) {
      int len = runLength[l];
      double sum = 0;
      for (int p = r * perGroup; p < (r + 1) * perGroup; p++) {
        for (int start : runStarts[l]) {
          for (int i = p * hw + start, end = i + len; i < end; i++) {
            sum += x[i];
          }
        }
      }
      double mu = sum / m[l];
      double sq = 0;
      for (int p = r * perGroup; p < (r + 1) * perGroup; p++) {
        for (int start : runStarts[l]) {
          for (int i = p * hw + start, end = i + len; i < end; i++) {
            double d = x[i] - mu;
            sq += d * d;
          }
        }
      }
      mean[r * regions + l] = mu;
      invStd[r * regions + l] = 1 / Math.sqrt(sq / m[l] + eps);
    }
  }

  /** The statistic index of plane {@code p}'s region {@code l}. */
  int stat(int p, int l) {
    return p / perGroup * regions + l;
  }

  /** The normalisation's scale of plane {@code p} in region {@code l}: inverse deviation times gamma. */
  double scale(int p, int l) {
    return invStd[stat(p, l)] * gamma[p % channels];
  }

  /** The shift of plane {@code p} in region {@code l}, given its {@link #scale}. */
  double shift(int p, int l, double scale) {
    return beta[p % channels] - mean[stat(p, l)] * scale;
  }

  /** Writes zeros at the pixels outside every region (a canvas's gaps) of every plane. */
  void zeroOutside(double[] a) {
    if (outside.length > 0) {
      for (int plane = 0; plane < planes; plane++) {
        for (int o : outside) {
          a[plane * hw + o] = 0;
        }
      }
    }
  }
}
