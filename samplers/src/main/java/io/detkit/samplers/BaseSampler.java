package io.detkit.samplers;

import io.detkit.core.assign.AssignResult;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * MMDetection's {@code BaseSampler}: the counting rules every fixed-budget sampler shares.
 * Subclasses only decide which candidates to take ({@link #samplePos}, {@link #sampleNeg}).
 *
 * <ol>
 *   <li>With {@code add_gt_as_proposals} and {@code K > 0} ground truths, the gt boxes are
 *       prepended to {@code bboxes} (rows {@code 0..K-1}), each positive for itself with overlap 1
 *       and its own label ({@link AssignResult#withGtsPrepended}); they are flagged in
 *       {@code pos_is_gt}.
 *   <li>Expected positives: {@code int(num * pos_fraction)}; the sampled positives are sorted and
 *       de-duplicated.
 *   <li>Expected negatives: {@code num - #pos}, capped at {@code int(neg_pos_ub * max(1, #pos))}
 *       when {@code neg_pos_ub >= 0}; sorted and de-duplicated.
 * </ol>
 *
 * <p>So with {@code T+} positive and {@code T-} negative candidates a random sampler returns
 * {@code min(T+, int(num * pos_fraction))} positives and
 * {@code min(T-, num - #pos, int(neg_pos_ub * max(1, #pos)) if neg_pos_ub >= 0)} negatives.
 *
 * <p>Instances are immutable apart from the call counter behind the seed-derived convenience
 * {@link #sample(AssignResult, INDArray, INDArray, INDArray)} (see {@link Sampler}) and are safe to
 * share between threads.
 */
public abstract class BaseSampler implements Sampler {
  private final SamplerParams params;
  private final AtomicLong calls = new AtomicLong();

  /** A sampler with the shared {@code params} (checked by the record). */
  protected BaseSampler(SamplerParams params) {
    this.params = Objects.requireNonNull(params, "params");
  }

  /** The shared parameters. */
  public final SamplerParams params() {
    return params;
  }

  /** {@code int(num * pos_fraction)}. */
  public final int numExpectedPos() {
    return (int) (params.num() * params.posFraction());
  }

  /**
   * The negative budget for {@code numPos} sampled positives: {@code num - numPos}, capped at
   * {@code int(neg_pos_ub * max(1, numPos))} when {@code neg_pos_ub >= 0}.
   *
   * @throws IllegalArgumentException if {@code numPos} is negative
   */
  public final int numExpectedNeg(int numPos) {
    if (numPos < 0) {
      throw new IllegalArgumentException("num_pos must be >= 0; got " + numPos);
    }
    int expected = params.num() - numPos;
    if (params.negPosUb() >= 0) {
      int bound = (int) (params.negPosUb() * Math.max(1, numPos));
      expected = Math.min(expected, bound);
    }
    return expected;
  }

  /**
   * The candidates to keep as positives. Return at most {@code numExpected} distinct indices of
   * the context's box set, in any order (duplicates are dropped afterwards, as MMDetection's
   * {@code unique()} does); draw randomness only from {@code context.rng()}.
   */
  protected abstract int[] samplePos(SamplingContext context, int numExpected);

  /** The candidates to keep as negatives; the same contract as {@link #samplePos}. */
  protected abstract int[] sampleNeg(SamplingContext context, int numExpected);

  /**
   * {@inheritDoc}
   *
   * @throws IllegalStateException if a subclass returns more indices than it was asked for
   */
  @Override
  public final SamplingResult sample(AssignResult assignResult, INDArray bboxes, INDArray gtBboxes,
      INDArray gtLabels, RandomGenerator rng) {
    if (rng == null) {
      throw new IllegalArgumentException("rng must not be null");
    }
    SamplerInputs in = SamplerInputs.read(assignResult, bboxes, gtBboxes, gtLabels);
    AssignResult assign = in.assignResult;
    double[] boxes = in.xyxy();
    int n = in.n;
    DataType type = in.boxType;
    boolean[] gtFlags = null;
    if (params.addGtAsProposals() && in.k > 0) {
      if (in.gtLabels == null) {
        throw new IllegalArgumentException("gt_labels must be given when add_gt_as_proposals=True and there"
            + " are gt_bboxes (MMDetection's add_gt_ needs them); got None");
      }
      if (assign.numGts() != in.k) {
        throw new IllegalArgumentException("assign_result.num_gts must equal the number of gt_bboxes rows ("
            + in.k + ") when add_gt_as_proposals=True; got " + assign.numGts());
      }
      assign = assign.withGtsPrepended(in.gtLabels);
      double[] all = new double[(in.k + n) * 4];
      System.arraycopy(in.gtBoxes, 0, all, 0, in.k * 4);
      System.arraycopy(boxes, 0, all, in.k * 4, n * 4);
      boxes = all;
      n += in.k;
      gtFlags = new boolean[n];
      for (int i = 0; i < in.k; i++) {
        gtFlags[i] = true;
      }
      type = promote(type, in.gtType);
    }
    SamplingContext context = new SamplingContext(assign, boxes, n, type, rng);
    int expectedPos = numExpectedPos();
    int[] pos = IndexSampling.sortedUnique(samplePos(context, expectedPos));
    if (pos.length > expectedPos) {
      throw new IllegalStateException(getClass().getSimpleName() + ".samplePos returned " + pos.length
          + " distinct indices for " + expectedPos + " expected");
    }
    int expectedNeg = numExpectedNeg(pos.length);
    int[] neg = IndexSampling.sortedUnique(sampleNeg(context, expectedNeg));
    if (neg.length > expectedNeg) {
      throw new IllegalStateException(getClass().getSimpleName() + ".sampleNeg returned " + neg.length
          + " distinct indices for " + expectedNeg + " expected");
    }
    return SamplingResult.create(pos, neg, boxes, n, 4, type, gtFlags, assign, in.gtBoxes, in.k, in.gtType);
  }

  /**
   * Samples with generator number {@code c} of this instance, {@link SamplerRandom#randomFor}{@code (seed, c)},
   * where {@code c} counts this instance's convenience calls from 0. Two instances with the same
   * seed give the same sequence of results for the same sequence of inputs.
   */
  @Override
  public final SamplingResult sample(AssignResult assignResult, INDArray bboxes, INDArray gtBboxes,
      INDArray gtLabels) {
    return sample(assignResult, bboxes, gtBboxes, gtLabels, SamplerRandom.randomFor(params.seed(), calls.getAndIncrement()));
  }

  // torch.cat promotes mixed float dtypes; only DOUBLE is wider than the usual FLOAT.
  private static DataType promote(DataType a, DataType b) {
    if (a == b) {
      return a;
    }
    return a == DataType.DOUBLE || b == DataType.DOUBLE ? DataType.DOUBLE : DataType.FLOAT;
  }

  /**
   * The sampler's own parameters beyond {@link SamplerParams} (a record, or a list of values), for
   * {@link #equals} and {@link #hashCode}; null when it has none.
   */
  protected Object ownParams() {
    return null;
  }

  /** The sampler's own parameters in MMDetection's repr style ({@code ", num_bins=3"}), or "". */
  protected String describeOwnParams() {
    return "";
  }

  /** Same class, shared parameters and {@link #ownParams}. */
  @Override
  public final boolean equals(Object o) {
    return o instanceof BaseSampler s && s.getClass() == getClass() && params.equals(s.params)
        && Objects.equals(ownParams(), s.ownParams());
  }

  @Override
  public final int hashCode() {
    return Objects.hash(getClass(), params, ownParams());
  }

  /** {@code RandomSampler(num=256, pos_fraction=0.5, neg_pos_ub=-1, add_gt_as_proposals=True, seed=0)}. */
  @Override
  public final String toString() {
    SamplerParams p = params;
    return getClass().getSimpleName() + "(num=" + p.num() + ", pos_fraction=" + p.posFraction() + ", neg_pos_ub="
        + number(p.negPosUb()) + ", add_gt_as_proposals=" + (p.addGtAsProposals() ? "True" : "False")
        + ", seed=" + p.seed() + describeOwnParams() + ")";
  }

  /** {@code 3} for integral values, {@code 0.5} otherwise (Python-like). */
  static String number(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }
}
