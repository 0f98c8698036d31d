package io.detkit.core.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.detkit.core.testing.RandomBoxes;
import io.detkit.core.assign.ATSSAssigner;
import io.detkit.core.assign.AssignResult;
import io.detkit.core.assign.MaxIoUAssigner;
import io.detkit.core.bbox.BboxOverlaps;
import io.detkit.core.coder.DeltaXYWHBBoxCoder;
import io.detkit.core.coder.DistancePointBBoxCoder;
import io.detkit.core.coder.TBLRBBoxCoder;
import io.detkit.core.tensor.Tensors;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Properties of the coders and assigners that must hold for every input, not only the golden
 * cases: encode then decode returns the boxes; every positive of an assigner satisfies the rule that
 * made it positive, and every prior that satisfies a rule is positive. (IoU symmetry and ranges are
 * pinned by {@code bbox.OverlapPropertiesTest}.)
 */
class CorePropertiesTest {
  private static double[] randomBoxes(Random rnd, int n, double extent, double minSide, double maxSide) {
    return RandomBoxes.doubles(rnd, n, extent, extent, minSide, maxSide - minSide);
  }

  /** Ground truths around each prior with side ratios in [1/40, 40], inside the ratio clip. */
  private static double[] nearbyBoxes(Random rnd, double[] priors) {
    double[] g = new double[priors.length];
    for (int i = 0; i < priors.length; i += 4) {
      double w = priors[i + 2] - priors[i];
      double h = priors[i + 3] - priors[i + 1];
      double cx = priors[i] + w / 2 + (rnd.nextDouble() - 0.5) * 4 * w;
      double cy = priors[i + 1] + h / 2 + (rnd.nextDouble() - 0.5) * 4 * h;
      double gw = w * Math.exp((rnd.nextDouble() - 0.5) * 2 * Math.log(40));
      double gh = h * Math.exp((rnd.nextDouble() - 0.5) * 2 * Math.log(40));
      g[i] = cx - gw / 2;
      g[i + 1] = cy - gh / 2;
      g[i + 2] = cx + gw / 2;
      g[i + 3] = cy + gh / 2;
    }
    return g;
  }

  @Property(tries = 150)
  void deltaEncodeThenDecodeReturnsTheBoxes(@ForAll long seed, @ForAll @IntRange(min = 0, max = 30) int n,
      @ForAll @DoubleRange(min = 0.05, max = 2) double std, @ForAll @DoubleRange(min = -0.5, max = 0.5) double mean) {
    Random rnd = new Random(seed);
    double[] priors = randomBoxes(rnd, n, 800, 1, 200);
    double[] gt = nearbyBoxes(rnd, priors);
    DeltaXYWHBBoxCoder coder = DeltaXYWHBBoxCoder.of(new double[] {mean, -mean, mean / 2, 0},
        new double[] {std, std * 1.5, std / 2, std});
    double[] back = coder.decode(priors, coder.encode(priors, gt), null);
    // MMDetection encodes in float32 even for float64 input: a float32-sized tolerance.
    for (int i = 0; i < gt.length; i++) {
      assertThat(back[i]).isCloseTo(gt[i], within(2e-4 * (Math.abs(gt[i]) + 1000)));
    }
  }

  @Property(tries = 150)
  void tblrEncodeThenDecodeReturnsTheBoxes(@ForAll long seed, @ForAll @IntRange(min = 0, max = 30) int n,
      @ForAll @DoubleRange(min = 0.5, max = 8) double normalizer) {
    Random rnd = new Random(seed);
    double[] priors = randomBoxes(rnd, n, 800, 1, 200);
    double[] gt = nearbyBoxes(rnd, priors);
    TBLRBBoxCoder coder = new TBLRBBoxCoder(normalizer, false);
    double[] back = coder.decode(priors, coder.encode(priors, gt), null);
    for (int i = 0; i < gt.length; i++) {
      assertThat(back[i]).isCloseTo(gt[i], within(1e-6 * (Math.abs(gt[i]) + 1000)));
    }
  }

  @Property(tries = 150)
  void distanceEncodeThenDecodeReturnsTheBoxes(@ForAll long seed, @ForAll @IntRange(min = 0, max = 30) int n) {
    Random rnd = new Random(seed);
    double[] boxes = randomBoxes(rnd, n, 800, 0, 300);
    double[] points = new double[2 * n];
    for (int i = 0; i < 2 * n; i++) {
      points[i] = rnd.nextDouble() * 1100 - 50;
    }
    DistancePointBBoxCoder coder = new DistancePointBBoxCoder(true);
    double[] back = coder.decode(points, coder.encode(points, boxes), null);
    for (int i = 0; i < boxes.length; i++) {
      assertThat(back[i]).isCloseTo(boxes[i], within(1e-9 * (Math.abs(boxes[i]) + 1000)));
    }
  }

  /** The [K,N] float32 IoU matrix the assigners see, as float values. */
  private static float[] iou(float[] gt, float[] priors) {
    return Tensors.toFloats(BboxOverlaps.bboxOverlaps(Tensors.create(gt, DataType.FLOAT, gt.length / 4, 4),
        Tensors.create(priors, DataType.FLOAT, priors.length / 4, 4)));
  }

  private static float[] toFloats(double[] d) {
    float[] f = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      f[i] = (float) d[i];
    }
    return f;
  }

  @Property(tries = 200)
  void everyMaxIouPositiveMeetsTheThresholdOrTheLowQualityRule(@ForAll long seed,
      @ForAll @IntRange(min = 1, max = 60) int n, @ForAll @IntRange(min = 0, max = 6) int k,
      @ForAll @IntRange(min = 6, max = 14) int posTenths, @ForAll @IntRange(min = 1, max = 5) int negGap,
      @ForAll @IntRange(min = 0, max = 4) int minPosTenths, @ForAll boolean lowQuality,
      @ForAll boolean assignAll) {
    Random rnd = new Random(seed);
    float[] priors = toFloats(randomBoxes(rnd, n, 100, 2, 50));
    float[] gt = toFloats(randomBoxes(rnd, k, 100, 0, 50));
    float pos = posTenths / 20f;
    float neg = Math.max(0.05f, pos - negGap / 20f);
    float minPos = minPosTenths / 20f;
    MaxIoUAssigner a = new MaxIoUAssigner(MaxIoUAssigner.Params.of(pos, neg)
        .withMinPosIou(minPos).withMatchLowQuality(lowQuality).withGtMaxAssignAll(assignAll));
    AssignResult r = a.assign(priors, gt, null, null);
    if (k == 0) {
      assertThat(r.numNegative()).isEqualTo(n);
      return;
    }
    float[] o = iou(gt, priors);
    float[] gtBest = new float[k];
    java.util.Arrays.fill(gtBest, Float.NEGATIVE_INFINITY);
    for (int j = 0; j < k; j++) {
      for (int i = 0; i < n; i++) {
        gtBest[j] = Math.max(gtBest[j], o[j * n + i]);
      }
    }
    for (int i = 0; i < n; i++) {
      float best = Float.NEGATIVE_INFINITY;
      int arg = -1;
      for (int j = 0; j < k; j++) {
        if (o[j * n + i] > best) {
          best = o[j * n + i];
          arg = j;
        }
      }
      assertThat(r.maxOverlap(i)).isEqualTo(best);
      int g = r.gtInd(i) - 1;
      if (g >= 0) {
        boolean byThreshold = best >= pos && g == arg;
        boolean byLowQuality = lowQuality && gtBest[g] >= minPos && o[g * n + i] == gtBest[g];
        assertThat(byThreshold || byLowQuality).as("prior %d positive for gt %d", i, g).isTrue();
      } else if (r.gtInd(i) == 0) {
        assertThat(best).isGreaterThanOrEqualTo(0f).isLessThan(neg);
      } else {
        assertThat(best).isGreaterThanOrEqualTo(neg).isLessThan(pos);
      }
      if (best >= pos) {
        assertThat(g).as("prior %d over the threshold", i).isGreaterThanOrEqualTo(0);
      }
    }
    if (lowQuality) {
      for (int j = 0; j < k; j++) {
        if (gtBest[j] < minPos) {
          continue;
        }
        boolean someTaken = false;
        for (int i = 0; i < n; i++) {
          if (o[j * n + i] == gtBest[j]) {
            someTaken |= r.gtInd(i) > 0;
            if (assignAll) {
              assertThat(r.gtInd(i)).as("best prior %d of gt %d", i, j).isPositive();
            }
          }
        }
        assertThat(someTaken).as("gt %d takes a best prior", j).isTrue();
      }
    }
  }

  /** Anchors of side {@code 4*stride} centred on a {@code size x size} grid of {@code stride}. */
  private static void grid(float[] out, int offset, int size, int stride) {
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        int i = offset + 4 * (y * size + x);
        float cx = x * stride + stride / 2f;
        float cy = y * stride + stride / 2f;
        out[i] = cx - 2 * stride;
        out[i + 1] = cy - 2 * stride;
        out[i + 2] = cx + 2 * stride;
        out[i + 3] = cy + 2 * stride;
      }
    }
  }

  @Property(tries = 150)
  void everyAtssPositiveIsACandidateAboveMeanPlusStdWithItsCentreInside(@ForAll long seed,
      @ForAll @IntRange(min = 0, max = 5) int k, @ForAll @IntRange(min = 1, max = 12) int topk) {
    Random rnd = new Random(seed);
    float[] priors = new float[4 * (64 + 16)];
    grid(priors, 0, 8, 8);
    grid(priors, 4 * 64, 4, 16);
    int n = 80;
    int[] levels = {64, 16};
    float[] gt = toFloats(randomBoxes(rnd, k, 50, 2, 40));
    ATSSAssigner a = new ATSSAssigner(ATSSAssigner.Params.of(topk));
    AssignResult r = a.assign(priors, levels, gt, null, null);
    if (k == 0) {
      assertThat(r.numNegative()).isEqualTo(n);
      return;
    }
    int[] cand = a.topkCandidates(priors, levels, gt, null);
    int m = cand.length / k;
    float[] o = iou(gt, priors);
    double[] thr = new double[k];
    boolean[][] isCand = new boolean[k][n];
    for (int j = 0; j < k; j++) {
      double sum = 0;
      for (int c = 0; c < m; c++) {
        int i = cand[c * k + j];
        isCand[j][i] = true;
        sum += o[j * n + i];
      }
      double mean = sum / m;
      double var = 0;
      for (int c = 0; c < m; c++) {
        double d = o[j * n + cand[c * k + j]] - mean;
        var += d * d;
      }
      thr[j] = mean + (m > 1 ? Math.sqrt(var / (m - 1)) : Double.NaN);
    }
    for (int i = 0; i < n; i++) {
      double cx = ((double) priors[4 * i] + priors[4 * i + 2]) / 2;
      double cy = ((double) priors[4 * i + 1] + priors[4 * i + 3]) / 2;
      int g = r.gtInd(i) - 1;
      if (g >= 0) {
        assertThat(isCand[g][i]).as("prior %d is a candidate of gt %d", i, g).isTrue();
        assertThat((double) o[g * n + i]).isGreaterThanOrEqualTo(thr[g] - 1e-5);
        assertThat(inside(cx, cy, gt, g)).isGreaterThan(0.01 - 1e-4);
        assertThat(r.maxOverlap(i)).isEqualTo(o[g * n + i]);
      } else {
        assertThat(r.gtInd(i)).isZero();
        for (int j = 0; j < k; j++) {
          boolean clearly = isCand[j][i] && o[j * n + i] > thr[j] + 1e-4 && inside(cx, cy, gt, j) > 0.011;
          assertThat(clearly).as("prior %d clearly qualifies for gt %d but is not positive", i, j).isFalse();
        }
      }
    }
  }

  /** The smallest distance from (cx, cy) to a side of gt {@code j}; negative when outside. */
  private static double inside(double cx, double cy, float[] gt, int j) {
    return Math.min(Math.min(cx - gt[4 * j], cy - gt[4 * j + 1]), Math.min(gt[4 * j + 2] - cx, gt[4 * j + 3] - cy));
  }
}
