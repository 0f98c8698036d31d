package io.detkit.heads;

import io.detkit.core.tensor.Tensors;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Accumulates gradients for every head output, level by level, as flat NCHW doubles; the head
 * adds each loss's contribution and turns the sums into arrays of the outputs' dtype at the end.
 */
final class GradBuffer {
  private final Map<String, List<double[]>> data = new LinkedHashMap<>();
  private final Map<String, List<long[]>> shapes = new LinkedHashMap<>();
  private final DataType dtype;

  GradBuffer(HeadOutputs outputs, DataType dtype) {
    this.dtype = dtype;
    for (String name : outputs.names()) {
      List<double[]> d = new ArrayList<>();
      List<long[]> s = new ArrayList<>();
      for (INDArray a : outputs.get(name)) {
        d.add(new double[(int) a.length()]);
        s.add(a.shape());
      }
      data.put(name, d);
      shapes.put(name, s);
    }
  }

  /** The buffer of {@code name} at {@code level}, to add into. */
  double[] at(String name, int level) {
    return data.get(name).get(level);
  }

  /** Adds {@code rows} ({@code [n*h*w*a, k]}) into output {@code name}'s NCHW buffer at {@code level}. */
  void addRows(String name, int level, double[] rows, int k) {
    long[] s = shapes.get(name).get(level);
    int n = (int) s[0];
    int a = (int) s[1] / k;
    double[] nchw = Layout.fromRows(rows, n, a, k, (int) s[2], (int) s[3]);
    double[] dst = at(name, level);
    for (int i = 0; i < dst.length; i++) {
      dst[i] += nchw[i];
    }
  }

  /** Multiplies output {@code name}'s buffer at {@code level} by {@code factor}. */
  void scale(String name, int level, double factor) {
    double[] d = at(name, level);
    for (int i = 0; i < d.length; i++) {
      d[i] *= factor;
    }
  }

  HeadOutputs toOutputs() {
    HeadOutputs out = HeadOutputs.empty();
    for (Map.Entry<String, List<double[]>> e : data.entrySet()) {
      List<INDArray> levels = new ArrayList<>();
      List<long[]> s = shapes.get(e.getKey());
      for (int l = 0; l < e.getValue().size(); l++) {
        levels.add(Tensors.create(e.getValue().get(l), dtype, s.get(l)));
      }
      out = out.with(e.getKey(), levels);
    }
    return out;
  }
}
