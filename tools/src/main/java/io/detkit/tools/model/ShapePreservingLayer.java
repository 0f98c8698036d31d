package io.detkit.tools.model;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.ToLongFunction;
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
 * its parameters as a {@link VectorParams} (one stateless instance per layer type, handed to the
 * constructor); it is built through the shared {@link Builder}.
 */
abstract class ShapePreservingLayer extends org.deeplearning4j.nn.conf.layers.BaseLayer {
  private static final long serialVersionUID = 1L;

  /** The layer type's parameter table (stateless; set again by every constructor, never serialised). */
  private final transient VectorParams params;

  ShapePreservingLayer(org.deeplearning4j.nn.conf.layers.BaseLayer.Builder<?> b, VectorParams params) {
    super(b);
    this.params = params;
  }

  /** A fresh layer implementation for {@code conf}. */
  abstract org.deeplearning4j.nn.layers.BaseLayer<?> newImpl(NeuralNetConfiguration conf, DataType dataType);

  @Override
  public ParamInitializer initializer() {
    return params;
  }

  /**
   * DL4J's layer builder (activation, name, updater settings) for a layer of this package: its
   * {@code build()} hands the builder to the layer's constructor given here.
   */
  static final class Builder extends org.deeplearning4j.nn.conf.layers.BaseLayer.Builder<Builder> {
    private final Function<Builder, ? extends ShapePreservingLayer> factory;

    Builder(Function<Builder, ? extends ShapePreservingLayer> factory) {
      this.factory = factory;
    }

    @Override
    @SuppressWarnings("unchecked")
    public ShapePreservingLayer build() {
      return factory.apply(this);
    }
  }

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
  static final class VectorParams implements ParamInitializer {
    private final List<String> weights;
    private final List<String> biases;
    private final List<String> keys;
    private final ToLongFunction<org.deeplearning4j.nn.conf.layers.Layer> length;
    private final BiConsumer<org.deeplearning4j.nn.conf.layers.Layer, Map<String, INDArray>> initializer;

    /**
     * The vectors {@code weights} then {@code biases}, each {@code length(layer)} long, given their
     * initial values by {@code initializer} (which writes into views of the flattened parameters).
     */
    VectorParams(List<String> weights, List<String> biases,
        ToLongFunction<org.deeplearning4j.nn.conf.layers.Layer> length,
        BiConsumer<org.deeplearning4j.nn.conf.layers.Layer, Map<String, INDArray>> initializer) {
      this.weights = List.copyOf(weights);
      this.biases = List.copyOf(biases);
      this.keys = java.util.stream.Stream.concat(weights.stream(), biases.stream()).toList();
      this.length = length;
      this.initializer = initializer;
    }

    private long length(org.deeplearning4j.nn.conf.layers.Layer layer) {
      return length.applyAsLong(layer);
    }

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
        initializer.accept(conf.getLayer(), m);
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

  /**
   * The layer implementations' common answers: the layer type given, a bias exactly when the
   * parameter table has one, no pretraining.
   */
  abstract static class Impl<L extends ShapePreservingLayer> extends org.deeplearning4j.nn.layers.BaseLayer<L> {
    private final Type type;

    Impl(NeuralNetConfiguration conf, DataType dataType, Type type) {
      super(conf, dataType);
      this.type = type;
    }

    @Override
    public Type type() {
      return type;
    }

    @Override
    public boolean hasBias() {
      return !layerConf().initializer().biasKeys(layerConf()).isEmpty();
    }

    @Override
    public boolean isPretrainLayer() {
      return false;
    }
  }
}
