package io.detkit.tools.model;

import java.util.List;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;

/**
 * A learnable scalar multiplier, MMDetection's (mmcv's) {@code Scale}: {@code y = s * x} for an
 * input of any shape, with one parameter {@code s} that starts at {@code init} (1 in the dense
 * heads). MMDetection's ATSS, FCOS, GFL and TOOD heads put one on the regression output of each
 * FPN level: the levels share their convolutions, and the per-level scalar lets each level
 * rescale its regression range cheaply. Levels get separate {@code Scale} layers (never tied).
 *
 * <p>Gradients: {@code dL/dx = s * dL/dy}, {@code dL/ds = sum(x * dL/dy)}.
 */
// Settings live in private fields without accessors: Jackson (DL4J's JSON form) reads and
// writes the fields themselves, so a configuration read back builds the same layer.
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY)
public final class Scale extends ShapePreservingLayer {
  private static final long serialVersionUID = 1L;
  static final String SCALE = "scale";

  private double init = 1;

  /**
   * One parameter, {@code scale} [1, 1], starting at the layer's {@code init}; a weight
   * (regularised like every other parameter).
   */
  private static final VectorParams PARAMS = new VectorParams(List.of(SCALE), List.of(), layer -> 1,
      (layer, params) -> params.get(SCALE).assign(((Scale) layer).init));

  /** For Jackson and cloning. */
  public Scale() {
    this(new Builder(b -> new Scale(b, 1)), 1);
  }

  private Scale(Builder b, double init) {
    super(b, PARAMS);
    this.init = init;
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
    return (Scale) new Builder(b -> new Scale(b, init)).activation(Activation.IDENTITY).build();
  }

  /** The value the parameter starts at. */
  public double init() {
    return init;
  }

  @Override
  Impl newImpl(NeuralNetConfiguration conf, DataType dataType) {
    return new Impl(conf, dataType);
  }

  /**
   * The layer implementation: host loops over one bulk copy of each array ({@link HostBuffers})
   * instead of the seven ND4J operations and four buffers of the element-wise form; the products
   * are the same float32 products, the parameter's gradient a sum in double in element order.
   */
  static final class Impl extends ShapePreservingLayer.Impl<Scale> {
    private double[] xs;
    private double[] ys;

    Impl(NeuralNetConfiguration conf, DataType dataType) {
      super(conf, dataType, Type.FEED_FORWARD);
    }

    private double scale() {
      return getParam(SCALE).getDouble(0);
    }

    /** {@code s * values} into a new array shaped as the input, of the given type. */
    private INDArray scaled(double[] values, ArrayType type, LayerWorkspaceMgr mgr) {
      double s = scale();
      int n = (int) input.length();
      for (int i = 0; i < n; i++) {
        values[i] *= s;
      }
      INDArray out = mgr.createUninitialized(type, dataType, input.shape(), 'c');
      HostBuffers.write(values, out);
      return out;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr mgr) {
      assertInputSet(false);
      ys = HostBuffers.read(HostBuffers.dense(input), ys);
      return scaled(ys, ArrayType.ACTIVATIONS, mgr);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr mgr) {
      assertInputSet(true);
      xs = HostBuffers.read(HostBuffers.dense(input), xs);
      ys = HostBuffers.read(HostBuffers.dense(epsilon), ys);
      // Summed in double: a level has up to a few hundred thousand values.
      double ds = 0;
      int n = (int) input.length();
      for (int i = 0; i < n; i++) {
        ds += xs[i] * ys[i];
      }
      INDArray view = gradientViews.get(SCALE);
      view.putScalar(0, ds);
      Gradient g = new DefaultGradient();
      g.setGradientFor(SCALE, view);
      return new Pair<>(g, scaled(ys, ArrayType.ACTIVATION_GRAD, mgr));
    }
  }
}
