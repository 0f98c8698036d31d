package io.detkit.samplers.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.detkit.core.assign.AssignResult;
import io.detkit.core.config.Config;
import io.detkit.core.tensor.Tensors;
import io.detkit.samplers.HardExampleLoss;
import io.detkit.samplers.OHEMSampler;
import io.detkit.samplers.PseudoSampler;
import io.detkit.samplers.Sampler;
import io.detkit.samplers.Samplers;
import io.detkit.samplers.SamplingResult;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Every sampler against hostile inputs: NaN/Inf boxes are named errors, no ground truth, 10,000
 * ground truths, a million priors (in memory linear in the priors) and float64 inputs all give
 * results that obey the counting rules.
 */
class SamplerAdversarialInputsTest {
  /** Ranks candidates by box area: deterministic and cheap. */
  private static final HardExampleLoss AREA = (inds, labels, boxes) -> {
    double[] b = Tensors.toDoubles(boxes);
    double[] out = new double[inds.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (b[4 * i + 2] - b[4 * i]) * (b[4 * i + 3] - b[4 * i + 1]);
    }
    return out;
  };

  private static List<Sampler> samplers(int num, boolean addGt) {
    List<Sampler> s = new ArrayList<>();
    Config base = Config.of("num", num, "pos_fraction", 0.25, "neg_pos_ub", 3, "add_gt_as_proposals", addGt);
    s.add(Samplers.build(base.with("type", "RandomSampler")));
    s.add(Samplers.build(base.with("type", "InstanceBalancedPosSampler")));
    s.add(Samplers.build(base.with("type", "IoUBalancedNegSampler").with("floor_thr", 0.0)
        .with("floor_fraction", 0.3).with("num_bins", 3)));
    s.add(((OHEMSampler) Samplers.build(base.with("type", "OHEMSampler"))).withLoss(AREA));
    s.add(Samplers.build(base.with("type", "CombinedSampler")
        .with("pos_sampler", Config.of("type", "InstanceBalancedPosSampler"))
        .with("neg_sampler", Config.of("type", "IoUBalancedNegSampler"))));
    s.add(Samplers.build(Config.of("type", "PseudoSampler")));
    return s;
  }

  /** Prior {@code i} on a 1000-wide grid of 16-pixel boxes. */
  private static double[] gridBoxes(int n) {
    double[] d = new double[4 * n];
    for (int i = 0; i < n; i++) {
      double x = (i % 1000) * 8;
      double y = (i / 1000) * 8;
      d[4 * i] = x;
      d[4 * i + 1] = y;
      d[4 * i + 2] = x + 16;
      d[4 * i + 3] = y + 16;
    }
    return d;
  }

  /** Every third prior positive (round-robin over the gts), every other third negative, the rest ignored. */
  private static AssignResult assignment(int n, int k) {
    int[] inds = new int[n];
    double[] ov = new double[n];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      int kind = k == 0 ? 1 : i % 3;
      inds[i] = kind == 0 ? 1 + (i / 3) % k : kind == 1 ? 0 : -1;
      ov[i] = kind == 0 ? 0.7 : kind == 1 ? (i % 7) / 20.0 : 0.45;
      labels[i] = kind == 0 ? (inds[i] - 1) % 80 : -1;
    }
    return new AssignResult(k, inds, ov, labels);
  }

  private static INDArray labels(int k) {
    long[] l = new long[k];
    for (int j = 0; j < k; j++) {
      l[j] = j % 80;
    }
    return Tensors.createLong(l, k);
  }

  private static void assertCountingRules(Sampler s, SamplingResult r, AssignResult a, int num, int k,
      boolean addGt) {
    Set<Integer> seen = new HashSet<>();
    for (int i : r.posInds().toArray()) {
      assertThat(seen.add(i)).as("%s: positive %d sampled once", s, i).isTrue();
    }
    for (int i : r.negInds().toArray()) {
      assertThat(seen.add(i)).as("%s: negative %d sampled once", s, i).isTrue();
    }
    int offset = addGt && !(s instanceof PseudoSampler) ? k : 0;
    for (int i : r.negInds().toArray()) {
      assertThat(a.gtInd(i - offset)).as("%s: negative %d", s, i).isZero();
    }
    if (!(s instanceof PseudoSampler)) {
      assertThat(r.posInds().length()).as("%s: positives", s).isLessThanOrEqualTo(num / 4);
      assertThat(r.posInds().length() + r.negInds().length()).as("%s: total", s).isLessThanOrEqualTo(num);
      assertThat(r.negInds().length()).as("%s: neg_pos_ub", s).isLessThanOrEqualTo(3 * Math.max(1, r.posInds().length()));
    } else {
      assertThat(r.posInds().length()).isEqualTo(a.numPositive());
      assertThat(r.negInds().length()).isEqualTo(a.numNegative());
    }
  }

  @Test
  void nonFiniteBoxesAreRejectedByEverySamplerNamingTheArgument() {
    for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
      for (DataType t : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
        double[] b = gridBoxes(9);
        b[21] = bad;
        INDArray boxes = Tensors.create(b, t, 9, 4);
        INDArray ok = Tensors.create(gridBoxes(9), t, 9, 4);
        double[] g = gridBoxes(2);
        g[6] = bad;
        INDArray gts = Tensors.create(g, t, 2, 4);
        INDArray okGts = Tensors.create(gridBoxes(2), t, 2, 4);
        AssignResult a = assignment(9, 2);
        for (Sampler s : samplers(8, true)) {
          assertThatThrownBy(() -> s.sample(a, boxes, okGts, labels(2), new SplittableRandom(1)))
              .as("%s", s).isInstanceOf(IllegalArgumentException.class)
              .hasMessageContaining("bboxes must be finite; element 21 is");
          assertThatThrownBy(() -> s.sample(a, ok, gts, labels(2), new SplittableRandom(1)))
              .as("%s", s).isInstanceOf(IllegalArgumentException.class)
              .hasMessageContaining("gt_bboxes must be finite; element 6 is");
        }
      }
    }
  }

  @Test
  void noGroundTruthSamplesOnlyNegatives() {
    INDArray boxes = Tensors.create(gridBoxes(300), DataType.FLOAT, 300, 4);
    INDArray none = Tensors.create(new float[0], DataType.FLOAT, 0, 4);
    AssignResult a = assignment(300, 0);
    for (boolean addGt : new boolean[] {false, true}) {
      for (Sampler s : samplers(64, addGt)) {
        SamplingResult r = s.sample(a, boxes, none, labels(0), new SplittableRandom(2));
        assertThat(r.posInds().length()).as("%s", s).isZero();
        assertThat(r.negInds().length()).as("%s", s).isPositive();
        assertCountingRules(s, r, a, 64, 0, addGt);
      }
    }
  }

  @Test
  void tenThousandGroundTruthsAddedAsProposals() {
    int k = 10_000;
    int n = 3_000;
    INDArray boxes = Tensors.create(gridBoxes(n), DataType.FLOAT, n, 4);
    INDArray gts = Tensors.create(gridBoxes(k), DataType.FLOAT, k, 4);
    AssignResult a = assignment(n, k);
    for (Sampler s : samplers(512, true)) {
      SamplingResult r = s.sample(a, boxes, gts, labels(k), new SplittableRandom(3));
      assertCountingRules(s, r, a, 512, k, true);
      assertThat(r.numGts()).isEqualTo(k);
    }
  }

  @Test
  void float64InputsKeepTheirDtypeAndAgreeWithFloat32() {
    INDArray b32 = Tensors.create(gridBoxes(200), DataType.FLOAT, 200, 4);
    INDArray b64 = Tensors.create(gridBoxes(200), DataType.DOUBLE, 200, 4);
    INDArray g32 = Tensors.create(gridBoxes(5), DataType.FLOAT, 5, 4);
    INDArray g64 = Tensors.create(gridBoxes(5), DataType.DOUBLE, 5, 4);
    AssignResult a = assignment(200, 5);
    for (Sampler s : samplers(64, true)) {
      SamplingResult r32 = s.sample(a, b32, g32, labels(5), new SplittableRandom(4));
      SamplingResult r64 = s.sample(a, b64, g64, labels(5), new SplittableRandom(4));
      assertThat(r64.posBboxes().dataType()).as("%s", s).isEqualTo(DataType.DOUBLE);
      assertThat(r64.posInds().toArray()).as("%s", s).containsExactly(r32.posInds().toArray());
      assertThat(r64.negInds().toArray()).as("%s", s).containsExactly(r32.negInds().toArray());
    }
  }

  private static long allocatedBytes() {
    return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
        .getThreadAllocatedBytes(Thread.currentThread().getId());
  }

  @Test
  void aMillionPriorsSampleInMemoryLinearInThePriors() {
    int n = 1_000_000;
    INDArray boxes = Tensors.create(gridBoxes(n), DataType.FLOAT, n, 4);
    INDArray gts = Tensors.create(gridBoxes(50), DataType.FLOAT, 50, 4);
    AssignResult a = assignment(n, 50);
    for (Sampler s : samplers(512, true)) {
      s.sample(a, boxes, gts, labels(50), new SplittableRandom(5));
      long before = allocatedBytes();
      SamplingResult r = s.sample(a, boxes, gts, labels(50), new SplittableRandom(5));
      long bytes = allocatedBytes() - before;
      assertCountingRules(s, r, a, 512, 50, true);
      // The box copy alone is 32 bytes per prior (doubles); a bound of a few such copies catches
      // anything quadratic or any per-candidate object.
      assertThat(bytes).as("%s heap bytes for 1e6 priors", s).isLessThan(200L * n);
    }
  }

  private static void assertShape(INDArray a, String what, Sampler s, long... shape) {
    assertThat(a.shape()).as("%s: %s", s, what).containsExactly(shape);
  }

  @Test
  void emptyResultsAreRankOneOrNByFourNeverScalars() {
    for (boolean addGt : new boolean[] {true, false}) {
      for (int k : new int[] {0, 2}) {
        // No positive candidate at all, then no negative candidate at all.
        int[] allNeg = new int[6];
        int[] allPos = new int[6];
        java.util.Arrays.fill(allPos, k == 0 ? 0 : 1);
        for (int[] inds : new int[][] {allNeg, allPos}) {
          double[] ov = new double[6];
          java.util.Arrays.fill(ov, inds[0] > 0 ? 0.8 : 0.1);
          int[] lab = new int[6];
          java.util.Arrays.fill(lab, inds[0] > 0 ? 0 : -1);
          AssignResult a = new AssignResult(k, inds, ov, lab);
          INDArray gts = Tensors.create(gridBoxes(k), DataType.FLOAT, k, 4);
          for (Sampler s : samplers(8, addGt)) {
            SamplingResult r = s.sample(a, Tensors.create(gridBoxes(6), DataType.FLOAT, 6, 4), gts, labels(k),
                new SplittableRandom(3));
            assertShape(r.posIndsArray(), "pos_inds", s, r.posInds().length());
            assertShape(r.negIndsArray(), "neg_inds", s, r.negInds().length());
            assertShape(r.posBboxes(), "pos_bboxes", s, r.posInds().length(), 4);
            assertShape(r.negBboxes(), "neg_bboxes", s, r.negInds().length(), 4);
            assertShape(r.posGtBboxes(), "pos_gt_bboxes", s, r.posInds().length(), 4);
            assertShape(r.posAssignedGtIndsArray(), "pos_assigned_gt_inds", s, r.posInds().length());
            assertShape(r.posIsGtArray(), "pos_is_gt", s, r.posInds().length());
            assertShape(r.posGtLabelsArray(), "pos_gt_labels", s, r.posInds().length());
          }
        }
      }
    }
  }

  @Test
  void binCountsBeyondTheLimitAreNamedBeforeAnyLoop() {
    Config c = Config.of("type", "IoUBalancedNegSampler", "num", 512, "pos_fraction", 0.25, "num_bins",
        Integer.MAX_VALUE);
    assertThatThrownBy(() -> Samplers.build(c)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContainingAll("num_bins must be in [1, 1024]", "Limits.MAX_BINS", "2147483647");
  }

  @Test
  void int64LabelsBeyondIntAreNamedIllegalArguments() {
    AssignResult a = assignment(9, 2);
    INDArray huge = Tensors.createLong(new long[] {1L << 33, 1}, 2);
    for (Sampler s : samplers(8, true)) {
      assertThatThrownBy(() -> s.sample(a, Tensors.create(gridBoxes(9), DataType.FLOAT, 9, 4),
          Tensors.create(gridBoxes(2), DataType.FLOAT, 2, 4), huge, new SplittableRandom(1)))
          .as("%s", s).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("gt_labels element 0 must fit an int");
    }
  }
}
