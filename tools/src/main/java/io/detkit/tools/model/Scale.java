package io.detkit.tools.model;

import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A learnable scalar multiplier, MMDetection's (mmcv's) {@code Scale}: {@code y = s * x} for an
 * input of any shape, with one parameter {@code s} that starts at {@code init} (1 in the dense
 * heads). MMDetection's ATSS, FCOS, GFL and TOOD heads put one on the regression output of each
 * FPN level: the levels share their convolutions, and the per-level scalar lets each level
 * rescale its regression range cheaply. Levels get separate {@code Scale} layers (never tied).
 *
 * <p>Gradients: {@code dL/dx = s * dL/dy}, {@code dL/ds = sum(x * dL/dy)}.
 */
public final class Scale extends ShapePreservingLayer {
  private static final long serialVersionUID = 1L;
  static final String SCALE = "scale";

  private double init = 1;

  /** For Jackson and cloning. */
  public Scale() {
    super(new Builder());
  }

  private Scale(Builder b) {
    super(b);
    this.init = b.init;
  }

  /**
   * A scale starting at {@code init}.
   *
   * @throws IllegalArgumentException if {@code init} is not finite
   */
  public static Scale of(double init) {
    if (!Double.isFinite(init)) {
      throw new IllegalArgumentException("Scale init must be finite; got " + init);
    }
    Builder b = new Builder();
    b.init = init;
    b.activation(Activation.IDENTITY);
    return new Scale(b);
  }

  /** The value the parameter starts at. */
  public double init() {
    return init;
  }

  @Override
  Impl newImpl(NeuralNetConfiguration conf, DataType dataType) {
    return new Impl(conf, dataType);
  }

  @Override
  public ParamInitializer initializer() {
    return Params.INSTANCE;
  }

  /** Builder used by {@link #of}. */
  static final class Builder extends org.deeplearning4j.nn.conf.layers.BaseLayer.Builder<Builder> {
    double init = 1;

    @Override
    @SuppressWarnings("unchecked")
    public Scale build() {
      return new Scale(this);
    }
  }

  /** One parameter, {@code scale} [1, 1]; a weight (regularised like every other parameter). */
  static final class Params extends VectorParams {
    static final Params INSTANCE = new Params();

    private Params() {
      super(List.of(SCALE), List.of());
    }

    @Override
    long length(org.deeplearning4j.nn.conf.layers.Layer layer) {
      return 1;
    }

    @Override
    void initialize(org.deeplearning4j.nn.conf.layers.Layer layer, Map<String, INDArray> params) {
      params.get(SCALE).assign(((Scale) layer).init);
    }
  }

  /** The layer implementation (three ND4J operations forward, three backward). */
  static final class Impl extends ShapePreservingLayer.Impl<Scale> {
    Impl(NeuralNetConfiguration conf, DataType dataType) {
      super(conf, dataType);
    }

    @Override
    public Type type() {
      return Type.FEED_FORWARD;
    }

    @Override
    public boolean hasBias() {
      return false;
    }

    private double scale() {
      return getParam(SCALE).getDouble(0);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr mgr) {
      assertInputSet(false);
      INDArray out = mgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, input.shape(), 'c');
      return out.assign(input).muli(scale());
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr mgr) {
      assertInputSet(true);
      INDArray view = gradientViews.get(SCALE);
      // Summed in double: a level has up to a few hundred thousand values.
      double ds = input.castTo(DataType.DOUBLE).muli(epsilon.castTo(DataType.DOUBLE)).sumNumber().doubleValue();
      view.putScalar(0, ds);
      INDArray dx = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, input.shape(), 'c');
      dx.assign(epsilon).muli(scale());
      Gradient g = new DefaultGradient();
      g.setGradientFor(SCALE, view);
      return new Pair<>(g, dx);
    }
  }
}
