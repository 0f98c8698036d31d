package io.detkit.tools.model;

import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The DL4J configuration plumbing shared by this package's own parameterised layers whose output
 * has the input's shape ({@link GroupNorm}, {@link Scale}): instantiation with the parameter table
 * of {@link #initializer()}, no input-type inference (sizes are fixed at construction), no
 * pre-processor and no pretraining. A subclass gives its implementation in {@link #newImpl}.
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
}
