package io.detkit.core.tensor;

import static com.google.common.base.Preconditions.checkArgument;

import java.nio.FloatBuffer;
import java.util.Objects;

/**
 * The one chunked copy between a float32 NIO buffer (an ND4J FLOAT array's off-heap view) and a
 * Java {@code double[]}: the floats go through a small float array in bulk copies and a widening
 * (or narrowing) loop, because a per-element get or put on a direct buffer costs a bounds check and
 * an address computation each, several times the conversion itself, and a full-size float copy on
 * the heap would double a large array's footprint (a COCO-size head's anchors and targets).
 *
 * <p>The values are exactly those of element-wise conversion: widening is exact, narrowing is the
 * {@code (float)} cast (round to nearest even). Each thread has its own chunk, made once: a new
 * chunk per call was a third of the training thread's heap allocation (docs/performance.md). Safe
 * from any number of threads; the chunk is used only inside one call, which calls nothing that
 * could copy again on the same thread.
 */
public final class FloatChunks {
  /** Floats per bulk copy (32 KB: small next to a thread's cache, large next to a call's overhead). */
  static final int CHUNK = 8192;
  private static final ThreadLocal<float[]> CHUNKS = ThreadLocal.withInitial(() -> new float[CHUNK]);

  private FloatChunks() {}

  /**
   * Widens {@code n} floats of {@code from}, starting at its absolute index {@code fromIndex}, into
   * {@code to} from {@code toIndex}. The buffer's position is not used or changed.
   *
   * @throws IllegalArgumentException if {@code from} or {@code to} is null
   * @throws IndexOutOfBoundsException if {@code n} is negative or a range lies outside its buffer or array
   */
  public static void widen(FloatBuffer from, int fromIndex, double[] to, int toIndex, int n) {
    checkArgument(from != null, "from must not be null");
    checkArgument(to != null, "to must not be null");
    Objects.checkFromIndexSize(fromIndex, n, from.limit());
    Objects.checkFromIndexSize(toIndex, n, to.length);
    float[] chunk = CHUNKS.get();
    for (int done = 0; done < n; done += CHUNK) {
      int len = Math.min(CHUNK, n - done);
      from.get(fromIndex + done, chunk, 0, len);
      for (int i = 0; i < len; i++) {
        to[toIndex + done + i] = chunk[i];
      }
    }
  }

  /**
   * Rounds {@code n} doubles of {@code from}, starting at {@code fromIndex}, to float32 into
   * {@code to} from its absolute index {@code toIndex}. The buffer's position is not used or changed.
   *
   * @throws IllegalArgumentException if {@code from} or {@code to} is null
   * @throws IndexOutOfBoundsException if {@code n} is negative or a range lies outside its array or buffer
   */
  public static void narrow(double[] from, int fromIndex, FloatBuffer to, int toIndex, int n) {
    checkArgument(from != null, "from must not be null");
    checkArgument(to != null, "to must not be null");
    Objects.checkFromIndexSize(fromIndex, n, from.length);
    Objects.checkFromIndexSize(toIndex, n, to.limit());
    float[] chunk = CHUNKS.get();
    for (int done = 0; done < n; done += CHUNK) {
      int len = Math.min(CHUNK, n - done);
      for (int i = 0; i < len; i++) {
        chunk[i] = (float) from[fromIndex + done + i];
      }
      to.put(toIndex + done, chunk, 0, len);
    }
  }
}
