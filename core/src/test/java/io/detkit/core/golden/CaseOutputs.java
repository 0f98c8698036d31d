package io.detkit.core.golden;

import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** What a runner produced for one case: named outputs and gradients by input name. */
public final class CaseOutputs {
  /** Marker for an output that is Python's {@code None}. */
  public static final Object NONE = new Object() {
    @Override
    public String toString() {
      return "None";
    }
  };

  private final Map<String, Object> outputs = new LinkedHashMap<>();
  private final Map<String, Object> grads = new LinkedHashMap<>();

  public CaseOutputs output(String name, INDArray value) {
    outputs.put(name, value == null ? NONE : value);
    return this;
  }

  public CaseOutputs output(String name, double value) {
    outputs.put(name, value);
    return this;
  }

  public CaseOutputs output(String name, double[] values) {
    outputs.put(name, Nd4j.createFromArray(values));
    return this;
  }

  public CaseOutputs output(String name, int[] values) {
    outputs.put(name, Nd4j.createFromArray(values).castTo(org.nd4j.linalg.api.buffer.DataType.INT64));
    return this;
  }

  public CaseOutputs none(String name) {
    outputs.put(name, NONE);
    return this;
  }

  public CaseOutputs grad(String input, INDArray value) {
    grads.put(input, value);
    return this;
  }

  public Map<String, Object> outputs() {
    return outputs;
  }

  public Map<String, Object> grads() {
    return grads;
  }
}
