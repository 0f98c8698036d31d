package io.detkit.core.anchor;

import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.soabase.recordbuilder.core.RecordBuilder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * MMDetection 2.x's {@code SSDAnchorGenerator}: at every cell of level {@code k}, {@code 2 *
 * len(ratios[k]) + 2} anchor boxes {@code (x1, y1, x2, y2)} centred at {@code (stride_w / 2,
 * stride_h / 2)} of the cell.
 *
 * <p>Level {@code k} has base size {@code min_sizes[k]}, scales {@code [1, sqrt(max_sizes[k] /
 * min_sizes[k])]} and ratios {@code [1, 1/r1, r1, 1/r2, r2, ...]}; of the {@code 2 * numRatios}
 * anchors this yields, SSD keeps {@code numRatios + 1}: anchor 0, then the anchor at index {@code
 * numRatios} (with {@code scale_major=False}, the larger-scale square one), then anchors {@code 1 ..
 * numRatios - 1}. Without {@code min_sizes}/{@code max_sizes} the sizes follow the original SSD
 * recipe from {@code basesize_ratio_range} (a pair of floats) and {@code input_size} (300 or 512),
 * including its {@code int()} truncations and the extra first level (7%-15% of 300 for a range
 * starting at 0.15, 10%-20% for 0.2; 4%-10% of 512 for 0.1, 7%-15% for 0.15). When {@code
 * min_sizes} are given, {@code basesize_ratio_range} and {@code input_size} are ignored, as in
 * MMDetection.
 *
 * <p>Config keys ({@code type='SSDAnchorGenerator'}): {@code strides, ratios, min_sizes,
 * max_sizes, basesize_ratio_range, input_size, scale_major} (default True). Everything else
 * (grids, valid flags, sparse priors) is {@link AnchorGenerator}'s. Build from {@link Params}
 * ({@code new SSDAnchorGenerator(Params.of(strides, ratios).withInputSize(512))}) or from a config.
 * Immutable and thread-safe.
 */
public final class SSDAnchorGenerator extends AnchorGenerator {
  private final double[] minSizes;
  private final double[] maxSizes;

  /**
   * SSD's parameters (MMDetection's keys in camelCase), checked here once for {@link #fromConfig},
   * {@link #of} and every wither (generated: {@code withInputSize}, {@code withScaleMajor}, ...;
   * {@link #withSizes} sets both size lists). Arrays are copied in; treat the ones the accessors
   * return as read-only.
   *
   * @param strides per level, at least one
   * @param ratios per level, the ratios {@code r} that add anchors of ratio {@code 1/r} and {@code r}
   * @param minSizes base size per level, or null for SSD's size recipe; given with {@code maxSizes}
   * @param maxSizes larger size per level, or null; given with {@code minSizes}
   * @param basesizeRatioRange the recipe's size range as fractions of {@code inputSize}, a pair
   * @param inputSize 300 or 512 for the recipe (ignored with explicit sizes)
   * @param scaleMajor whether scales vary fastest among a cell's anchors (before SSD's reordering)
   * @throws IllegalArgumentException if strides and ratios differ in length, only one of
   *     min_sizes/max_sizes is given, sizes are not positive, or the SSD recipe does not support
   *     the input_size / basesize_ratio_range combination
   */
  @RecordBuilder
  public record Params(List<Stride> strides, List<double[]> ratios, double[] minSizes, double[] maxSizes,
      double[] basesizeRatioRange, int inputSize, boolean scaleMajor) implements SSDAnchorGeneratorParamsBuilder.With {
    public Params {
      strides = strides == null ? null : List.copyOf(strides);
      ratios = ratios == null ? null : Collections.unmodifiableList(copyAllD(ratios));
      minSizes = minSizes == null ? null : minSizes.clone();
      maxSizes = maxSizes == null ? null : maxSizes.clone();
      basesizeRatioRange = basesizeRatioRange == null ? null : basesizeRatioRange.clone();
      plan(strides, ratios, minSizes, maxSizes, basesizeRatioRange, inputSize, scaleMajor);
    }

    /**
     * SSD anchors with {@code ratios} at each of {@code strides}, sizes from the recipe with
     * MMDetection's defaults ({@code basesize_ratio_range=(0.15, 0.9)}, {@code input_size=300},
     * {@code scale_major=True}).
     */
    public static Params of(List<Stride> strides, List<double[]> ratios) {
      return new Params(strides, ratios, null, null, new double[] {0.15, 0.9}, 300, true);
    }

    /** SSD anchors with explicit {@code minSizes} and {@code maxSizes} per level (no recipe). */
    public static Params of(List<Stride> strides, List<double[]> ratios, double[] minSizes, double[] maxSizes) {
      return new Params(strides, ratios, minSizes, maxSizes, new double[] {0.15, 0.9}, 300, true);
    }

    /** Explicit sizes per level instead of the recipe. */
    public Params withSizes(double[] minSizes, double[] maxSizes) {
      return with(b -> b.minSizes(minSizes).maxSizes(maxSizes));
    }
  }

  /** The generator of {@code p} (checked by {@link Params}). */
  public SSDAnchorGenerator(Params p) {
    this(plan(p.strides(), p.ratios(), p.minSizes(), p.maxSizes(), p.basesizeRatioRange(), p.inputSize(),
        p.scaleMajor()));
  }

  private SSDAnchorGenerator(Plan p) {
    super(p.strides, p.minSizes, p.scales, p.ratios, p.scaleMajor, 0, p.centers, null, null, true);
    this.minSizes = p.minSizes;
    this.maxSizes = p.maxSizes;
  }

  private record Plan(List<Stride> strides, double[] minSizes, double[] maxSizes, List<float[]> scales,
      List<float[]> ratios, List<double[]> centers, boolean scaleMajor) {}

  /**
   * Builds from an MMDetection config dict, as {@link io.detkit.core.CoreRegistries#PRIOR_GENERATORS} does for
   * type {@code SSDAnchorGenerator} (the {@code type} key is not checked here).
   *
   * @throws io.detkit.core.config.ConfigException naming the key for a missing, unknown-typed or
   *     invalid parameter
   */
  public static SSDAnchorGenerator fromConfig(Config c) {
    List<Stride> strides = AnchorConfigs.strides(c, "strides");
    List<double[]> ratios = AnchorConfigs.nested(c, "ratios");
    double[] minSizes = c.isNull("min_sizes") ? null : c.getDoubleArray("min_sizes");
    double[] maxSizes = c.isNull("max_sizes") ? null : c.getDoubleArray("max_sizes");
    double[] range = {0.15, 0.9};
    if (!c.isNull("basesize_ratio_range")) {
      List<Object> r = c.getList("basesize_ratio_range");
      // MMDetection requires a tuple of Python floats; (0, 0.9) with an int is rejected there too.
      if (r.size() != 2 || !(r.get(0) instanceof Double) || !(r.get(1) instanceof Double)) {
        throw ConfigException.at(c.pathOf("basesize_ratio_range"),
            "expected a pair of floats such as (0.15, 0.9), got " + Config.describe(r));
      }
      range = new double[] {(Double) r.get(0), (Double) r.get(1)};
    }
    int inputSize = c.getInt("input_size", 300);
    boolean scaleMajor = c.getBoolean("scale_major", true);
    double[] basesizeRatioRange = range;
    return ConfigException.reraisedAt(c, () -> new SSDAnchorGenerator(new Params(strides, ratios, minSizes, maxSizes,
        basesizeRatioRange, inputSize, scaleMajor)));
  }

  /** The base (minimum) size of every level. */
  public double[] minSizes() {
    return minSizes.clone();
  }

  /** The maximum size of every level; the second scale is {@code sqrt(max / min)}. */
  public double[] maxSizes() {
    return maxSizes.clone();
  }

  /** Checks SSD's parameters and derives each level's sizes, scales, ratios and centres. */
  private static Plan plan(List<Stride> strides, List<double[]> ratios, double[] minSizes, double[] maxSizes,
      double[] basesizeRatioRange, int inputSize, boolean scaleMajor) {
    int levels = PriorChecks.strides(strides);
    if (ratios == null || ratios.size() != levels) {
      throw new IllegalArgumentException("ratios must have one list per level (" + levels + " strides); got "
          + (ratios == null ? "none" : ratios.size()));
    }
    if ((minSizes == null) != (maxSizes == null)) {
      throw new IllegalArgumentException("min_sizes and max_sizes must be given together; got only "
          + (minSizes == null ? "max_sizes" : "min_sizes"));
    }
    double[] mins;
    double[] maxs;
    if (minSizes == null) {
      double[][] recipe = recipeSizes(levels, basesizeRatioRange, inputSize);
      mins = recipe[0];
      maxs = recipe[1];
    } else {
      mins = minSizes;
      maxs = maxSizes;
    }
    if (mins.length != levels || maxs.length != levels) {
      throw new IllegalArgumentException("min_sizes and max_sizes must have one size per level (" + levels
          + " strides); got " + mins.length + " and " + maxs.length);
    }
    PriorChecks.positiveFloat32("min_sizes", mins);
    PriorChecks.positiveFloat32("max_sizes", maxs);
    List<float[]> scales = new ArrayList<>();
    List<float[]> anchorRatios = new ArrayList<>();
    List<double[]> centers = new ArrayList<>();
    for (int k = 0; k < levels; k++) {
      double[] r = ratios.get(k);
      if (r == null) {
        throw new IllegalArgumentException("ratios[" + k + "] must be a list of numbers; got null");
      }
      PriorChecks.positiveFloat32("ratios[" + k + "]", r.length == 0 ? new double[] {1} : r);
      scales.add(new float[] {1f, (float) Math.sqrt(maxs[k] / mins[k])});
      float[] ar = new float[1 + 2 * r.length];
      ar[0] = 1f;
      for (int i = 0; i < r.length; i++) {
        ar[1 + 2 * i] = (float) (1.0 / r[i]);
        ar[2 + 2 * i] = (float) r[i];
      }
      anchorRatios.add(ar);
      centers.add(new double[] {strides.get(k).w() / 2.0, strides.get(k).h() / 2.0});
    }
    return new Plan(strides, mins.clone(), maxs.clone(), scales, anchorRatios, centers, scaleMajor);
  }

  /** SSD's original size recipe, reproducing MMDetection's int() truncations. */
  private static double[][] recipeSizes(int levels, double[] range, int inputSize) {
    if (range == null || range.length != 2 || !Double.isFinite(range[0]) || !Double.isFinite(range[1])) {
      throw new IllegalArgumentException("basesize_ratio_range must be a pair of finite floats; got "
          + Arrays.toString(range));
    }
    if (levels < 3) {
      throw new IllegalArgumentException("the SSD size recipe (basesize_ratio_range) needs at least 3 levels; got "
          + levels + " strides; give min_sizes and max_sizes instead");
    }
    int minRatio = (int) (range[0] * 100);
    int maxRatio = (int) (range[1] * 100);
    int step = (int) (Math.floor(maxRatio - minRatio) / (levels - 2));
    if (step <= 0) {
      throw new IllegalArgumentException("basesize_ratio_range " + Arrays.toString(range) + " with " + levels
          + " levels gives a size step of " + step + "; the range must widen by at least 1% per level");
    }
    List<Double> mins = new ArrayList<>();
    List<Double> maxs = new ArrayList<>();
    double first = range[0];
    if (inputSize == 300 && (first == 0.15 || first == 0.2)) {
      mins.add((double) (int) (inputSize * (first == 0.15 ? 7 : 10) / 100.0));
      maxs.add((double) (int) (inputSize * (first == 0.15 ? 15 : 20) / 100.0));
    } else if (inputSize == 512 && (first == 0.1 || first == 0.15)) {
      mins.add((double) (int) (inputSize * (first == 0.1 ? 4 : 7) / 100.0));
      maxs.add((double) (int) (inputSize * (first == 0.1 ? 10 : 15) / 100.0));
    } else if (inputSize == 300) {
      throw new IllegalArgumentException(
          "basesize_ratio_range[0] must be 0.15 or 0.2 when input_size is 300; got " + first);
    } else if (inputSize == 512) {
      throw new IllegalArgumentException(
          "basesize_ratio_range[0] must be 0.1 or 0.15 when input_size is 512; got " + first);
    } else {
      throw new IllegalArgumentException(
          "input_size must be 300 or 512 when min_sizes and max_sizes are not given; got " + inputSize);
    }
    for (int ratio = minRatio; ratio <= maxRatio; ratio += step) {
      mins.add((double) (int) ((double) inputSize * ratio / 100.0));
      maxs.add((double) (int) ((double) inputSize * (ratio + step) / 100.0));
    }
    if (mins.size() != levels) {
      throw new IllegalArgumentException("basesize_ratio_range " + Arrays.toString(range) + " yields "
          + mins.size() + " levels of sizes but there are " + levels + " strides");
    }
    double[][] out = new double[2][levels];
    for (int i = 0; i < levels; i++) {
      out[0][i] = mins.get(i);
      out[1][i] = maxs.get(i);
    }
    return out;
  }
}
