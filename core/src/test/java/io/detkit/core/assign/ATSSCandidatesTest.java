package io.detkit.core.assign;

import static io.detkit.core.precision.Precision.round;
import static org.assertj.core.api.Assertions.assertThat;

import io.detkit.core.order.TorchTopk;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The block-pruned candidate selection picks exactly what computing every centre distance and
 * running {@link TorchTopk#smallest} on each level picks (the selection before pruning), on grids,
 * shuffled and duplicated priors, gts on anchor centres and midpoints (many equal distances),
 * ignored priors, overflowing and non-finite coordinates, in float32 and float64.
 */
class ATSSCandidatesTest {
  /** Strides of the generated levels; level l is a grid with stride STRIDES[l]. */
  private static final double[] STRIDES = {8, 16, 32, 64, 128};

  @Test
  void gridsWithGtsOnCentresAndMidpointsMatchTheFullSelection() {
    Random rnd = new Random(17);
    for (int trial = 0; trial < 150; trial++) {
      Layout layout = Layout.values()[trial % Layout.values().length];
      Priors priors = grid(rnd, layout, 1 + rnd.nextInt(5), rnd.nextInt(4) == 0 ? 3 : 1);
      assertSameSelection(rnd, priors, 1 + rnd.nextInt(12), trial % 3 != 0, "trial " + trial + " " + layout);
    }
  }

  /** The centre distance as the double formula computes it, each step rounded to float32. */
  private static double roundedDistance(double cx, double cy, double gx, double gy) {
    double dx = round(cx - gx, true);
    double dy = round(cy - gy, true);
    return round(Math.sqrt(round(round(dx * dx, true) + round(dy * dy, true), true)), true);
  }

  private static void assertSameDistance(float cx, float cy, float gx, float gy) {
    double expected = roundedDistance(cx, cy, gx, gy);
    double actual = ATSSCandidates.normF32(cx - gx, cy - gy);
    assertThat(Double.doubleToRawLongBits(actual)).as("distance of (%s, %s) to (%s, %s): %s, expected %s", cx, cy, gx,
        gy, actual, expected).isEqualTo(Double.doubleToRawLongBits(expected));
  }

  @Test
  void theFloatArithmeticDistanceIsTheRoundedDoubleFormulaBitForBit() {
    Random rnd = new Random(23);
    for (int i = 0; i < 200_000; i++) {
      // Random magnitudes from subnormal to beyond float's range once squared.
      float scale = (float) Math.scalb(1.0, rnd.nextInt(300) - 160);
      assertSameDistance(rnd.nextFloat() * scale, rnd.nextFloat() * scale, rnd.nextFloat() * scale,
          (rnd.nextBoolean() ? -1 : 1) * rnd.nextFloat() * scale);
      // Raw bit patterns: every exponent, subnormals included (infinities and NaNs skipped).
      float[] v = new float[4];
      for (int k = 0; k < 4; k++) {
        do {
          v[k] = Float.intBitsToFloat(rnd.nextInt());
        } while (!Float.isFinite(v[k]));
      }
      assertSameDistance(v[0], v[1], v[2], v[3]);
    }
    // Squares and sums that overflow to infinity, or whose gap does.
    assertSameDistance(Float.MAX_VALUE, 0, -Float.MAX_VALUE, 0);
    assertSameDistance(2e19f, 2e19f, 0, 0);
    assertSameDistance(1.3e19f, 1.3e19f, 0, 0);
    // Subnormal gaps, squares that underflow to zero.
    assertSameDistance(Float.MIN_VALUE, 0, 0, Float.MIN_VALUE);
    assertSameDistance(3 * Float.MIN_NORMAL, Float.MIN_VALUE, Float.MIN_NORMAL, 0);
    // Ties: (1 + 2^-12)^2 and 1 + 2^-24 lie halfway between floats (round to even).
    float t = 1 + 0x1p-12f;
    assertSameDistance(t, 0, 0, 0);
    assertSameDistance(1, 0x1p-12f, 0, 0);
    assertSameDistance(t, 0x1p-12f, 0, 0);
    assertSameDistance(1 + 0x1p-11f + 0x1p-12f, 0x1p-12f, 0, 0);
  }

  @Test
  void cocoSizedLevelsWithTopkNineMatchTheFullSelection() {
    Random rnd = new Random(5);
    int[][] shapes = {{152, 100}, {76, 50}, {38, 25}, {19, 13}, {10, 7}};
    for (int trial = 0; trial < 4; trial++) {
      Priors priors = grid(shapes, Layout.ROW_MAJOR, 1, trial == 3 ? 0.3 : 0, rnd);
      assertSameSelection(rnd, priors, 9, true, "coco trial " + trial);
    }
  }

  @Test
  void scatteredTieHeavyPriorsMatchTheFullSelection() {
    Random rnd = new Random(23);
    for (int trial = 0; trial < 200; trial++) {
      int levelCount = 1 + rnd.nextInt(3);
      int[] levels = new int[levelCount];
      int n = 0;
      for (int l = 0; l < levelCount; l++) {
        levels[l] = 1 + rnd.nextInt(trial % 2 == 0 ? 60 : 900);
        n += levels[l];
      }
      double[] cx = new double[n];
      double[] cy = new double[n];
      int span = 1 + rnd.nextInt(8); // few distinct coordinates: many equal distances
      for (int p = 0; p < n; p++) {
        cx[p] = rnd.nextInt(span) * 0.5;
        cy[p] = rnd.nextInt(span) * 0.5;
      }
      Priors priors = new Priors(levels, cx, cy, ignoredAtRandom(rnd, n, trial % 4 == 0 ? 0.2 : 0));
      assertSameSelection(rnd, priors, 1 + rnd.nextInt(12), trial % 2 == 0, "scattered " + trial);
    }
  }

  @Test
  void overflowingAndNonFiniteCentresMatchTheFullSelection() {
    Random rnd = new Random(31);
    for (int trial = 0; trial < 60; trial++) {
      Priors priors = grid(rnd, Layout.ROW_MAJOR, 1 + rnd.nextInt(3), 1);
      double scale = trial % 2 == 0 ? 1e37 : 1;
      for (int p = 0; p < priors.cx.length; p++) {
        priors.cx[p] = round(priors.cx[p] * scale, true);
        priors.cy[p] = round(priors.cy[p] * scale * (rnd.nextBoolean() ? -1 : 1), true);
      }
      if (trial % 3 == 0) {
        int p = rnd.nextInt(priors.cx.length);
        priors.cx[p] = rnd.nextBoolean() ? Double.POSITIVE_INFINITY : Double.NaN;
      }
      assertSameSelection(rnd, priors, 1 + rnd.nextInt(9), true, "overflow " + trial);
    }
  }

  private enum Layout { ROW_MAJOR, COLUMN_MAJOR, SHUFFLED, REVERSED }

  private record Priors(int[] levels, double[] cx, double[] cy, boolean[] ignored) {}

  private static Priors grid(Random rnd, Layout layout, int levelCount, int repeat) {
    int[][] shapes = new int[levelCount][];
    for (int l = 0; l < levelCount; l++) {
      shapes[l] = new int[] {1 + rnd.nextInt(40), 1 + rnd.nextInt(30)};
    }
    return grid(shapes, layout, repeat, rnd.nextInt(5) == 0 ? 0.1 : 0, rnd);
  }

  /** Levels of {@code w x h} anchor centres at multiples of the stride, each repeated {@code repeat} times in a row. */
  private static Priors grid(int[][] shapes, Layout layout, int repeat, double ignoredShare, Random rnd) {
    int[] levels = new int[shapes.length];
    int n = 0;
    for (int l = 0; l < shapes.length; l++) {
      levels[l] = shapes[l][0] * shapes[l][1] * repeat;
      n += levels[l];
    }
    double[] cx = new double[n];
    double[] cy = new double[n];
    int p = 0;
    for (int l = 0; l < shapes.length; l++) {
      int w = shapes[l][0];
      int h = shapes[l][1];
      int[] order = new int[w * h];
      for (int c = 0; c < order.length; c++) {
        order[c] = switch (layout) {
          case ROW_MAJOR, SHUFFLED -> c;
          case COLUMN_MAJOR -> (c % h) * w + c / h;
          case REVERSED -> order.length - 1 - c;
        };
      }
      if (layout == Layout.SHUFFLED) {
        for (int c = order.length - 1; c > 0; c--) {
          int s = rnd.nextInt(c + 1);
          int t = order[c];
          order[c] = order[s];
          order[s] = t;
        }
      }
      for (int cell : order) {
        for (int r = 0; r < repeat; r++, p++) {
          cx[p] = (cell % w) * STRIDES[l];
          cy[p] = (cell / w) * STRIDES[l];
        }
      }
    }
    return new Priors(levels, cx, cy, ignoredAtRandom(rnd, n, ignoredShare));
  }

  private static boolean[] ignoredAtRandom(Random rnd, int n, double share) {
    boolean[] ignored = new boolean[n];
    for (int p = 0; p < n; p++) {
      ignored[p] = rnd.nextDouble() < share;
    }
    return ignored;
  }

  /** Gt centres on prior centres, on midpoints of two and four, near, inside and far outside the priors. */
  private static double[] gtCentres(Random rnd, Priors priors, int count) {
    double[] g = new double[2 * count];
    int n = priors.cx.length;
    for (int j = 0; j < count; j++) {
      int a = rnd.nextInt(n);
      int b = rnd.nextInt(n);
      double x = priors.cx[a];
      double y = priors.cy[a];
      switch (j % 6) {
        case 0 -> { }
        case 1 -> x = (x + priors.cx[b]) / 2;
        case 2 -> {
          x = (x + priors.cx[b]) / 2;
          y = (y + priors.cy[b]) / 2;
        }
        case 3 -> x += 4 * (rnd.nextInt(9) - 4);
        case 4 -> {
          x = x * rnd.nextDouble() * 3 - 100;
          y = y * rnd.nextDouble() * 3 - 100;
        }
        default -> {
          x += rnd.nextGaussian() * 1e4;
          y -= rnd.nextGaussian() * 1e4;
        }
      }
      g[2 * j] = x;
      g[2 * j + 1] = y;
    }
    return g;
  }

  private static void assertSameSelection(Random rnd, Priors priors, int topk, boolean f32, String what) {
    double[] cx = priors.cx.clone();
    double[] cy = priors.cy.clone();
    for (int p = 0; p < cx.length; p++) {
      cx[p] = round(cx[p], f32);
      cy[p] = round(cy[p], f32);
    }
    int k = 12;
    double[] g = gtCentres(rnd, priors, k);
    for (int i = 0; i < g.length; i++) {
      g[i] = round(g[i], f32);
    }
    ATSSCandidates candidates = new ATSSCandidates(topk, priors.levels, cx, cy, priors.ignored, f32);
    int m = candidates.perGt();
    int[] cand = new int[m * k];
    ATSSCandidates.Scratch scratch = candidates.new Scratch();
    for (int j = 0; j < k; j++) {
      candidates.select(j, k, g[2 * j], g[2 * j + 1], scratch, cand);
    }
    for (int j = 0; j < k; j++) {
      int[] expected = fullSelection(topk, priors.levels, cx, cy, priors.ignored, f32, g[2 * j], g[2 * j + 1]);
      int[] got = new int[m];
      for (int q = 0; q < m; q++) {
        got[q] = cand[q * k + j];
      }
      assertThat(got).as("%s, gt %d at (%s, %s), topk %d, levels %s, f32 %s", what, j, g[2 * j], g[2 * j + 1],
          topk, Arrays.toString(priors.levels), f32).containsExactly(expected);
    }
  }

  /** The selection without pruning: every distance computed, torch's topk on each level. */
  private static int[] fullSelection(int topk, int[] levels, double[] cx, double[] cy, boolean[] ignored,
      boolean f32, double gx, double gy) {
    TorchTopk selector = new TorchTopk();
    int[] out = new int[0];
    int start = 0;
    for (int size : levels) {
      double[] dist = new double[size];
      for (int i = 0; i < size; i++) {
        int p = start + i;
        double dx = round(cx[p] - gx, f32);
        double dy = round(cy[p] - gy, f32);
        dist[i] = ignored[p] ? ATSSMatcher.INF
            : round(Math.sqrt(round(round(dx * dx, f32) + round(dy * dy, f32), f32)), f32);
      }
      int kk = Math.min(topk, size);
      int[] sel = selector.smallest(dist, size, kk);
      int base = out.length;
      out = Arrays.copyOf(out, base + kk);
      for (int q = 0; q < kk; q++) {
        out[base + q] = sel[q] + start;
      }
      start += size;
    }
    return out;
  }
}
