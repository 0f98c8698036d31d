package io.detkit.heads.anchorfree;

import io.detkit.core.tensor.Tensors;
import io.detkit.heads.HeadOutputs;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A checked batch of anchor-free head outputs: the number of images, the {@code (H, W)} of every
 * level and the outputs' dtype.
 *
 * @param numImages images in the batch
 * @param featmapSizes {@code (H, W)} per level
 * @param dataType FLOAT or DOUBLE
 */
public record PointBatch(int numImages, List<int[]> featmapSizes, DataType dataType) {
  /** Points of {@code level}: {@code H * W}. */
  public int pointsOf(int level) {
    return featmapSizes.get(level)[0] * featmapSizes.get(level)[1];
  }

  /** See {@link AnchorFreeHead#checkOutputs}. */
  static PointBatch check(AnchorFreeHead head, HeadOutputs outputs, int numImages) {
    Tensors.requireNonNull(outputs, "outputs");
    List<int[]> sizes = new ArrayList<>();
    DataType dtype = null;
    int n = numImages;
    for (String name : head.outputNames()) {
      if (!outputs.has(name)) {
        throw new IllegalArgumentException(head.type() + " needs the output '" + name + "'; got " + outputs.names());
      }
      List<INDArray> levels = outputs.get(name);
      if (levels.size() != head.numLevels()) {
        throw new IllegalArgumentException(name + " must hold " + head.numLevels() + " levels (one per stride); got "
            + levels.size());
      }
      for (int l = 0; l < levels.size(); l++) {
        INDArray a = levels.get(l);
        String what = name + "[" + l + "]";
        Tensors.requireFloating(a, what);
        if (a.dataType() != DataType.FLOAT && a.dataType() != DataType.DOUBLE) {
          throw new IllegalArgumentException(what + " must be FLOAT or DOUBLE; got " + a.dataType());
        }
        dtype = dtype == null ? a.dataType() : dtype;
        if (a.dataType() != dtype) {
          throw new IllegalArgumentException("all head outputs must share one dtype; " + what + " is "
              + a.dataType() + ", others " + dtype);
        }
        if (a.rank() != 4 || a.size(1) != head.outputChannels(name, l) || (n >= 0 && a.size(0) != n)) {
          throw new IllegalArgumentException(what + " must be [" + (n >= 0 ? n : "N") + "," + head.outputChannels(name, l)
              + ",H,W]; got " + Tensors.shapeOf(a));
        }
        n = (int) a.size(0);
        if (sizes.size() <= l) {
          sizes.add(new int[] {(int) a.size(2), (int) a.size(3)});
        } else if (sizes.get(l)[0] != a.size(2) || sizes.get(l)[1] != a.size(3)) {
          throw new IllegalArgumentException(what + " has map size " + a.size(2) + "x" + a.size(3) + " but "
              + head.outputNames().get(0) + "[" + l + "] has " + sizes.get(l)[0] + "x" + sizes.get(l)[1]);
        }
      }
    }
    return new PointBatch(n, sizes, dtype);
  }
}
