package io.detkit.tools.model;

import java.util.Arrays;

/**
 * {@link GroupNorm}'s primitive loops: per (image, group, region) the mean and inverse standard
 * deviation (two passes in double), the forward pass and the backward pass's element loops. Planes
 * are the {@code N * C} channel maps of {@code hw} pixels in C order; plane {@code p} has channel
 * {@code p % C} and belongs to (image, group) row {@code p / (C / G)}; statistic
 * {@code row * regions + region}. One pass object serves one forward call and the backward call of
 * the same input (its statistics are kept).
 *
 * <p>Speed without touching a bit. The loops run {@link #BLOCK} rows at a time on a tile of those
 * rows' values in double, read from and written to the layer's arrays tile by tile: the whole map
 * in double (~400 KB at the head's 50,000 values) went through the L2 cache once per loop, which
 * bounded every loop. A region is walked as runs of contiguous pixels ({@link LevelCanvas.Pixels})
 * in the order of its pixel list. The sums whose order the bits depend on are taken four rows (or
 * two planes) at a time, each in its own accumulator and in its own order: one sequential double
 * sum waits on the adder's latency at every value, four overlap. Blocks are fixed by the shape and
 * each writes only its own rows, so the loops split over threads ({@link HostSplit}) with the same
 * bits.
 */
final class GroupNormPass {
  /** Rows (statistics) whose sums one loop runs side by side, and the rows of a tile. */
  private static final int BLOCK = 4;
  /** Per thread the tiles a block's loops run on: the input, and the gradient. */
  private static final ThreadLocal<double[][]> TILES = ThreadLocal.withInitial(() -> new double[2][0]);
  final int planes;
  final int hw;
  final int channels;
  private final int perGroup;
  private final int rows;
  final int regions;
  private final double eps;
  /** Per region: its pixels as (first offset, length) pairs, in the order of the region's own plane. */
  private final int[][] runs;
  private final int[] outsideRuns;
  /** Per region: values per statistic. */
  private final int[] m;
  final double[] mean;
  final double[] invStd;
  final double[] gamma;
  private final double[] beta;
  /**
   * Per plane: its channel and its row's first statistic ({@code row * regions}), counted once per
   * call: an integer division per plane and region cost about as much as the loop over its pixels.
   */
  private final int[] channelOf;
  private final int[] statOf;
  /** Whether {@link #mean} and {@link #invStd} hold the statistics of the input (set by a forward pass). */
  private boolean measured;

  /**
   * A pass over {@code planes} planes of {@code hw} values laid out as {@code layout}, {@code channels}
   * in {@code groups} groups (a checked {@link GroupNorm.Settings}'s), {@code eps} added to the
   * variance, with these parameters.
   */
  GroupNormPass(int channels, int groups, double eps, int planes, int hw, LevelCanvas.Pixels layout, double[] gamma,
      double[] beta) {
    this.planes = planes;
    this.hw = hw;
    this.channels = channels;
    this.perGroup = channels / groups;
    this.rows = planes / perGroup;
    this.eps = eps;
    this.runs = layout.regionRuns();
    this.outsideRuns = layout.outsideRuns();
    this.regions = runs.length;
    this.gamma = gamma;
    this.beta = beta;
    m = new int[regions];
    for (int l = 0; l < regions; l++) {
      m[l] = perGroup * layout.regions()[l].length;
    }
    channelOf = new int[planes];
    statOf = new int[planes];
    for (int p = 0, ch = 0, c = 0, st = 0; p < planes; p++) {
      channelOf[p] = ch;
      statOf[p] = st;
      ch = ch + 1 == channels ? 0 : ch + 1;
      c++;
      if (c == perGroup) {
        c = 0;
        st += regions;
      }
    }
    mean = new double[rows * regions];
    invStd = new double[rows * regions];
  }

  /** The statistic index of plane {@code p}'s region {@code l}. */
  int stat(int p, int l) {
    return statOf[p] + l;
  }

  /** The channel of plane {@code p}. */
  int channel(int p) {
    return channelOf[p];
  }

  /** A block's loops: rows {@code [r0, r1)}, their values in {@code x} (and the gradient's in {@code g}). */
  @FunctionalInterface
  private interface BlockBody {
    void run(int r0, int r1, double[] x, double[] g);
  }

  /**
   * Runs {@code body} on every block of rows, the blocks split over threads when the map has at
   * least {@code minSplit} values; the input's (and with {@code grad}, the gradient's) values of the
   * block read into the thread's tiles first.
   */
  private void blocks(HostBuffers.Values in, HostBuffers.Values grad, long minSplit, BlockBody body) {
    int stride = perGroup * hw;
    int blocks = (rows + BLOCK - 1) / BLOCK;
    HostSplit.forRange(blocks, (long) BLOCK * stride, minSplit, (from, to) -> {
      double[][] tiles = TILES.get();
      for (int k = 0; k < (grad == null ? 1 : 2); k++) {
        if (tiles[k].length < BLOCK * stride) {
          tiles[k] = new double[BLOCK * stride];
        }
      }
      for (int b = from; b < to; b++) {
        int r0 = b * BLOCK;
        int r1 = Math.min(r0 + BLOCK, rows);
        in.read(r0 * stride, tiles[0], (r1 - r0) * stride);
        if (grad != null) {
          grad.read(r0 * stride, tiles[1], (r1 - r0) * stride);
        }
        body.run(r0, r1, tiles[0], tiles[1]);
      }
    });
  }

  /**
   * The forward pass: the statistics of {@code x} (kept for the backward pass), and
   * {@code x * scale + shift} then the ReLU into {@code y}, zeros outside the regions.
   */
  void forward(HostBuffers.Values x, HostBuffers.Values y, boolean relu, long minSplit) {
    int stride = perGroup * hw;
    blocks(x, null, minSplit, (r0, r1, t, unused) -> {
      statistics(t, r0, r1);
      for (int p = r0 * perGroup; p < r1 * perGroup; p++) {
        normalize(t, (p - r0 * perGroup) * hw, p, relu);
      }
      y.write(t, r0 * stride, (r1 - r0) * stride);
    });
    measured = true;
  }

  /**
   * Rows {@code [r0, r1)} of tile {@code t}, {@link #BLOCK} at a time: a short block repeats its
   * last row (same values into the same slots) rather than running a second, one-row copy of the
   * loop.
   */
  private void statistics(double[] t, int r0, int r1) {
    int stride = perGroup * hw;
    for (int r = r0; r < r1; r += BLOCK) {
      int[] b = new int[BLOCK];
      for (int k = 0; k < BLOCK; k++) {
        b[k] = (Math.min(r + k, r1 - 1) - r0) * stride;
      }
      for (int l = 0; l < regions; l++) {
        double[] mu = sums(t, b, runs[l], null);
        for (int k = 0; k < BLOCK; k++) {
          mu[k] /= m[l];
        }
        double[] sq = sums(t, b, runs[l], mu);
        // Highest row first: a repeated row's slots end up written by the block's own row.
        for (int k = BLOCK - 1; k >= 0; k--) {
          int st = (Math.min(r + k, r1 - 1)) * regions + l;
          mean[st] = mu[k];
          invStd[st] = 1 / Math.sqrt(sq[k] / m[l] + eps);
        }
      }
    }
  }

  /**
   * Per row of the block starting at tile offsets {@code b}: the sum over its planes and the
   * region's runs of {@code x}, or with {@code mu} of {@code (x - mu)^2}; each row's in plane then
   * pixel order.
   */
  private double[] sums(double[] t, int[] b, int[] run, double[] mu) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    for (int c = 0; c < perGroup; c++) {
      int c0 = b[0] + c * hw;
      int c1 = b[1] + c * hw;
      int c2 = b[2] + c * hw;
      int c3 = b[3] + c * hw;
      for (int k = 0; k < run.length; k += 2) {
        if (mu == null) {
          for (int o = run[k], end = o + run[k + 1]; o < end; o++) {
            s0 += t[c0 + o];
            s1 += t[c1 + o];
            s2 += t[c2 + o];
            s3 += t[c3 + o];
          }
        } else {
          for (int o = run[k], end = o + run[k + 1]; o < end; o++) {
            double d0 = t[c0 + o] - mu[0];
            double d1 = t[c1 + o] - mu[1];
            double d2 = t[c2 + o] - mu[2];
            double d3 = t[c3 + o] - mu[3];
            s0 += d0 * d0;
            s1 += d1 * d1;
            s2 += d2 * d2;
            s3 += d3 * d3;
          }
        }
      }
    }
    return new double[] {s0, s1, s2, s3};
  }

  /** The normalisation's scale of plane {@code p} in region {@code l}: inverse deviation times gamma. */
  private double scale(int p, int l) {
    return invStd[stat(p, l)] * gamma[channelOf[p]];
  }

  /** The shift of plane {@code p} in region {@code l}, given its {@link #scale}. */
  private double shift(int p, int l, double scale) {
    return beta[channelOf[p]] - mean[stat(p, l)] * scale;
  }

  /** Plane {@code p}, at {@code base} in tile {@code t}, normalized and activated in place; zeros outside the regions. */
  private void normalize(double[] t, int base, int p, boolean relu) {
    for (int l = 0; l < regions; l++) {
      double scale = scale(p, l);
      double shift = shift(p, l, scale);
      // A NaN or infinite input makes its statistic's scale or shift NaN (through the mean or
      // the deviation), so with both finite every v is a number and Math.max(v, 0) is the ReLU
      // (+0 for -0 included): one instruction that vectorizes, where the exact mask below,
      // which also maps NaN to 0, takes a dozen integer operations a value.
      boolean numbers = Double.isFinite(scale) && Double.isFinite(shift);
      int[] run = runs[l];
      for (int k = 0; k < run.length; k += 2) {
        int i = base + run[k];
        int end = i + run[k + 1];
        if (!relu) {
          for (; i < end; i++) {
            t[i] = t[i] * scale + shift;
          }
        } else if (numbers) {
          for (; i < end; i++) {
            t[i] = Math.max(t[i] * scale + shift, 0.0);
          }
        } else {
          for (; i < end; i++) {
            long v = Double.doubleToRawLongBits(t[i] * scale + shift);
            t[i] = Double.longBitsToDouble(v & positive(v));
          }
        }
      }
    }
    zeroOutside(t, base);
  }

  /**
   * The backward pass: {@code dx} from the input {@code x} and the output gradient {@code dy}, and
   * per plane and region the sums of {@code dz} (the gradient through the ReLU) into {@code sz} and
   * of {@code dz * xhat} into {@code szx} (for the parameter gradients, summed afterwards in plane
   * order). The statistics are those of the forward pass, else measured here.
   */
  void backward(HostBuffers.Values x, HostBuffers.Values dy, HostBuffers.Values dx, boolean relu, long minSplit,
      double[] sz, double[] szx) {
    int stride = perGroup * hw;
    blocks(x, dy, minSplit, (r0, r1, t, g) -> {
      if (!measured) {
        statistics(t, r0, r1);
      }
      int p0 = r0 * perGroup;
      int p1 = r1 * perGroup;
      gradientSums(t, g, p0, p0, p1, relu, sz, szx);
      // Per statistic, in plane order: the sums of dxhat = dz * gamma and of dxhat * xhat.
      double[] sumD = new double[(r1 - r0) * regions];
      double[] sumDx = new double[(r1 - r0) * regions];
      for (int p = p0; p < p1; p++) {
        for (int l = 0; l < regions; l++) {
          int st = stat(p, l) - r0 * regions;
          sumD[st] += sz[p * regions + l] * gamma[channelOf[p]];
          sumDx[st] += szx[p * regions + l] * gamma[channelOf[p]];
        }
      }
      for (int p = p0; p < p1; p++) {
        inputGradient(t, g, (p - p0) * hw, p, sumD, sumDx, r0 * regions);
      }
      dx.write(g, r0 * stride, (r1 - r0) * stride);
    });
  }

  /**
   * Planes {@code [from, to)} of the tiles (plane {@code tile0} first), two at a time (a short pair
   * repeats its plane): {@code dz} over the gradient tile {@code g} and the per-region sums. The
   * ReLU's mask comes from the forward pass's expression, so both agree at 0.
   */
  private void gradientSums(double[] t, double[] g, int tile0, int from, int to, boolean relu, double[] sz,
      double[] szx) {
    for (int p0 = from; p0 < to; p0 += 2) {
      int p1 = Math.min(p0 + 1, to - 1);
      for (int l = 0; l < regions; l++) {
        int st0 = stat(p0, l);
        int st1 = stat(p1, l);
        double mu0 = mean[st0];
        double mu1 = mean[st1];
        double inv0 = invStd[st0];
        double inv1 = invStd[st1];
        double scale0 = scale(p0, l);
        double scale1 = scale(p1, l);
        double shift0 = shift(p0, l, scale0);
        double shift1 = shift(p1, l, scale1);
        double s0 = 0;
        double s1 = 0;
        double sx0 = 0;
        double sx1 = 0;
        int[] run = runs[l];
        int next = (p1 - p0) * hw;
        for (int k = 0; k < run.length; k += 2) {
          for (int i = (p0 - tile0) * hw + run[k], end = i + run[k + 1]; i < end; i++) {
            int j = i + next;
            double x0 = t[i];
            double x1 = t[j];
            // Both read before either is written: a repeated plane reads its own dy.
            double dy0 = g[i];
            double dy1 = g[j];
            double dz0 = relu ? keep(dy0, x0 * scale0 + shift0) : dy0;
            double dz1 = relu ? keep(dy1, x1 * scale1 + shift1) : dy1;
            g[i] = dz0;
            g[j] = dz1;
            s0 += dz0;
            s1 += dz1;
            sx0 += dz0 * ((x0 - mu0) * inv0);
            sx1 += dz1 * ((x1 - mu1) * inv1);
          }
        }
        sz[p1 * regions + l] = s1;
        szx[p1 * regions + l] = sx1;
        sz[p0 * regions + l] = s0;
        szx[p0 * regions + l] = sx0;
      }
    }
  }

  /**
   * Plane {@code p} at {@code base} in the tiles: {@code dz} in {@code g} becomes
   * {@code dx = invstd / m * (m * dxhat - sum(dxhat) - xhat * sum(dxhat * xhat))} with
   * {@code dxhat = dz * gamma}; {@code sumD} and {@code sumDx} per statistic from {@code stat0}.
   * Zeros outside the regions.
   */
  private void inputGradient(double[] t, double[] g, int base, int p, double[] sumD, double[] sumDx, int stat0) {
    double gam = gamma[channelOf[p]];
    for (int l = 0; l < regions; l++) {
      int st = stat(p, l);
      double mu = mean[st];
      double inv = invStd[st];
      int n = m[l];
      double invOverM = inv / n;
      double sd = sumD[st - stat0];
      double sdx = sumDx[st - stat0];
      int[] run = runs[l];
      for (int k = 0; k < run.length; k += 2) {
        for (int i = base + run[k], end = i + run[k + 1]; i < end; i++) {
          double xhat = (t[i] - mu) * inv;
          g[i] = invOverM * (n * g[i] * gam - sd - xhat * sdx);
        }
      }
    }
    zeroOutside(g, base);
  }

  /**
   * All ones when the double of these bits is greater than 0, else 0 (NaN, zeros, negatives): the
   * ReLU's {@code v > 0 ? v : 0} as a mask. C2 compiles a double select to a branch, and the signs
   * after a normalization are a coin toss, so the branch missed at every other value and cost
   * three quarters of the layer's time. Greater than 0 is {@code 0 < bits <= +Inf's bits}.
   */
  static long positive(long bits) {
    return (-bits & ~bits) >> 63 & (bits - 0x7ff0000000000001L) >> 63;
  }

  /** {@code v > 0 ? d : 0}, bit for bit ({@code d}'s sign and payload kept), without a branch. */
  static double keep(double d, double v) {
    return Double.longBitsToDouble(Double.doubleToRawLongBits(d) & positive(Double.doubleToRawLongBits(v)));
  }

  /** Writes zeros at the pixels outside every region (a canvas's gaps) of the plane at {@code base}. */
  private void zeroOutside(double[] a, int base) {
    for (int k = 0; k < outsideRuns.length; k += 2) {
      Arrays.fill(a, base + outsideRuns[k], base + outsideRuns[k] + outsideRuns[k + 1], 0);
    }
  }
}
