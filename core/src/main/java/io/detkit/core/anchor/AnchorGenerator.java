package io.detkit.core.anchor;

import io.detkit.core.check.Limits;
import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.core.precision.Precision;
import io.detkit.core.tensor.Tensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * MMDetection 2.x's standard anchor generator ({@code AnchorGenerator}): at every cell of level
 * {@code l}, {@code numRatios * numScales} anchor boxes {@code (x1, y1, x2, y2)} of base size
 * {@code base_sizes[l]} (default: the shorter stride).
 *
 * <p>Anchor geometry, as in MMDetection 2.x: {@code h_ratio = sqrt(ratio)}, {@code w_ratio = 1 /
 * h_ratio}, {@code w = base_size * w_ratio * scale}, {@code h = base_size * h_ratio * scale}; base
 * anchors are centred at {@code (center_offset * base_size, center_offset * base_size)} (the
 * cell's top-left corner by default, not its centre) or at the given {@code centers}; with
 * {@code scale_major} the scales vary fastest ({@code index = ratio * numScales + scale}),
 * otherwise the ratios do. The anchor of cell {@code (y, x)} is the base anchor shifted by {@code
 * (x * stride_w, y * stride_h)}. Base anchors are computed in float32 in MMDetection's operation
 * order; float64 priors widen them and add float64 shifts, as MMDetection does.
 *
 * <p>Build with {@link #builder()} or from a config through {@link PriorGenerators#REGISTRY}
 * ({@code type='AnchorGenerator'}, keys {@code strides, ratios, scales, base_sizes, scale_major,
 * octave_base_scale, scales_per_octave, centers, center_offset}). Scales come either from {@code
 * scales} or from {@code octave_base_scale * 2^(i / scales_per_octave)}, {@code i <
 * scales_per_octave}. Immutable and thread-safe.
 */
public sealed class AnchorGenerator implements PriorGenerator permits SSDAnchorGenerator {
  private final List<Stride> strides;
  private final double[] baseSizes;
  private final List<float[]> scales;
  private final List<float[]> ratios;
  private final boolean scaleMajor;
  private final double centerOffset;
  private final List<double[]> centers;
  private final Double octaveBaseScale;
  private final Integer scalesPerOctave;
  private final List<float[]> baseAnchors;

  /**
   * The shared constructor; arguments are validated by the builders.
   *
   * @param keepSsdSubset keep SSD's {@code numRatios + 1} anchors, ordered {@code [0, numRatios, 1,
   *     ..., numRatios - 1]}, out of the {@code 2 * numRatios} generated
   */
  AnchorGenerator(List<Stride> strides, double[] baseSizes, List<float[]> scales, List<float[]> ratios,
      boolean scaleMajor, double centerOffset, List<double[]> centers, Double octaveBaseScale,
      Integer scalesPerOctave, boolean keepSsdSubset) {
    this.strides = List.copyOf(strides);
    this.baseSizes = baseSizes.clone();
    this.scales = copyAll(scales);
    this.ratios = copyAll(ratios);
    this.scaleMajor = scaleMajor;
    this.centerOffset = centerOffset;
    this.centers = centers == null ? null : Collections.unmodifiableList(copyAllD(centers));
    this.octaveBaseScale = octaveBaseScale;
    this.scalesPerOctave = scalesPerOctave;
    List<float[]> base = new ArrayList<>();
    for (int l = 0; l < this.strides.size(); l++) {
      float[] a = BaseAnchors.singleLevel(baseSizes[l], this.scales.get(l), this.ratios.get(l), scaleMajor,
          centerOffset, centers == null ? null : centers.get(l));
      PriorChecks.finiteBase(a, l);
      base.add(keepSsdSubset ? BaseAnchors.ssdSubset(a, this.ratios.get(l).length) : a);
    }
    this.baseAnchors = Collections.unmodifiableList(base);
  }

  private static List<float[]> copyAll(List<float[]> in) {
    List<float[]> out = new ArrayList<>(in.size());
    for (float[] f : in) {
      out.add(f.clone());
    }
    return Collections.unmodifiableList(out);
  }

  private static List<double[]> copyAllD(List<double[]> in) {
    List<double[]> out = new ArrayList<>(in.size());
    for (double[] f : in) {
      // Null entries are kept for the builder to reject with their index.
      out.add(f == null ? null : f.clone());
    }
    return out;
  }

  /** A builder with MMDetection's defaults ({@code scale_major=True}, {@code center_offset=0}). */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds from an MMDetection config dict (the {@code type} key is ignored here). */
  static AnchorGenerator fromConfig(Config c) {
    Builder b = builder();
    b.strides(AnchorConfigs.strides(c, "strides"));
    b.ratios(c.getDoubleArray("ratios"));
    if (!c.isNull("scales")) {
      b.scales(c.getDoubleArray("scales"));
    }
    if (!c.isNull("base_sizes")) {
      b.baseSizes(c.getDoubleArray("base_sizes"));
    }
    b.scaleMajor(c.getBoolean("scale_major", true));
    if (!c.isNull("octave_base_scale")) {
      b.octaveBaseScale(c.getDouble("octave_base_scale"));
    }
    if (!c.isNull("scales_per_octave")) {
      b.scalesPerOctave(c.getInt("scales_per_octave"));
    }
    if (!c.isNull("centers")) {
      b.centers(AnchorConfigs.pairs(c, "centers"));
    }
    b.centerOffset(c.getDouble("center_offset", 0.0));
    if (!c.isNull("scales") && (!c.isNull("octave_base_scale") || !c.isNull("scales_per_octave"))) {
      throw ConfigException.at(c.pathOf("scales"), AnchorParams.BOTH_SCALES);
    }
    return AnchorConfigs.build(c, b::build);
  }

  @Override
  public int numBasePriors(int level) {
    PriorChecks.level(numLevels(), level);
    return baseAnchors.get(level).length / 4;
  }

  /** MMDetection's {@code num_base_anchors}: {@link #numBasePriors()}. */
  public int[] numBaseAnchors() {
    return numBasePriors();
  }

  @Override
  public List<Stride> strides() {
    return strides;
  }

  @Override
  public int priorDim() {
    return 4;
  }

  /** The base size of every level. */
  public double[] baseSizes() {
    return baseSizes.clone();
  }

  /** The float32 anchor scales of {@code level}. */
  public float[] scales(int level) {
    PriorChecks.level(numLevels(), level);
    return scales.get(level).clone();
  }

  /** The float32 height/width ratios of {@code level}. */
  public float[] ratios(int level) {
    PriorChecks.level(numLevels(), level);
    return ratios.get(level).clone();
  }

  /** Whether scales vary fastest among a cell's anchors ({@code index = ratio * numScales + scale}). */
  public boolean scaleMajor() {
    return scaleMajor;
  }

  /** Base-anchor centre as a fraction of the base size, in [0, 1] (0: the cell's top-left corner). */
  public double centerOffset() {
    return centerOffset;
  }

  /** The explicit per-level base-anchor centres {@code (x, y)}, or null when {@code center_offset} places them. */
  public List<double[]> centers() {
    return centers == null ? null : copyAllD(centers);
  }

  /** {@code octave_base_scale}, or null when {@code scales} were given. */
  public Double octaveBaseScale() {
    return octaveBaseScale;
  }

  /** {@code scales_per_octave}, or null when {@code scales} were given. */
  public Integer scalesPerOctave() {
    return scalesPerOctave;
  }

  /** The base anchors of {@code level} as a float32 {@code [A, 4]} array. */
  public INDArray baseAnchors(int level) {
    float[] a = baseAnchorsFlat(level);
    return Tensors.create(a, DataType.FLOAT, a.length / 4, 4);
  }

  /** The base anchors of {@code level}, flat {@code 4*A} floats. */
  public float[] baseAnchorsFlat(int level) {
    PriorChecks.level(numLevels(), level);
    return baseAnchors.get(level).clone();
  }

  @Override
  public float[] gridPriorsFlat(int level, int height, int width) {
    PriorChecks.level(numLevels(), level);
    PriorChecks.size(height, width, "featmap_size");
    float[] base = baseAnchors.get(level);
    Stride s = strides.get(level);
    int n = PriorChecks.count(height, width, base.length / 4);
    PriorChecks.float32Grid(base, s, height, width);
    // The float32 values, held exactly by the kernel's doubles.
    return Tensors.narrow(AnchorShifts.grid(base, s, height, width, n, Precision.F32));
  }

  @Override
  public double[] gridPriorsFlatDouble(int level, int height, int width) {
    PriorChecks.level(numLevels(), level);
    PriorChecks.size(height, width, "featmap_size");
    float[] base = baseAnchors.get(level);
    return AnchorShifts.grid(base, strides.get(level), height, width,
        PriorChecks.count(height, width, base.length / 4), Precision.F64);
  }

  @Override
  public INDArray singleLevelGridPriors(int level, int height, int width, DataType dtype) {
    requireFloating(dtype);
    if (dtype == DataType.DOUBLE) {
      double[] d = gridPriorsFlatDouble(level, height, width);
      return Tensors.create(d, dtype, d.length / 4, 4);
    }
    float[] f = gridPriorsFlat(level, height, width);
    return Tensors.create(f, dtype, f.length / 4, 4);
  }

  /**
   * MMDetection's deprecated {@code grid_anchors}: the float32 {@link #gridPriors(List, DataType)}.
   *
   * @param featmapSizes one {@code (h, w)} per level
   */
  public List<INDArray> gridAnchors(List<int[]> featmapSizes) {
    return gridPriors(featmapSizes, DataType.FLOAT);
  }

  @Override
  public INDArray sparsePriors(int level, long[] priorIdxs, int[] featmapSize, DataType dtype) {
    PriorChecks.level(numLevels(), level);
    PriorChecks.sparseSize(featmapSize);
    Tensors.requireNonNull(priorIdxs, "prior_idxs");
    requireFloating(dtype);
    double[] out = AnchorShifts.sparse(baseAnchors.get(level), strides.get(level), priorIdxs, featmapSize,
        Precision.of(dtype));
    return Tensors.create(out, dtype, priorIdxs.length, 4);
  }

  static void requireFloating(DataType dtype) {
    Tensors.requireNonNull(dtype, "dtype");
    if (!dtype.isFPType()) {
      throw new IllegalArgumentException("dtype must be a floating-point type; got " + dtype);
    }
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(getClass().getSimpleName()).append("(strides=").append(strides);
    sb.append(", base_sizes=[");
    for (int i = 0; i < baseSizes.length; i++) {
      sb.append(i == 0 ? "" : ", ").append(Stride.num(baseSizes[i]));
    }
    sb.append("], ratios=").append(Arrays.toString(ratios.get(0)));
    sb.append(", scales=").append(Arrays.toString(scales.get(0)));
    sb.append(", scale_major=").append(scaleMajor ? "True" : "False");
    sb.append(", center_offset=").append(centerOffset);
    return sb.append(", num_base_anchors=").append(Arrays.toString(numBaseAnchors())).append(')').toString();
  }

  /**
   * Collects {@link AnchorGenerator} parameters; {@link #build()} validates them all and throws
   * {@link IllegalArgumentException} naming the MMDetection parameter that is wrong.
   */
  public static final class Builder extends AnchorBuilder<Builder> {
    private double[] ratios;
    private double[] scales;
    private double[] baseSizes;
    private Double octaveBaseScale;
    private Integer scalesPerOctave;
    private List<double[]> centers;
    private double centerOffset;

    private Builder() {}

    @Override
    Builder self() {
      return this;
    }

    /** Height/width ratios of the anchors at a cell (required). */
    public Builder ratios(double... ratios) {
      this.ratios = Tensors.requireNonNull(ratios, "ratios").clone();
      return this;
    }

    /** Anchor scales; excludes {@link #octaveBaseScale} and {@link #scalesPerOctave}. */
    public Builder scales(double... scales) {
      this.scales = Tensors.requireNonNull(scales, "scales").clone();
      return this;
    }

    /** Base size per level; defaults to each level's shorter stride. */
    public Builder baseSizes(double... baseSizes) {
      this.baseSizes = Tensors.requireNonNull(baseSizes, "base_sizes").clone();
      return this;
    }


    /**
     * Base scale of the octave scales {@code octave_base_scale * 2^(i / scales_per_octave)}; set with
     * {@link #scalesPerOctave}, excludes {@link #scales}. Finite and &gt; 0, checked by {@link #build()}.
     */
    public Builder octaveBaseScale(double octaveBaseScale) {
      this.octaveBaseScale = octaveBaseScale;
      return this;
    }

    /**
     * Number of octave scales ({@code scales_per_octave}), &gt;= 1, checked by {@link #build()}; set
     * with {@link #octaveBaseScale}.
     */
    public Builder scalesPerOctave(int scalesPerOctave) {
      this.scalesPerOctave = scalesPerOctave;
      return this;
    }

    /** Explicit base-anchor centres {@code (x, y)}, one per level; needs {@code center_offset == 0}. */
    public Builder centers(List<double[]> centers) {
      this.centers = copyAllD(Tensors.requireNonNull(centers, "centers"));
      return this;
    }

    /** Base-anchor centre as a fraction of the base size, in [0, 1] (default 0). */
    public Builder centerOffset(double centerOffset) {
      this.centerOffset = centerOffset;
      return this;
    }

    /**
     * @throws IllegalArgumentException if a parameter is missing, out of range, or conflicts with
     *     another (both {@code scales} and the octave parameters, {@code centers} with a non-zero
     *     {@code center_offset}, per-level lists whose length is not the number of strides)
     */
    public AnchorGenerator build() {
      int levels = PriorChecks.strides(strides);
      float[] r = PriorChecks.positiveFloat32("ratios", ratios);
      AnchorParams.checkCenters(centers, centerOffset, levels);
      float[] sc = AnchorParams.scales(scales, octaveBaseScale, scalesPerOctave);
      double[] sizes = AnchorParams.baseSizes(baseSizes, strides);
      Limits.product("ratios x scales (base anchors per cell)", Limits.MAX_BASE_PRIORS, "Limits.MAX_BASE_PRIORS",
          r.length, sc.length);
      List<float[]> perLevelScales = Collections.nCopies(levels, sc);
      List<float[]> perLevelRatios = Collections.nCopies(levels, r);
      return new AnchorGenerator(strides, sizes, perLevelScales, perLevelRatios, scaleMajor, centerOffset, centers,
          scales == null ? octaveBaseScale : null, scales == null ? scalesPerOctave : null, false);
    }
  }
}
