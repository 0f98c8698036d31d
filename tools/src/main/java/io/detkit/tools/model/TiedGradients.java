package io.detkit.tools.model;

import java.lang.ref.Reference;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Ties the gradients of a shared head's per-level layer copies ({@link DetectorNet}) and measures
 * the gradient's global L2 norm with every tied value counted once, in one pass over a scratch
 * copy of the flattened gradient: each tied parameter's copies are summed (in float, the order of
 * the levels, as an element-wise ND4J add would) and the sum is written to every copy. This
 * replaces three ND4J operations per tied parameter plus two norms. Not thread-safe (one per
 * network).
 */
final class TiedGradients {
  private final ComputationGraph graph;
  private final List<List<String>> tiedLayers;
  /** Per tied parameter: its length, then the offset of each copy in the flattened gradient. */
  private int[][] segments;
  /** Per flattened value: whether it is a tied copy after the first (left out of the norm); found with the segments. */
  private boolean[] duplicate;
  private float[] scratch;

  TiedGradients(ComputationGraph graph, List<List<String>> tiedLayers) {
    this.graph = graph;
    this.tiedLayers = tiedLayers;
  }

  /**
   * Sums the tied copies of {@code gradient} (the graph's last backpropagated gradient, whose
   * {@code gradient()} is the flattened FLOAT gradient) into each copy.
   *
   * @return the global L2 norm over the distinct values (sum of squares in double)
   * @throws IllegalStateException if a copy's gradient is not a view of the flattened gradient
   */
  double tieAndNorm(Gradient gradient) {
    INDArray flat = gradient.gradient();
    if (flat.dataType() != DataType.FLOAT || flat.elementWiseStride() != 1) {
      throw new IllegalStateException("expected a dense FLOAT flattened gradient; got " + flat.dataType());
    }
    int n = (int) flat.length();
    if (segments == null) {
      segments = locate(gradient, flat);
      duplicate = new boolean[n];
      for (int[] s : segments) {
        for (int c = 2; c < s.length; c++) {
          Arrays.fill(duplicate, s[c], s[c] + s[0], true);
        }
      }
    }
    float[] g = scratch != null && scratch.length == n ? scratch : new float[n];
    scratch = g;
    FloatBuffer buf = flat.data().asNioFloat();
    int base = (int) flat.offset();
    buf.position(base);
    buf.get(g, 0, n);
    for (int[] s : segments) {
      int len = s[0];
      for (int i = 0; i < len; i++) {
        float sum = g[s[1] + i];
        for (int c = 2; c < s.length; c++) {
          sum += g[s[c] + i];
        }
        for (int c = 1; c < s.length; c++) {
          g[s[c] + i] = sum;
        }
      }
    }
    double sq = 0;
    for (int i = 0; i < n; i++) {
      if (!duplicate[i]) {
        sq += (double) g[i] * g[i];
      }
    }
    if (segments.length > 0) {
      buf.position(base);
      buf.put(g, 0, n);
    }
    Reference.reachabilityFence(flat);
    return Math.sqrt(sq);
  }

  /**
   * Per-level gradients of one shared parameter summed as the tied copies' gradients are: each
   * level's rounded to float, then added in float in level order (a layer that runs the levels at
   * once, GroupNorm on a level canvas, gives the per-level form's bits so); with one level, that
   * level's values (rounded to float when written, as before).
   *
   * @param perLevel per level the parameter's gradient, all of one length
   */
  static double[] levelSum(double[][] perLevel) {
    double[] out = new double[perLevel[0].length];
    for (int i = 0; i < out.length; i++) {
      float acc = (float) perLevel[0][i];
      for (int l = 1; l < perLevel.length; l++) {
        acc += (float) perLevel[l][i];
      }
      out[i] = acc;
    }
    return out;
  }

  private int[][] locate(Gradient gradient, INDArray flat) {
    List<int[]> out = new ArrayList<>();
    for (List<String> copies : tiedLayers) {
      for (String param : graph.getLayer(copies.get(0)).paramTable().keySet()) {
        int[] s = new int[copies.size() + 1];
        for (int c = 0; c < copies.size(); c++) {
          INDArray v = gradient.getGradientFor(copies.get(c) + "_" + param);
          long offset = v.offset() - flat.offset();
          // Views share their parent's base address; offset() is relative to it.
          if (v.data().address() != flat.data().address() || v.elementWiseStride() != 1
              || offset < 0 || offset + v.length() > flat.length()) {
            throw new IllegalStateException("the gradient of " + copies.get(c) + "_" + param
                + " is not a dense view of the flattened gradient");
          }
          s[0] = (int) v.length();
          s[c + 1] = (int) offset;
        }
        out.add(s);
      }
    }
    return out.toArray(new int[0][]);
  }
}
