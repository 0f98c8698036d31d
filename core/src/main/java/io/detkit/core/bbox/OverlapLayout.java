package io.detkit.core.bbox;

import io.detkit.core.check.Limits;
import io.detkit.core.tensor.Tensors;
import java.lang.ref.Reference;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The validated geometry of a call: batch count, rows, cols, dtype, result shape. */
final class OverlapLayout {
  final long[] batchShape;
  final int batch;
  final int rows;
  final int cols;
  final boolean aligned;
  final DataType type;

  private OverlapLayout(long[] batchShape, int batch, int rows, int cols, boolean aligned, DataType type) {
    this.batchShape = batchShape;
    this.batch = batch;
    this.rows = rows;
    this.cols = cols;
    this.aligned = aligned;
    this.type = type;
  }

  static OverlapLayout check(INDArray bboxes1, String name1, INDArray bboxes2, String name2, OverlapMode mode,
      boolean aligned, double eps) {
    requireBoxes(bboxes1, name1);
    requireBoxes(bboxes2, name2);
    if (mode == null) {
      throw new IllegalArgumentException("mode must be one of 'iou', 'iof', 'giou'; got null");
    }
    if (!Double.isFinite(eps) || eps < 0) {
      throw new IllegalArgumentException("eps must be finite and >= 0; got " + eps);
    }
    DataType type = bboxes1.dataType();
    // Float32 boxes compute with a float32 eps: 1e308 would become infinity there.
    if (type == DataType.FLOAT && !Float.isFinite((float) eps)) {
      throw new IllegalArgumentException("eps must be finite in float32 for FLOAT boxes (at most "
          + Float.MAX_VALUE + "); got " + eps);
    }
    if (bboxes2.dataType() != type) {
      throw new IllegalArgumentException(name2 + " must have the dtype of " + name1 + " (" + type + "); got "
          + bboxes2.dataType());
    }
    long[] s1 = bboxes1.shape();
    long[] s2 = bboxes2.shape();
    long[] batch1 = Arrays.copyOf(s1, s1.length - 2);
    long[] batch2 = Arrays.copyOf(s2, s2.length - 2);
    if (!Arrays.equals(batch1, batch2)) {
      throw new IllegalArgumentException(name2 + " must have the batch dims of " + name1 + " "
          + Arrays.toString(batch1).replace(" ", "") + "; got " + Arrays.toString(batch2).replace(" ", "")
          + " (" + name1 + " " + Tensors.shapeOf(bboxes1) + ", " + name2 + " " + Tensors.shapeOf(bboxes2) + ")");
    }
    long rows = s1[s1.length - 2];
    long cols = s2[s2.length - 2];
    if (aligned && rows != cols) {
      throw new IllegalArgumentException("is_aligned needs as many boxes in " + name2 + " as in " + name1
          + " (" + rows + "); got " + cols + " (" + name1 + " " + Tensors.shapeOf(bboxes1) + ", " + name2 + " "
          + Tensors.shapeOf(bboxes2) + ")");
    }
    // Sized before anything is allocated: the coordinates as Java arrays, the result as one
    // buffer written through an NIO view, whose limit counts bytes, not elements.
    String what = "bbox_overlaps of " + name1 + " " + Tensors.shapeOf(bboxes1) + " and " + name2 + " "
        + Tensors.shapeOf(bboxes2);
    int batch = Limits.arrayLength(what + ": batch", batch1);
    Limits.arrayLength(what + ": " + name1 + " coordinates", batch, rows, 4);
    Limits.arrayLength(what + ": " + name2 + " coordinates", batch, cols, 4);
    int pairs = Limits.arrayLength(what + ": result", batch, rows, aligned ? 1 : cols);
    Limits.requireBufferBytes(what + ": result", pairs, type == DataType.DOUBLE ? Double.BYTES : Float.BYTES,
        type.name());
    return new OverlapLayout(batch1, batch, (int) rows, (int) cols, aligned, type);
  }

  private static void requireBoxes(INDArray boxes, String name) {
    Tensors.requireNonNull(boxes, name);
    long[] s = boxes.shape();
    // MMDetection lets an array whose first dim is 0 through whatever its last dim is.
    if (s.length < 2 || (s[s.length - 1] != 4 && s[0] != 0)) {
      throw new IllegalArgumentException(name + " must be [..., N, 4] (x1, y1, x2, y2); got " + Tensors.shapeOf(boxes));
    }
    Tensors.requireFloating(boxes, name);
    if (boxes.dataType() != DataType.FLOAT && boxes.dataType() != DataType.DOUBLE) {
      throw new IllegalArgumentException(name + " must be FLOAT or DOUBLE; got " + boxes.dataType());
    }
  }

  long[] outShape() {
    long[] out = Arrays.copyOf(batchShape, batchShape.length + (aligned ? 1 : 2));
    out[batchShape.length] = rows;
    if (!aligned) {
      out[batchShape.length + 1] = cols;
    }
    return out;
  }

  boolean isEmpty() {
    return (long) batch * rows * (aligned ? 1 : cols) == 0;
  }

  int rowsPerChunk(int chunkElements) {
    return Math.max(1, Math.min(rows, chunkElements / Math.max(cols, 1)));
  }

  /** The overlaps of batch item {@code k}'s boxes, prepared for its row chunks. */
  interface BatchRows {
    OverlapRows of(int k);
  }

  /** A check of a computed chunk before it is stored ({@code base}: the chunk's flat index in the result). */
  interface ChunkCheck {
    void check(double[] chunk, int len, long base);
  }

  /** The first boxes of batch item {@code k}: the array itself for a single item (no copy). */
  double[] rowsOf(double[] a, int k) {
    return batch == 1 ? a : Arrays.copyOfRange(a, 4 * k * rows, 4 * (k + 1) * rows);
  }

  /** The second boxes of batch item {@code k}. */
  double[] colsOf(double[] b, int k) {
    return batch == 1 ? b : Arrays.copyOfRange(b, 4 * k * cols, 4 * (k + 1) * cols);
  }

  /** {@link #rowsOf(double[], int)} of float boxes. */
  float[] rowsOf(float[] a, int k) {
    return batch == 1 ? a : Arrays.copyOfRange(a, 4 * k * rows, 4 * (k + 1) * rows);
  }

  /** {@link #colsOf(double[], int)} of float boxes. */
  float[] colsOf(float[] b, int k) {
    return batch == 1 ? b : Arrays.copyOfRange(b, 4 * k * cols, 4 * (k + 1) * cols);
  }

  /**
   * The non-aligned result {@code [..., N, M]} of type {@code outType}, filled in row chunks of about
   * {@code chunkElements} pairs, so that beyond the result only a chunk is allocated. A FLOAT result
   * from float32 rows ({@link OverlapRows#float32Rows}) is computed straight into a float chunk;
   * otherwise the chunk is computed in doubles, checked by {@code check} (may be null) and narrowed.
   */
  INDArray pairwise(DataType outType, int chunkElements, BatchRows batchRows, ChunkCheck check) {
    INDArray out = Nd4j.createUninitialized(outType, outShape(), 'c');
    // The NIO views do not keep out's buffer alive; the fence does, until the last chunk is in.
    try {
      FloatBuffer floats = outType == DataType.FLOAT ? out.data().asNioFloat() : null;
      DoubleBuffer doubles = floats == null ? out.data().asNioDouble() : null;
      int rowsPerChunk = rowsPerChunk(chunkElements);
      double[] chunk = null;
      float[] chunkF = floats == null ? null : new float[rowsPerChunk * cols];
      for (int k = 0; k < batch; k++) {
        OverlapRows rowsK = batchRows.of(k);
        boolean direct = floats != null && rowsK.float32Rows() && check == null;
        if (!direct && chunk == null) {
          chunk = new double[rowsPerChunk * cols];
        }
        for (int r0 = 0; r0 < rows; r0 += rowsPerChunk) {
          int r1 = Math.min(rows, r0 + rowsPerChunk);
          int len = (r1 - r0) * cols;
          int base = (int) ((long) k * rows * cols + (long) r0 * cols);
          if (direct) {
            OverlapKernels.fill(rowsK, r0, r1, chunkF);
          } else {
            OverlapKernels.fill(rowsK, r0, r1, chunk);
            if (check != null) {
              check.check(chunk, len, base);
            }
            if (floats != null) {
              for (int i = 0; i < len; i++) {
                chunkF[i] = (float) chunk[i];
              }
            }
          }
          if (floats != null) {
            floats.position(base);
            floats.put(chunkF, 0, len);
          } else {
            doubles.position(base);
            doubles.put(chunk, 0, len);
          }
        }
      }
    } finally {
      Reference.reachabilityFence(out);
    }
    return out;
  }
}
