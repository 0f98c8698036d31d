package io.detkit.tools.model;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The DL4J configuration plumbing shared by this package's own parameterised layers whose output
 * has the input's shape ({@link GroupNorm}, {@link Scale}): instantiation with the parameter table
 * of {@link #initializer()}, no input-type inference (sizes are fixed at construction), no
 * pre-processor and no pretraining. A subclass gives its implementation in {@link #newImpl} and
 * its parameters as a {@link VectorParams}.
 */
abstract class ShapePreservingLayer extends org.deeplearning4j.nn.conf.layers.BaseLayer {
  private static final long serialVersionUID = 1L;

  ShapePreservingLayer(org.deeplearning4j.nn.conf.layers.BaseLayer.Builder<?> b) {
    super(b);
  }

  /** A fresh layer implementation for {@code conf}. */
  abstract org.deeplearning4j.nn.layers.BaseLayer<?> newImpl(NeuralNetConfiguration conf, DataType dataType);

  @Override
  public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int layerIndex,
      INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
    org.deeplearning4j.nn.layers.BaseLayer<?> layer = newImpl(conf, networkDataType);
    layer.setListeners(listeners);
    layer.setIndex(layerIndex);
    layer.setParamsViewArray(layerParamsView);
    layer.setParamTable(initializer().init(conf, layerParamsView, initializeParams));
    layer.setConf(conf);
    return layer;
  }

  @Override
  public InputType getOutputType(int layerIndex, InputType inputType) {
    return inputType;
  }

  @Override
  public void setNIn(InputType inputType, boolean override) {
    // Sizes are fixed at construction.
  }

  @Override
  public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
    return null;
  }

  @Override
  public boolean isPretrainParam(String paramName) {
    return false;
  }

  @Override
  public LayerMemoryReport getMemoryReport(InputType inputType) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " has no memory report");
  }

  /**
   * A parameter table of equally long row vectors {@code [1, n]}, laid out one after the other in
   * the layer's flattened view: the weights first, then the biases, in the order given. Gradients
   * use the same layout. Stateless, shared by every layer of a type.
   */
  abstract static class VectorParams implements ParamInitializer {
    private final List<String> weights;
    private final List<String> biases;
    private final List<String> keys;

    VectorParams(List<String> weights, List<String> biases) {
      this.weights = List.copyOf(weights);
      this.biases = List.copyOf(biases);
      this.keys = java.util.stream.Stream.concat(weights.stream(), biases.stream()).toList();
    }

    /** The length {@code n} of each vector of {@code layer}. */
    abstract long length(org.deeplearning4j.nn.conf.layers.Layer layer);

    /** Writes the initial values into {@code params} (views of the flattened parameters). */
    abstract void initialize(org.deeplearning4j.nn.conf.layers.Layer layer, Map<String, INDArray> params);

    @Override
    public long numParams(NeuralNetConfiguration conf) {
      return numParams(conf.getLayer());
    }

    @Override
    public long numParams(org.deeplearning4j.nn.conf.layers.Layer layer) {
      return keys.size() * length(layer);
    }

    @Override
    public List<String> paramKeys(org.deeplearning4j.nn.conf.layers.Layer layer) {
      return keys;
    }

    @Override
    public List<String> weightKeys(org.deeplearning4j.nn.conf.layers.Layer layer) {
      return weights;
    }

    @Override
    public List<String> biasKeys(org.deeplearning4j.nn.conf.layers.Layer layer) {
      return biases;
    }

    @Override
    public boolean isWeightParam(org.deeplearning4j.nn.conf.layers.Layer layer, String key) {
      return weights.contains(key);
    }

    @Override
    public boolean isBiasParam(org.deeplearning4j.nn.conf.layers.Layer layer, String key) {
      return biases.contains(key);
    }

    @Override
    public Map<String, INDArray> init(NeuralNetConfiguration conf, INDArray view, boolean initialize) {
      Map<String, INDArray> m = split(conf, view);
      if (initialize) {
        initialize(conf.getLayer(), m);
      }
      return m;
    }

    @Override
    public Map<String, INDArray> getGradientsFromFlattened(NeuralNetConfiguration conf, INDArray view) {
      return split(conf, view);
    }

    private Map<String, INDArray> split(NeuralNetConfiguration conf, INDArray view) {
      long n = length(conf.getLayer());
      INDArray flat = view.reshape(1, keys.size() * n);
      Map<String, INDArray> m = new LinkedHashMap<>();
      for (int k = 0; k < keys.size(); k++) {
        m.put(keys.get(k), flat.get(NDArrayIndex.point(0), NDArrayIndex.interval(k * n, (k + 1) * n)).reshape(1, n));
      }
      return m;
    }
  }

  /** The layer implementations' common answers: no pretraining. */
  abstract static class Impl<L extends ShapePreservingLayer> extends org.deeplearning4j.nn.layers.BaseLayer<L> {
    Impl(NeuralNetConfiguration conf, DataType dataType) {
      super(conf, dataType);
    }

    @Override
    public boolean isPretrainLayer() {
      return false;
    }
  }
}
