package io.detkit.heads;

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
 * <p>Get the head's through {@link AnchorHead#getAnchors}. Stateless apart from its head;
 * thread-safe.
 */
public final class AnchorGrid {
  private final AnchorHead head;

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
    List<double[]> levelAnchors = new ArrayList<>();
    for (int l = 0; l < featmapSizes.size(); l++) {
      int[] s = featmapSizes.get(l);
      if (s == null || s.length != 2) {
        throw new IllegalArgumentException("featmap_sizes[" + l + "] must be (h, w); got "
            + (s == null ? "null" : Arrays.toString(s)));
      }
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
    return MultiLevelAnchors.of(dtype == DataType.DOUBLE ? DataType.DOUBLE : DataType.FLOAT, featmapSizes,
        levelAnchors, flags);
  }
}
