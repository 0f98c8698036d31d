package io.detkit.samplers;

import io.detkit.core.assign.AssignResult;
import io.detkit.core.config.Config;
import io.detkit.core.golden.CaseOutputs;
import io.detkit.core.golden.ComponentRunner;
import io.detkit.core.golden.ConformanceSuite;
import io.detkit.core.golden.GoldenCase;
import io.detkit.core.golden.UnsupportedCaseException;
import io.detkit.core.tensor.Tensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * MMDetection conformance of the samplers. PseudoSampler outputs must match exactly. Random
 * samplers run with {@value SamplerRunner#SEEDS} generators and every result must satisfy every
 * invariant of the case; {@code *_exact} outputs (forced choices) must match for all of them.
 */
class SamplerConformanceTest {
  @TestFactory
  Stream<DynamicTest> golden() {
    return ConformanceSuite.tests(new SamplerRunner());
  }

  static final class SamplerRunner implements ComponentRunner {
    static final int SEEDS = 12;

    @Override
    public Set<String> components() {
      return Set.of("PseudoSampler", "RandomSampler", "IoUBalancedNegSampler", "InstanceBalancedPosSampler",
          "CombinedSampler");
    }

    @Override
    public CaseOutputs run(GoldenCase c) {
      if (!c.method().equals("sample")) {
        throw new UnsupportedCaseException(c.id() + ": unknown call '" + c.method() + "'");
      }
      Sampler sampler = Samplers.build(c.config());
      Config inv = c.invariants();
      INDArray bboxes = c.input("bboxes");
      INDArray gtBboxes = c.input("gt_bboxes");
      boolean labelsGiven = c.call().getBoolean("gt_labels_given", c.hasInput("gt_labels"));
      INDArray gtLabels = labelsGiven ? c.input("gt_labels") : null;
      int k = (int) gtBboxes.size(0);
      int numGts = inv.getInt("assign_num_gts", k);
      int[] gtInds = Tensors.toInts(c.input("assign_gt_inds"));
      double[] overlaps = Tensors.toDoubles(c.input("assign_max_overlaps"));
      int[] labels = c.hasInput("assign_labels") ? Tensors.toInts(c.input("assign_labels")) : null;
      AssignResult assign = new AssignResult(numGts, gtInds, overlaps, labels);

      List<SamplingResult> results = new ArrayList<>();
      if (sampler instanceof PseudoSampler) {
        results.add(sampler.sample(assign, bboxes, gtBboxes, gtLabels));
      } else {
        for (int seed = 0; seed < SEEDS; seed++) {
          results.add(sampler.sample(assign, bboxes, gtBboxes, gtLabels, new SplittableRandom(seed)));
        }
      }
      Inputs in = new Inputs(c, sampler, assign, bboxes, gtBboxes, gtLabels);
      for (SamplingResult r : results) {
        checkStructure(in, r);
      }
      checkInvariants(in, results);
      return outputs(c, results);
    }

    /** What the inputs imply, computed here independently of the samplers. */
    record Inputs(GoldenCase c, Sampler sampler, AssignResult assign, INDArray bboxes, INDArray gtBboxes,
        INDArray gtLabels) {
      boolean addsGts() {
        return sampler instanceof BaseSampler b && b.params().addGtAsProposals() && gtBboxes.size(0) > 0;
      }

      int k() {
        return (int) gtBboxes.size(0);
      }

      int[] gtIndsAug() {
        int[] g = assign.gtInds();
        if (!addsGts()) {
          return g;
        }
        int[] out = new int[k() + g.length];
        for (int i = 0; i < k(); i++) {
          out[i] = i + 1;
        }
        System.arraycopy(g, 0, out, k(), g.length);
        return out;
      }

      int[] labelsAug() {
        int[] l = assign.labels();
        if (l == null || !addsGts()) {
          return l;
        }
        int[] out = new int[k() + l.length];
        System.arraycopy(Tensors.toInts(gtLabels), 0, out, 0, k());
        System.arraycopy(l, 0, out, k(), l.length);
        return out;
      }

      /** Rows of the augmented box set, first four columns (all columns for PseudoSampler). */
      double[][] boxesAug() {
        int n = (int) bboxes.size(0);
        int cols = sampler instanceof PseudoSampler ? (int) bboxes.size(1) : 4;
        double[] b = Tensors.toDoubles(bboxes);
        double[] g = Tensors.toDoubles(gtBboxes);
        int off = addsGts() ? k() : 0;
        double[][] out = new double[off + n][];
        for (int i = 0; i < off; i++) {
          out[i] = Arrays.copyOfRange(g, i * 4, i * 4 + 4);
        }
        int width = (int) bboxes.size(1);
        for (int i = 0; i < n; i++) {
          out[off + i] = Arrays.copyOfRange(b, i * width, i * width + cols);
        }
        return out;
      }

      int count(java.util.function.IntPredicate p) {
        int m = 0;
        for (int g : gtIndsAug()) {
          m += p.test(g) ? 1 : 0;
        }
        return m;
      }
    }

    private static void check(GoldenCase c, boolean ok, String what) {
      if (!ok) {
        throw new AssertionError(c.id() + ": " + what);
      }
    }

    /** The semantics every sampler shares, whatever the case's rules say. */
    private static void checkStructure(Inputs in, SamplingResult r) {
      GoldenCase c = in.c();
      int[] g = in.gtIndsAug();
      int[] lab = in.labelsAug();
      double[][] boxes = in.boxesAug();
      double[] gt = Tensors.toDoubles(in.gtBboxes());
      check(c, r.numBboxes() == g.length, "numBboxes " + r.numBboxes() + " != " + g.length);
      check(c, r.numGts() == in.k(), "num_gts " + r.numGts() + " != " + in.k());
      int[] pos = r.posInds().toArray();
      int[] neg = r.negInds().toArray();
      for (int i = 0; i < pos.length; i++) {
        check(c, i == 0 || pos[i] > pos[i - 1], "pos_inds not strictly increasing at " + i);
        check(c, g[pos[i]] > 0, "pos_inds[" + i + "]=" + pos[i] + " is not a positive candidate");
      }
      for (int i = 0; i < neg.length; i++) {
        check(c, i == 0 || neg[i] > neg[i - 1], "neg_inds not strictly increasing at " + i);
        check(c, g[neg[i]] == 0, "neg_inds[" + i + "]=" + neg[i] + " is not a negative candidate");
      }
      int[] assigned = r.posAssignedGtInds().toArray();
      boolean[] isGt = r.posIsGt().toArray();
      int[] posLabels = r.posGtLabels() == null ? null : r.posGtLabels().toArray();
      double[] posBoxes = r.posBboxesData().toArray();
      double[] negBoxes = r.negBboxesData().toArray();
      double[] posGt = r.posGtBboxesData().toArray();
      int cols = r.boxColumns();
      check(c, boxes.length == 0 || cols == boxes[0].length, "box columns " + cols);
      check(c, (posLabels == null) == (lab == null), "pos_gt_labels presence");
      for (int i = 0; i < pos.length; i++) {
        int p = pos[i];
        check(c, assigned[i] == g[p] - 1, "pos_assigned_gt_inds[" + i + "] != gt_inds_aug[pos]-1");
        check(c, isGt[i] == (in.addsGts() && p < in.k()), "pos_is_gt[" + i + "]");
        check(c, Arrays.equals(Arrays.copyOfRange(posBoxes, i * cols, i * cols + cols), boxes[p]),
            "pos_bboxes row " + i);
        check(c, Arrays.equals(Arrays.copyOfRange(posGt, i * 4, i * 4 + 4),
            Arrays.copyOfRange(gt, assigned[i] * 4, assigned[i] * 4 + 4)), "pos_gt_bboxes row " + i);
        if (lab != null) {
          check(c, posLabels[i] == lab[p], "pos_gt_labels[" + i + "]");
        }
      }
      for (int i = 0; i < neg.length; i++) {
        check(c, Arrays.equals(Arrays.copyOfRange(negBoxes, i * cols, i * cols + cols), boxes[neg[i]]),
            "neg_bboxes row " + i);
      }
      check(c, r.posBboxes().dataType() == in.bboxes().dataType(), "pos_bboxes dtype");
      // Empty results keep MMDetection's ranks: [0] and [0, C], never a shape-[] scalar.
      checkShape(c, r.posIndsArray(), "pos_inds", pos.length);
      checkShape(c, r.negIndsArray(), "neg_inds", neg.length);
      checkShape(c, r.posBboxes(), "pos_bboxes", pos.length, cols);
      checkShape(c, r.negBboxes(), "neg_bboxes", neg.length, cols);
      checkShape(c, r.posGtBboxes(), "pos_gt_bboxes", pos.length, 4);
      checkShape(c, r.posAssignedGtIndsArray(), "pos_assigned_gt_inds", pos.length);
      checkShape(c, r.posIsGtArray(), "pos_is_gt", pos.length);
    }

    private static void checkShape(GoldenCase c, INDArray a, String what, long... shape) {
      check(c, Arrays.equals(a.shape(), shape), what + " shape " + Arrays.toString(a.shape()) + " != "
          + Arrays.toString(shape));
    }

    private static void checkInvariants(Inputs in, List<SamplingResult> results) {
      GoldenCase c = in.c();
      Config inv = c.invariants();
      int totalPos = in.count(g -> g > 0);
      int totalNeg = in.count(g -> g == 0);
      BaseSampler base = in.sampler() instanceof BaseSampler b ? b : null;
      for (String key : inv.keys()) {
        switch (key) {
          case "assign_num_gts" -> check(c, in.assign().numGts() == inv.getInt(key), key);
          case "bboxes_after_add_gt" -> {
            for (SamplingResult r : results) {
              check(c, r.numBboxes() == inv.getInt(key), key + ": " + r.numBboxes() + " != " + inv.getInt(key));
            }
          }
          case "total_pos_candidates" -> check(c, totalPos == inv.getInt(key), key + ": " + totalPos);
          case "total_neg_candidates" -> check(c, totalNeg == inv.getInt(key), key + ": " + totalNeg);
          case "num_expected_pos" -> check(c, base != null && base.numExpectedPos() == inv.getInt(key), key);
          case "num_pos" -> {
            for (SamplingResult r : results) {
              check(c, r.posInds().length() == inv.getInt(key), key + ": " + r.posInds().length() + " != " + inv.getInt(key));
            }
          }
          case "num_neg" -> {
            for (SamplingResult r : results) {
              check(c, r.negInds().length() == inv.getInt(key), key + ": " + r.negInds().length() + " != " + inv.getInt(key));
            }
          }
          case "num_pos_max" -> {
            for (SamplingResult r : results) {
              check(c, r.posInds().length() <= inv.getInt(key), key + ": " + r.posInds().length() + " > " + inv.getInt(key));
            }
          }
          case "num_neg_rule" -> {
            if (!inv.getString(key).startsWith("num - #pos (capped by total_neg)")) {
              throw new UnsupportedCaseException(c.id() + ": unknown num_neg_rule '" + inv.getString(key) + "'");
            }
            for (SamplingResult r : results) {
              check(c, base != null && r.negInds().length() == Math.min(totalNeg, base.numExpectedNeg(r.posInds().length())), key);
            }
          }
          case "observed_num_pos_over_12_seeds", "observed_num_neg_over_12_seeds" -> {
            int[] observed = inv.getIntArray(key);
            boolean pos = key.startsWith("observed_num_pos");
            // With a variable positive count (num_pos_max), only the pos upper bound carries over;
            // the negative count then follows num_neg_rule.
            boolean variable = inv.has("num_pos_max");
            int max = Arrays.stream(observed).max().orElse(Integer.MIN_VALUE);
            for (SamplingResult r : results) {
              int n = pos ? r.posInds().length() : r.negInds().length();
              if (variable) {
                check(c, !pos || n <= max, key + ": " + n + " above every observed count");
              } else {
                check(c, Arrays.stream(observed).anyMatch(o -> o == n), key + ": " + n + " not in "
                    + Arrays.toString(observed));
              }
            }
          }
          case "rules" -> {
            for (Object rule : inv.getList(key)) {
              checkRule(in, String.valueOf(rule), results, totalPos, totalNeg);
            }
          }
          default -> throw new UnsupportedCaseException(c.id() + ": unknown invariant '" + key + "'");
        }
      }
    }

    private static void checkRule(Inputs in, String rule, List<SamplingResult> results, int totalPos,
        int totalNeg) {
      GoldenCase c = in.c();
      BaseSampler base = in.sampler() instanceof BaseSampler b ? b : null;
      if (rule.startsWith("pos_inds strictly increasing") || rule.startsWith("neg_inds strictly increasing")
          || rule.startsWith("pos_assigned_gt_inds == gt_inds_aug[pos_inds]-1")) {
        return; // checkStructure verified these for every result
      }
      for (SamplingResult r : results) {
        if (rule.startsWith("pos_is_gt all 0")) {
          for (boolean b : r.posIsGt().toArray()) {
            check(c, !b, rule);
          }
        } else if (rule.startsWith("pos_is_gt[i] == (pos_inds[i] < num_gts)")) {
          boolean[] isGt = r.posIsGt().toArray();
          for (int i = 0; i < isGt.length; i++) {
            check(c, isGt[i] == (r.posInds().get(i) < r.numGts()), rule + " at " + i);
          }
        } else if (rule.startsWith("#pos = min(total_pos, int(num*pos_fraction))")) {
          check(c, base != null, rule);
          int expectedPos = Math.min(totalPos, base.numExpectedPos());
          check(c, r.posInds().length() == expectedPos, "#pos " + r.posInds().length() + " != " + expectedPos);
          int expectedNeg = Math.min(totalNeg, base.numExpectedNeg(r.posInds().length()));
          check(c, r.negInds().length() == expectedNeg, "#neg " + r.negInds().length() + " != " + expectedNeg);
        } else if (rule.startsWith("negatives are drawn per IoU interval")) {
          check(c, base instanceof IoUBalancedNegSampler
              || (base instanceof CombinedSampler cs && cs.negSampler() instanceof IoUBalancedNegSampler), rule);
          int expectedNeg = Math.min(totalNeg, base.numExpectedNeg(r.posInds().length()));
          check(c, r.negInds().length() == expectedNeg, "#neg " + r.negInds().length() + " != " + expectedNeg);
        } else {
          throw new UnsupportedCaseException(c.id() + ": unknown rule '" + rule + "'");
        }
      }
    }

    private static CaseOutputs outputs(GoldenCase c, List<SamplingResult> results) {
      SamplingResult r = results.get(0);
      CaseOutputs out = new CaseOutputs();
      for (Map.Entry<String, GoldenCase.Expected> e : c.expectedOutputs().entrySet()) {
        String name = e.getKey();
        switch (name) {
          case "pos_inds" -> out.output(name, r.posIndsArray());
          case "neg_inds" -> out.output(name, r.negIndsArray());
          case "pos_bboxes" -> out.output(name, r.posBboxes());
          case "neg_bboxes" -> out.output(name, r.negBboxes());
          case "bboxes" -> out.output(name, r.bboxes());
          case "pos_is_gt" -> out.output(name, r.posIsGtArray());
          case "pos_assigned_gt_inds" -> out.output(name, r.posAssignedGtIndsArray());
          case "pos_gt_bboxes" -> out.output(name, r.posGtBboxes());
          case "pos_gt_labels" -> out.output(name, r.posGtLabelsArray());
          case "num_gts" -> out.output(name, r.numGts());
          case "num_pos" -> out.output(name, r.posInds().length());
          case "num_neg" -> out.output(name, r.negInds().length());
          case "pos_inds_exact", "neg_inds_exact" -> {
            boolean pos = name.startsWith("pos");
            int[] first = pos ? r.posInds().toArray() : r.negInds().toArray();
            for (SamplingResult other : results) {
              check(c, Arrays.equals(first, pos ? other.posInds().toArray() : other.negInds().toArray()),
                  name + " differs between generators although the choice is forced");
            }
            out.output(name, first);
          }
          default -> throw new UnsupportedCaseException(c.id() + ": unknown output '" + name + "'");
        }
      }
      return out;
    }
  }
}
