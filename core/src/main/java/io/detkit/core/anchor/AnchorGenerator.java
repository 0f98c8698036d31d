package io.detkit.core.anchor;

import io.detkit.core.check.Limits;
import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.core.precision.Precision;
import io.detkit.core.tensor.Tensors;
import io.soabase.recordbuilder.core.RecordBuilder;
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
 * <p>Build from {@link Params} ({@code new AnchorGenerator(Params.of(Stride.squares(8, 16), new double[] {0.5,
 * 1, 2}, new double[] {8}).withCenterOffset(0.5))}) or from a config through
 * {@link io.detkit.core.CoreRegistries#PRIOR_GENERATORS} ({@code type='AnchorGenerator'}, keys {@code strides, ratios, scales, base_sizes, scale_major,
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
   * The generator's parameters (MMDetection's keys in camelCase), checked here once for
   * {@link #fromConfig}, the factories and every wither (generated: {@code withBaseSizes},
   * {@code withCenterOffset}, ...; {@code with(b -> ...)} changes several at once). Scales come from
   * {@code scales} or, when it is null, from {@code octaveBaseScale * 2^(i / scalesPerOctave)}.
   * Arrays are copied in; treat the ones the accessors return as read-only.
   *
   * @param strides per level, at least one
   * @param ratios height/width ratios of a cell's anchors, positive float32 values
   * @param scales anchor scales, or null for the octave scales
   * @param baseSizes one base size per level, or null for each level's shorter stride
   * @param scaleMajor whether scales vary fastest among a cell's anchors (MMDetection's default true)
   * @param octaveBaseScale with {@code scalesPerOctave} when {@code scales} is null, else null
   * @param scalesPerOctave with {@code octaveBaseScale} when {@code scales} is null, else null
   * @param centers explicit base-anchor centres {@code (x, y)}, one per level, or null; needs
   *     {@code centerOffset == 0}
   * @param centerOffset base-anchor centre as a fraction of the base size, in [0, 1] (default 0)
   * @throws IllegalArgumentException naming the MMDetection parameter that is missing, out of range
   *     or in conflict with another (both {@code scales} and the octave parameters, {@code centers}
   *     with a non-zero {@code center_offset}, per-level lists whose length is not the number of strides)
   */
  @RecordBuilder
  public record Params(List<Stride> strides, double[] ratios, double[] scales, double[] baseSizes,
      boolean scaleMajor, Double octaveBaseScale, Integer scalesPerOctave, List<double[]> centers,
      double centerOffset) implements AnchorGeneratorParamsBuilder.With {
    public Params {
      int levels = PriorChecks.strides(strides);
      float[] r = PriorChecks.positiveFloat32("ratios", ratios);
      AnchorParams.checkCenters(centers, centerOffset, levels);
      float[] sc = AnchorParams.scales(scales, octaveBaseScale, scalesPerOctave);
      AnchorParams.baseSizes(baseSizes, strides);
      Limits.product("ratios x scales (base anchors per cell)", Limits.MAX_BASE_PRIORS, "Limits.MAX_BASE_PRIORS",
          r.length, sc.length);
      strides = List.copyOf(strides);
      ratios = ratios.clone();
      scales = scales == null ? null : scales.clone();
      baseSizes = baseSizes == null ? null : baseSizes.clone();
      centers = centers == null ? null : Collections.unmodifiableList(copyAllD(centers));
    }

    /**
     * Anchors of {@code scales} and {@code ratios} at every level, MMDetection's defaults otherwise
     * ({@code scale_major=True}, {@code center_offset=0}, base sizes from the strides).
     */
    public static Params of(List<Stride> strides, double[] ratios, double[] scales) {
      return new Params(strides, ratios, scales, null, true, null, null, null, 0);
    }

    /** {@link #of} with the octave scales {@code octaveBaseScale * 2^(i / scalesPerOctave)}. */
    public static Params octave(List<Stride> strides, double[] ratios, double octaveBaseScale, int scalesPerOctave) {
      return new Params(strides, ratios, null, null, true, octaveBaseScale, scalesPerOctave, null, 0);
    }
  }

  /** The generator of {@code p} (checked by {@link Params}). */
  public AnchorGenerator(Params p) {
    this(p.strides(), AnchorParams.baseSizes(p.baseSizes(), p.strides()),
        Collections.nCopies(p.strides().size(), AnchorParams.scales(p.scales(), p.octaveBaseScale(),
            p.scalesPerOctave())),
        Collections.nCopies(p.strides().size(), PriorChecks.positiveFloat32("ratios", p.ratios())), p.scaleMajor(),
        p.centerOffset(), p.centers(), p.scales() == null ? p.octaveBaseScale() : null,
        p.scales() == null ? p.scalesPerOctave() : null, false);
  }

  /**
   * The shared constructor; arguments are validated by {@link Params} and SSD's builder.
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

  /** A copy of each array of {@code in} (for SSD's per-level ratios too). */
  static List<double[]> copyAllD(List<double[]> in) {
    List<double[]> out = new ArrayList<>(in.size());
    for (double[] f : in) {
      // Null entries are kept for the parameter checks to reject with their index.
      out.add(f == null ? null : f.clone());
    }
    return out;
  }

  /**
   * Builds from an MMDetection config dict, as {@link io.detkit.core.CoreRegistries#PRIOR_GENERATORS} does for
   * type {@code AnchorGenerator} (the {@code type} key is not checked here).
   *
   * @throws io.detkit.core.config.ConfigException naming the key for a missing, unknown-typed or
   *     invalid parameter
   */
  public static AnchorGenerator fromConfig(Config c) {
    List<Stride> strides = AnchorConfigs.strides(c, "strides");
    double[] ratios = c.getDoubleArray("ratios");
    double[] scales = c.isNull("scales") ? null : c.getDoubleArray("scales");
    double[] baseSizes = c.isNull("base_sizes") ? null : c.getDoubleArray("base_sizes");
    boolean scaleMajor = c.getBoolean("scale_major", true);
    Double octaveBaseScale = c.isNull("octave_base_scale") ? null : c.getDouble("octave_base_scale");
    Integer scalesPerOctave = c.isNull("scales_per_octave") ? null : c.getInt("scales_per_octave");
    List<double[]> centers = c.isNull("centers") ? null : AnchorConfigs.pairs(c, "centers");
    double centerOffset = c.getDouble("center_offset", 0.0);
    if (scales != null && (octaveBaseScale != null || scalesPerOctave != null)) {
      throw ConfigException.at(c.pathOf("scales"), AnchorParams.BOTH_SCALES);
    }
    return ConfigException.reraisedAt(c, () -> new AnchorGenerator(new Params(strides, ratios, scales, baseSizes,
        scaleMajor, octaveBaseScale, scalesPerOctave, centers, centerOffset)));
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
}
