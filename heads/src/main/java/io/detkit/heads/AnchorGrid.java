package io.detkit.heads;

import com.google.common.primitives.ImmutableIntArray;
import io.detkit.core.tensor.Tensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The anchors of a head and their validity (MMDetection's {@code get_anchors}): the anchor
 * generator's grid of every level, shared by the batch's images, and per image the valid flags
 * (an anchor is valid when its feature-map cell lies on the padded image).
 *
 * <p>Get the head's through {@link AnchorHead#getAnchors}. Keeps the anchors of its last call
 * (immutable, so they are handed out again to a call with the same sizes, dtype and pad shapes: a
 * trainer's steady state computes them once); thread-safe.
 */
public final class AnchorGrid {
  private final AnchorHead head;
  private volatile Last last;

  /** The last call's key and its anchors. */
  private record Last(boolean f64, List<int[]> featmapSizes, List<ImmutableIntArray> padShapes, MultiLevelAnchors anchors) {
    boolean matches(boolean f64, List<int[]> sizes, List<ImageMeta> metas) {
      if (this.f64 != f64 || sizes.size() != featmapSizes.size() || metas.size() != padShapes.size()) {
        return false;
      }
      for (int l = 0; l < sizes.size(); l++) {
        if (!Arrays.equals(sizes.get(l), featmapSizes.get(l))) {
          return false;
        }
      }
      for (int i = 0; i < metas.size(); i++) {
        if (!metas.get(i).padShape().equals(padShapes.get(i))) {
          return false;
        }
      }
      return true;
    }
  }

  AnchorGrid(AnchorHead head) {
    this.head = head;
  }

  /**
   * The anchors of every level and each image's valid flags.
   *
   * @param featmapSizes (h, w) per level, h, w &gt;= 0
   * @param metas one per image ({@code pad_shape} decides validity); may be empty for anchors alone
   * @param dtype the floating-point type of the anchors: DOUBLE gives float64 anchors, any other
   *     floating type float32 ones
   * @throws IllegalArgumentException if an argument or element is null, {@code dtype} is not
   *     floating point, the level count differs from the generator's, or a size is negative
   */
  public MultiLevelAnchors getAnchors(List<int[]> featmapSizes, List<ImageMeta> metas, DataType dtype) {
    Tensors.requireNonNull(featmapSizes, "featmap_sizes");
    OutputChecks.checkMetas(metas);
    if (!Tensors.isFloating(Tensors.requireNonNull(dtype, "dtype"))) {
      throw new IllegalArgumentException("dtype must be a floating-point type; got " + dtype);
    }
    if (featmapSizes.size() != head.numLevels()) {
      throw new IllegalArgumentException(head.type() + ": featmap_sizes must hold one (h, w) per level ("
          + head.numLevels() + "); got " + featmapSizes.size());
    }
    for (int l = 0; l < featmapSizes.size(); l++) {
      int[] s = featmapSizes.get(l);
      if (s == null || s.length != 2) {
        throw new IllegalArgumentException("featmap_sizes[" + l + "] must be (h, w); got "
            + (s == null ? "null" : Arrays.toString(s)));
      }
    }
    boolean f64 = dtype == DataType.DOUBLE;
    Last seen = last;
    if (seen != null && seen.matches(f64, featmapSizes, metas)) {
      return seen.anchors();
    }
    List<double[]> levelAnchors = new ArrayList<>();
    for (int l = 0; l < featmapSizes.size(); l++) {
      int[] s = featmapSizes.get(l);
      if (dtype == DataType.DOUBLE) {
        levelAnchors.add(head.anchorGenerator().gridPriorsFlatDouble(l, s[0], s[1]));
      } else {
        levelAnchors.add(Tensors.widen(head.anchorGenerator().gridPriorsFlat(l, s[0], s[1])));
      }
    }
    List<List<boolean[]>> flags = new ArrayList<>();
    for (ImageMeta m : metas) {
      flags.add(head.anchorGenerator().validFlags(featmapSizes, m.padShape().toArray()));
    }
    MultiLevelAnchors anchors = MultiLevelAnchors.of(f64 ? DataType.DOUBLE : DataType.FLOAT, featmapSizes,
        levelAnchors, flags);
    List<int[]> sizes = new ArrayList<>();
    featmapSizes.forEach(s -> sizes.add(s.clone()));
    List<ImmutableIntArray> pads = new ArrayList<>();
    metas.forEach(m -> pads.add(m.padShape()));
    last = new Last(f64, List.copyOf(sizes), List.copyOf(pads), anchors);
    return anchors;
  }
}
