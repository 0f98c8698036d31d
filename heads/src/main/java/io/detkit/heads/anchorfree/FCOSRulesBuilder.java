package io.detkit.heads.anchorfree;

import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * The {@link PointHeadBuilder} of heads that take FCOS's target rules ({@link FCOSTargets}): FCOS
 * itself and VFNet without ATSS. Adds {@code regress_ranges} (one {@code (lo, hi)} per level;
 * default {@code ((-1, 64), (64, 128), (128, 256), (256, 512), (512, 1e8))}),
 * {@code center_sampling} (False) and {@code center_sample_radius} (1.5), each declared, read and
 * checked here once.
 *
 * <p>Not thread-safe; a built head does not change when the builder does afterwards.
 *
 * @param <B> the concrete builder
 * @param <H> the head it builds
 */
public abstract class FCOSRulesBuilder<B extends FCOSRulesBuilder<B, H>, H extends AnchorFreeHead>
    extends PointHeadBuilder<B, H> {
  /** MMDetection's default regress ranges (five levels). */
  static final double[][] DEFAULT_REGRESS_RANGES = {{-1, 64}, {64, 128}, {128, 256}, {256, 512},
      {512, FCOSTargets.INF}};

  private double[][] regressRanges;
  private boolean centerSampling;
  private double radius = 1.5;

  /**
   * @param type the head's class, whose simple name is its MMDetection type name
   * @param factory makes the head (see {@link io.detkit.heads.HeadBuilder})
   */
  protected FCOSRulesBuilder(Class<? extends H> type, Function<? super B, ? extends H> factory) {
    super(type, factory);
  }

  /** One {@code (lo, hi)} per level, both inclusive; null for MMDetection's default. */
  public B regressRanges(double[][] ranges) {
    this.regressRanges = ranges == null ? null : ranges.clone();
    return self();
  }

  /** Positives only near the gt centre. */
  public B centerSampling(boolean on) {
    this.centerSampling = on;
    return self();
  }

  /** @throws IllegalArgumentException if not a finite number &gt; 0 */
  public B centerSampleRadius(double radius) {
    if (!(radius > 0) || !Double.isFinite(radius)) {
      throw new IllegalArgumentException("center_sample_radius must be > 0; got " + radius);
    }
    this.radius = radius;
    return self();
  }

  /** Reads {@code regress_ranges}, {@code center_sampling} and {@code center_sample_radius}. */
  @Override
  protected void readConfig(Config c) {
    super.readConfig(c);
    if (c.has("regress_ranges")) {
      regressRanges(readRanges(c));
    }
    centerSampling(c.getBoolean("center_sampling", false));
    centerSampleRadius(c.getDouble("center_sample_radius", 1.5));
  }

  /**
   * The rules for a head of {@code numClasses} classes, the ranges checked against the strides.
   *
   * @throws IllegalArgumentException naming {@code regress_ranges} if they do not hold one pair of
   *     numbers per level
   */
  final FCOSTargets.Rules rules(int numClasses, boolean normOnBbox) {
    double[][] given = regressRanges == null ? DEFAULT_REGRESS_RANGES : regressRanges;
    if (given.length != strides.length) {
      throw new IllegalArgumentException("regress_ranges must hold one (lo, hi) per level (" + strides.length
          + " strides); got " + given.length);
    }
    double[][] copy = new double[given.length][];
    for (int l = 0; l < given.length; l++) {
      if (given[l] == null || given[l].length != 2 || Double.isNaN(given[l][0]) || Double.isNaN(given[l][1])) {
        throw new IllegalArgumentException("regress_ranges[" + l + "] must be a pair (lo, hi) of numbers; got "
            + (given[l] == null ? "None" : Arrays.toString(given[l])));
      }
      copy[l] = given[l].clone();
    }
    return new FCOSTargets.Rules(numClasses, strides.clone(), copy, centerSampling, radius, normOnBbox);
  }

  /**
   * {@code regress_ranges} of {@code c}: a list of {@code (lo, hi)} pairs.
   *
   * @throws ConfigException naming the key for an element that is not a pair of numbers
   */
  private static double[][] readRanges(Config c) {
    List<Object> list = c.getList("regress_ranges");
    double[][] ranges = new double[list.size()][];
    for (int l = 0; l < list.size(); l++) {
      if (!(list.get(l) instanceof List<?> pair) || pair.size() != 2
          || !(pair.get(0) instanceof Number lo) || !(pair.get(1) instanceof Number hi)) {
        throw ConfigException.at(c.pathOf("regress_ranges"), "regress_ranges[" + l
            + "] must be a pair (lo, hi) of numbers; got " + Config.describe(list.get(l)));
      }
      ranges[l] = new double[] {lo.doubleValue(), hi.doubleValue()};
    }
    return ranges;
  }
}
