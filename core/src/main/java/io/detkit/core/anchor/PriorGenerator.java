package io.detkit.core.anchor;

import io.detkit.core.tensor.Tensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Places priors (anchor boxes or points) on the cells of multi-level feature maps, the Java
 * counterpart of MMDetection's {@code PRIOR_GENERATORS} components.
 *
 * <p>Level {@code l} with a feature map of {@code (h, w)} cells has {@code h * w *
 * numBasePriors(l)} priors, listed location-major (see the package comment). Each prior is a row
 * of {@link #priorDim()} values: {@code (x1, y1, x2, y2)} for anchors, {@code (x, y)} for points.
 *
 * <p>Feature-map sizes are {@code (h, w)} pairs, one per level; a size may be empty ({@code 0}
 * rows or columns), which yields no priors. Implementations are immutable and thread-safe.
 *
 * <p>All methods throw {@link IllegalArgumentException} when a level index is out of range, the
 * number of feature-map sizes differs from {@link #numLevels()}, or a size is negative.
 */
public interface PriorGenerator {
  /** The number of feature levels: one per stride. */
  default int numLevels() {
    return strides().size();
  }

  /** The number of priors at each cell of {@code level}. */
  int numBasePriors(int level);

  /** {@link #numBasePriors(int)} of every level. */
  default int[] numBasePriors() {
    int[] out = new int[numLevels()];
    for (int l = 0; l < out.length; l++) {
      out[l] = numBasePriors(l);
    }
    return out;
  }

  /** The stride of every level, {@code (w, h)}. */
  List<Stride> strides();

  /** Values per prior row: 4 for anchor boxes, 2 for points. */
  int priorDim();

  /**
   * The priors of one level as a {@code [h*w*numBasePriors(level), priorDim()]} array of
   * {@code dtype} (a floating-point type).
   */
  INDArray singleLevelGridPriors(int level, int height, int width, DataType dtype);

  /** The priors of one level as float32 rows packed in a flat array, for heads' inner loops. */
  float[] gridPriorsFlat(int level, int height, int width);

  /** Like {@link #gridPriorsFlat} with the values MMDetection produces for {@code float64} priors. */
  double[] gridPriorsFlatDouble(int level, int height, int width);

  /**
   * The priors of every level: one {@code [h*w*A, priorDim()]} array per level, in {@code dtype}.
   *
   * @param featmapSizes one {@code (h, w)} per level
   */
  default List<INDArray> gridPriors(List<int[]> featmapSizes, DataType dtype) {
    PriorChecks.sizes(numLevels(), featmapSizes);
    List<INDArray> out = new ArrayList<>(featmapSizes.size());
    for (int l = 0; l < featmapSizes.size(); l++) {
      int[] s = featmapSizes.get(l);
      out.add(singleLevelGridPriors(l, s[0], s[1], dtype));
    }
    return out;
  }

  /**
   * The priors with indices {@code priorIdxs} of one level, each equal to the row of the same index
   * of {@link #singleLevelGridPriors}; as in MMDetection, indices past the end wrap around the
   * feature map.
   *
   * @param featmapSize {@code (h, w)} of the level, both &gt; 0
   * @return {@code [priorIdxs.length, priorDim()]} of {@code dtype}
   */
  INDArray sparsePriors(int level, long[] priorIdxs, int[] featmapSize, DataType dtype);

  /** {@link #sparsePriors(int, long[], int[], DataType)} with indices from an integer array. */
  default INDArray sparsePriors(int level, INDArray priorIdxs, int[] featmapSize, DataType dtype) {
    Tensors.requireNonNull(priorIdxs, "prior_idxs");
    if (priorIdxs.dataType().isFPType() || priorIdxs.rank() > 1) {
      throw new IllegalArgumentException("prior_idxs must be a 1-d integer array; got " + priorIdxs.dataType()
          + " " + Tensors.shapeOf(priorIdxs));
    }
    long[] idx = priorIdxs.isEmpty() || priorIdxs.length() == 0 ? new long[0]
        : priorIdxs.castTo(DataType.INT64).reshape(priorIdxs.length()).toLongVector();
    return sparsePriors(level, idx, featmapSize, dtype);
  }

  /**
   * Which priors of one level lie on the padded image: cell {@code (y, x)} is valid when {@code y <
   * min(ceil(pad_h / stride_h), h)} and {@code x < min(ceil(pad_w / stride_w), w)}; the flag repeats
   * for the {@link #numBasePriors(int)} priors of the cell.
   *
   * @param padShape {@code (h, w)} or {@code (h, w, c)} of the padded image
   */
  default boolean[] singleLevelValidFlags(int level, int height, int width, int[] padShape) {
    PriorChecks.level(numLevels(), level);
    PriorChecks.size(height, width, "featmap_size of level " + level);
    Tensors.requireNonNull(padShape, "pad_shape");
    if (padShape.length < 2 || padShape[0] < 0 || padShape[1] < 0) {
      throw new IllegalArgumentException(
          "pad_shape must be (h, w) or (h, w, c) with h, w >= 0; got " + Arrays.toString(padShape));
    }
    Stride s = strides().get(level);
    int validH = (int) Math.min(Math.ceil(padShape[0] / s.h()), height);
    int validW = (int) Math.min(Math.ceil(padShape[1] / s.w()), width);
    int a = numBasePriors(level);
    boolean[] flags = new boolean[PriorChecks.count(height, width, a)];
    for (int y = 0; y < validH; y++) {
      int row = y * width * a;
      Arrays.fill(flags, row, row + validW * a, true);
    }
    return flags;
  }

  /** {@link #singleLevelValidFlags} of every level. */
  default List<boolean[]> validFlags(List<int[]> featmapSizes, int[] padShape) {
    PriorChecks.sizes(numLevels(), featmapSizes);
    List<boolean[]> out = new ArrayList<>(featmapSizes.size());
    for (int l = 0; l < featmapSizes.size(); l++) {
      int[] s = featmapSizes.get(l);
      out.add(singleLevelValidFlags(l, s[0], s[1], padShape));
    }
    return out;
  }

  /** {@link #validFlags(List, int[])} as {@code BOOL} arrays of shape {@code [h*w*A]}. */
  default List<INDArray> validFlagArrays(List<int[]> featmapSizes, int[] padShape) {
    List<INDArray> out = new ArrayList<>();
    for (boolean[] f : validFlags(featmapSizes, padShape)) {
      out.add(f.length == 0 ? Nd4j.create(DataType.BOOL, 0) : Nd4j.createFromArray(f));
    }
    return out;
  }
}
