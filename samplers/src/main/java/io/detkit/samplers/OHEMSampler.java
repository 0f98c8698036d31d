package io.detkit.samplers;

import io.detkit.core.assign.AssignResult;
import io.detkit.core.tensor.Tensors;
import java.util.Arrays;

/**
 * MMDetection's {@code OHEMSampler} (online hard example mining, arXiv:1604.03540): when there are
 * more candidates than the budget, keep the ones with the largest loss. Counting rules as in
 * {@link BaseSampler}; no randomness.
 *
 * <p>MMDetection evaluates the loss by running its RoI head ({@code context}) on the candidates,
 * positives with their assigned labels and negatives with the background label. detkit takes that
 * computation as a {@link HardExampleLoss} attached with {@link #withLoss} or
 * {@link #withLoss}; a sampler built from a config has none until one is attached. Ties in the
 * loss go to the lower index (torch's {@code topk} leaves them unspecified).
 *
 * <p>Config: {@code dict(type='OHEMSampler', num=512, pos_fraction=0.25, neg_pos_ub=-1,
 * add_gt_as_proposals=True)}.
 */
public final class OHEMSampler extends BaseSampler {
  /**
   * The type: {@code TYPE.fromConfig(cfg)}, {@code TYPE.builder(num, posFraction)}, the registry's
   * entry; the sampler it builds has no loss until one is attached with {@link #withLoss}.
   */
  public static final SamplerType<Void, OHEMSampler> TYPE =
      SamplerType.of(OHEMSampler.class, params -> new OHEMSampler(params, null));

  private final HardExampleLoss loss;

  /** A sampler with the shared {@code params} ranking by {@code loss} (null: none attached yet). */
  public OHEMSampler(SamplerParams params, HardExampleLoss loss) {
    super(params);
    this.loss = loss;
  }

  /**
   * This sampler ranking by {@code loss}.
   *
   * @throws IllegalArgumentException if {@code loss} is null
   */
  public OHEMSampler withLoss(HardExampleLoss loss) {
    Tensors.requireNonNull(loss, "loss");
    return new OHEMSampler(params(), loss);
  }

  /** The attached loss, or null. */
  public HardExampleLoss loss() {
    return loss;
  }

  /**
   * @throws IllegalStateException if mining is needed and no loss is attached
   * @throws IllegalArgumentException if mining positives without assigner labels, or the loss
   *     returns the wrong number of values or a non-finite one
   */
  @Override
  protected int[] samplePos(SamplingContext context, int numExpected) {
    AssignResult assign = context.assignResult();
    return IndexSampling.fitOrChoose(IndexSampling.positives(assign), numExpected,
        pos -> hardest(context, pos, labelsOf(assign, pos), numExpected));
  }

  /** The assigner's labels of the positives {@code pos}. */
  private static int[] labelsOf(AssignResult assign, int[] pos) {
    if (!assign.hasLabels()) {
      throw new IllegalArgumentException("OHEMSampler needs assign_result labels to rank positives"
          + " (pass gt_labels to the assigner); got None");
    }
    int[] labels = new int[pos.length];
    for (int i = 0; i < pos.length; i++) {
      labels[i] = assign.label(pos[i]);
    }
    return labels;
  }

  @Override
  protected int[] sampleNeg(SamplingContext context, int numExpected) {
    return IndexSampling.fitOrChoose(IndexSampling.negatives(context.assignResult()), numExpected, neg -> {
      int[] labels = new int[neg.length];
      Arrays.fill(labels, HardExampleLoss.BACKGROUND);
      return hardest(context, neg, labels, numExpected);
    });
  }

  private int[] hardest(SamplingContext context, int[] inds, int[] labels, int k) {
    if (loss == null) {
      throw new IllegalStateException("OHEMSampler has no hard-example loss to rank candidates by;"
          + " attach one with withLoss(...)");
    }
    if (k == 0) {
      return new int[0];
    }
    double[] values = loss.losses(inds.clone(), labels, context.boxes(inds));
    if (values == null || values.length != inds.length) {
      throw new IllegalArgumentException("hard-example loss must return one value per candidate ("
          + inds.length + "); got " + (values == null ? "null" : values.length));
    }
    for (int i = 0; i < values.length; i++) {
      if (!Double.isFinite(values[i])) {
        throw new IllegalArgumentException("hard-example loss must be finite; candidate " + inds[i]
            + " got " + values[i]);
      }
    }
    return topK(inds, values, k);
  }

  /** The {@code k} elements of {@code inds} with the largest values; ties to the lower position. */
  static int[] topK(int[] inds, double[] values, int k) {
    if (k == 0) {
      return new int[0];
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    double threshold = sorted[values.length - k];
    int above = 0;
    for (double v : values) {
      above += v > threshold ? 1 : 0;
    }
    int ties = k - above;
    int[] out = new int[k];
    int m = 0;
    for (int i = 0; i < values.length; i++) {
      if (values[i] > threshold || (values[i] == threshold && ties-- > 0)) {
        out[m++] = inds[i];
      }
    }
    return out;
  }

  @Override
  protected Object ownParams() {
    return loss;
  }

  @Override
  protected String describeOwnParams() {
    return ", loss=" + (loss == null ? "None" : loss);
  }
}
