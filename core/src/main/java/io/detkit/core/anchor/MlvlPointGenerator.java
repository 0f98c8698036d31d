package io.detkit.core.anchor;

import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.core.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * MMDetection 2.x's {@code MlvlPointGenerator}: one point per cell, at {@code ((x + offset) *
 * stride_w, (y + offset) * stride_h)} (the cell centre with the default {@code offset=0.5}).
 *
 * <p>Rows are {@code (x, y)}, or {@code (x, y, stride_w, stride_h)} when asked {@code
 * withStride}. As in MMDetection the coordinates are computed in float32 and then converted to the
 * requested dtype. Valid flags are {@link PriorGenerator}'s with one prior per cell.
 *
 * <p>Config keys ({@code type='MlvlPointGenerator'}): {@code strides}, {@code offset} (default
 * 0.5). Immutable and thread-safe.
 */
public final class MlvlPointGenerator implements PriorGenerator {
  private final List<Stride> strides;
  private final double offset;

  /**
   * @param strides one stride per level
   * @param offset the point's position inside its cell, as a fraction of the stride (finite)
   * @throws IllegalArgumentException if {@code strides} is empty or {@code offset} is not finite
   */
  public MlvlPointGenerator(List<Stride> strides, double offset) {
    PriorChecks.strides(strides);
    if (!Double.isFinite(offset)) {
      throw new IllegalArgumentException("offset must be finite; got " + offset);
    }
    this.strides = List.copyOf(strides);
    this.offset = offset;
  }

  /** Square strides with MMDetection's default {@code offset=0.5}. */
  public static MlvlPointGenerator of(double... strides) {
    return new MlvlPointGenerator(Stride.squares(strides), 0.5);
  }

  /**
   * Builds from an MMDetection config dict, as {@link io.detkit.core.CoreRegistries#PRIOR_GENERATORS} does for
   * type {@code MlvlPointGenerator} (the {@code type} key is not checked here).
   *
   * @throws io.detkit.core.config.ConfigException naming the key for a missing, unknown-typed or
   *     invalid parameter
   */
  public static MlvlPointGenerator fromConfig(Config c) {
    List<Stride> strides = AnchorConfigs.strides(c, "strides");
    double offset = c.getDouble("offset", 0.5);
    return ConfigException.reraisedAt(c, () -> new MlvlPointGenerator(strides, offset));
  }

  @Override
  public int numBasePriors(int level) {
    PriorChecks.level(numLevels(), level);
    return 1;
  }

  @Override
  public List<Stride> strides() {
    return strides;
  }

  /** The point's position inside its cell as a fraction of the stride (MMDetection's default 0.5). */
  public double offset() {
    return offset;
  }

  /** 2: rows are {@code (x, y)} unless asked {@code withStride}. */
  @Override
  public int priorDim() {
    return 2;
  }

  @Override
  public float[] gridPriorsFlat(int level, int height, int width) {
    return gridPriorsFlat(level, height, width, false);
  }

  /** The points of one level, flat; {@code 4} values per point when {@code withStride}, else 2. */
  public float[] gridPriorsFlat(int level, int height, int width, boolean withStride) {
    PriorChecks.level(numLevels(), level);
    PriorChecks.size(height, width, "featmap_size");
    Stride s = strides.get(level);
    int dim = withStride ? 4 : 2;
    float[] out = new float[dim * PriorChecks.count(height, width, 1)];
    int o = 0;
    for (int y = 0; y < height; y++) {
      float py = coordinate(y, s.h());
      for (int x = 0; x < width; x++) {
        out[o++] = coordinate(x, s.w());
        out[o++] = py;
        if (withStride) {
          out[o++] = (float) s.w();
          out[o++] = (float) s.h();
        }
      }
    }
    return out;
  }

  /** MMDetection's {@code (arange + offset) * stride}, which torch evaluates in float32. */
  private float coordinate(long index, double stride) {
    return ((float) index + (float) offset) * (float) stride;
  }

  @Override
  public double[] gridPriorsFlatDouble(int level, int height, int width) {
    return Tensors.widen(gridPriorsFlat(level, height, width, false));
  }

  @Override
  public INDArray singleLevelGridPriors(int level, int height, int width, DataType dtype) {
    return singleLevelGridPriors(level, height, width, dtype, false);
  }

  /** The points of one level as {@code [h*w, withStride ? 4 : 2]} of {@code dtype}. */
  public INDArray singleLevelGridPriors(int level, int height, int width, DataType dtype, boolean withStride) {
    AnchorGenerator.requireFloating(dtype);
    float[] f = gridPriorsFlat(level, height, width, withStride);
    int dim = withStride ? 4 : 2;
    return Tensors.create(f, dtype, f.length / dim, dim);
  }

  /** The points of every level, with the stride columns when {@code withStride}. */
  public List<INDArray> gridPriors(List<int[]> featmapSizes, DataType dtype, boolean withStride) {
    PriorChecks.sizes(numLevels(), featmapSizes);
    List<INDArray> out = new ArrayList<>();
    for (int l = 0; l < featmapSizes.size(); l++) {
      int[] s = featmapSizes.get(l);
      out.add(singleLevelGridPriors(l, s[0], s[1], dtype, withStride));
    }
    return out;
  }

  @Override
  public INDArray sparsePriors(int level, long[] priorIdxs, int[] featmapSize, DataType dtype) {
    PriorChecks.level(numLevels(), level);
    PriorChecks.sparseSize(featmapSize);
    Tensors.requireNonNull(priorIdxs, "prior_idxs");
    AnchorGenerator.requireFloating(dtype);
    Stride s = strides.get(level);
    int height = featmapSize[0];
    int width = featmapSize[1];
    float[] out = new float[2 * priorIdxs.length];
    for (int i = 0; i < priorIdxs.length; i++) {
      long x = Math.floorMod(priorIdxs[i], (long) width);
      long y = Math.floorMod(Math.floorDiv(priorIdxs[i], (long) width), (long) height);
      out[2 * i] = coordinate(x, s.w());
      out[2 * i + 1] = coordinate(y, s.h());
    }
    return Tensors.create(out, dtype, priorIdxs.length, 2);
  }

  @Override
  public String toString() {
    return "MlvlPointGenerator(strides=" + strides + ", offset=" + offset + ")";
  }
}
