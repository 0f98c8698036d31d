package io.detkit.heads;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Collects the gradient of every head output, level by level, as NCHW arrays of the outputs'
 * dtype. Every loss of the built-in heads touches each (output, level) once, so the first
 * contribution is kept as it comes (no zero-filled buffer, no accumulation pass, no final copy);
 * a second one is added to it in the outputs' dtype. Outputs no loss touched come back as zeros.
 */
final class GradBuffer {
  private final Map<String, INDArray[]> grads = new LinkedHashMap<>();
  private final Map<String, List<long[]>> shapes = new LinkedHashMap<>();
  private final DataType dtype;

  GradBuffer(HeadOutputs outputs, DataType dtype) {
    this.dtype = dtype;
    for (String name : outputs.names()) {
      List<long[]> s = new ArrayList<>();
      for (INDArray a : outputs.get(name)) {
        s.add(a.shape());
      }
      shapes.put(name, s);
      grads.put(name, new INDArray[s.size()]);
    }
  }

  /** The dtype every gradient comes back in. */
  DataType dataType() {
    return dtype;
  }

  /** The NCHW shape of output {@code name} at {@code level}. */
  long[] shape(String name, int level) {
    return shapes.get(name).get(level);
  }

  /**
   * Adds {@code rows} ({@code [n*h*w*a, k]}, any dtype and order) into output {@code name} at
   * {@code level}, permuting them back to NCHW in one native copy.
   */
  void addRows(String name, int level, INDArray rows, int k) {
    long[] s = shape(name, level);
    add(name, level, Layout.fromRows(rows, (int) s[0], (int) (s[1] / k), k, (int) s[2], (int) s[3]));
  }

  /**
   * Adds {@code nchw} (the output's shape) into output {@code name} at {@code level}; the array is
   * kept, not copied, when it is the first contribution and already has the outputs' dtype, so
   * the caller must not change it afterwards.
   */
  void add(String name, int level, INDArray nchw) {
    long[] s = shape(name, level);
    if (!Arrays.equals(nchw.shape(), s)) {
      throw new IllegalArgumentException("gradient of " + name + "[" + level + "] must be " + Arrays.toString(s)
          + "; got " + Arrays.toString(nchw.shape()));
    }
    INDArray g = nchw.dataType() == dtype ? nchw : nchw.castTo(dtype);
    INDArray[] levels = grads.get(name);
    levels[level] = levels[level] == null ? g : levels[level].add(g);
  }

  HeadOutputs toOutputs() {
    HeadOutputs out = HeadOutputs.empty();
    for (Map.Entry<String, INDArray[]> e : grads.entrySet()) {
      List<INDArray> levels = new ArrayList<>();
      List<long[]> s = shapes.get(e.getKey());
      INDArray[] g = e.getValue();
      for (int l = 0; l < g.length; l++) {
        levels.add(g[l] != null ? g[l] : Nd4j.zeros(dtype, s.get(l)));
      }
      out = out.with(e.getKey(), levels);
    }
    return out;
  }
}
