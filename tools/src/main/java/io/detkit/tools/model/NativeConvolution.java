package io.detkit.tools.model;

import java.util.Collection;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinearDerivative;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A DL4J 2-D convolution layer (same parameters, initialisation, updater and regularization as
 * {@link org.deeplearning4j.nn.conf.layers.ConvolutionLayer}) whose forward and backward passes
 * call libnd4j's native {@code conv2d} / {@code conv2d_bp} operations instead of DL4J's Java-side
 * im2col and matrix products. With ND4J's oneDNN build those operations run on oneDNN kernels.
 *
 * <p>Why: on small detection networks DL4J's built-in path spends most of its time copying
 * im2col buffers; measured on the shapes detector (2 cores), a 32-channel 3x3 convolution on
 * 16 x 8 x 8 inputs took about 10 ms forward and 15 ms backward per layer in DL4J, against
 * 0.6 ms and 1 ms through the native operations with oneDNN. DL4J's own oneDNN helper for this
 * layer is disabled by default in 1.0.0-M2.1 and does not find ND4J's environment class.
 *
 * <p>Padding is explicit and symmetric ({@code ConvolutionMode.Truncate} with
 * {@code padding = kernel / 2}), as PyTorch's {@code Conv2d(padding=k // 2)} in MMDetection, so a
 * stride-2 layer samples the same pixels as MMDetection's does. NCHW only, no dilation.
 */
public final class NativeConvolution extends org.deeplearning4j.nn.conf.layers.ConvolutionLayer {
  private static final long serialVersionUID = 1L;

  /** For Jackson and cloning. */
  public NativeConvolution() {
    super();
  }

  private NativeConvolution(Builder b) {
    super(b);
  }

  /**
   * A square convolution with {@code padding = kernel / 2} on both sides, with or without a bias
   * (MMDetection drops the bias of a convolution followed by a normalization).
   *
   * @throws IllegalArgumentException for an even kernel or a non-positive size
   */
  public static NativeConvolution of(int kernel, int stride, int nIn, int nOut,
      org.nd4j.linalg.activations.Activation act, org.deeplearning4j.nn.weights.IWeightInit init, double bias,
      boolean hasBias) {
    if (kernel <= 0 || kernel % 2 == 0 || stride <= 0 || nIn <= 0 || nOut <= 0) {
      throw new IllegalArgumentException("need an odd kernel and positive stride and channels; got kernel=" + kernel
          + ", stride=" + stride + ", nIn=" + nIn + ", nOut=" + nOut);
    }
    Builder b = new Builder(kernel, kernel);
    b.stride(stride, stride)
        .padding(kernel / 2, kernel / 2)
        .convolutionMode(ConvolutionMode.Truncate)
        .nIn(nIn)
        .nOut(nOut)
        .activation(act)
        .weightInit(init)
        .biasInit(bias)
        .hasBias(hasBias);
    return new NativeConvolution(b);
  }

  @Override
  public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int layerIndex,
      INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
    LayerValidation.assertNInNOutSet("NativeConvolution", getLayerName(), layerIndex, getNIn(), getNOut());
    Impl layer = new Impl(conf, networkDataType);
    layer.setListeners(listeners);
    layer.setIndex(layerIndex);
    layer.setParamsViewArray(layerParamsView);
    Map<String, INDArray> table = initializer().init(conf, layerParamsView, initializeParams);
    layer.setParamTable(table);
    layer.setConf(conf);
    return layer;
  }

  @Override
  public ParamInitializer initializer() {
    return ConvolutionParamInitializer.getInstance();
  }

  /** The layer implementation. */
  static final class Impl extends org.deeplearning4j.nn.layers.convolution.ConvolutionLayer {
    /** The input of the last training forward pass, and its output when the activation is a plain ReLU. */
    private transient INDArray reluInput;
    private transient INDArray reluOutput;

    Impl(NeuralNetConfiguration conf, DataType dataType) {
      super(conf, dataType);
    }

    private int[] intArgs() {
      int[] k = layerConf().getKernelSize();
      int[] s = layerConf().getStride();
      int[] p = layerConf().getPadding();
      // kH, kW, sH, sW, pH, pW, dH, dW, same-mode (0: explicit padding), layout (0: NCHW),
      // weight format (1: [out, in, kH, kW], DL4J's).
      return new int[] {k[0], k[1], s[0], s[1], p[0], p[1], 1, 1, 0, 0, 1};
    }

    private long[] outShape() {
      int[] k = layerConf().getKernelSize();
      int[] s = layerConf().getStride();
      int[] p = layerConf().getPadding();
      long h = (input.size(2) + 2L * p[0] - k[0]) / s[0] + 1;
      long w = (input.size(3) + 2L * p[1] - k[1]) / s[1] + 1;
      return new long[] {input.size(0), layerConf().getNOut(), h, w};
    }

    /** Multiply-adds of one pass producing (or back-propagating) {@code out}, an [N, C_out, H, W] array. */
    private long work(INDArray out) {
      int[] k = layerConf().getKernelSize();
      return out.length() * layerConf().getNIn() * k[0] * k[1];
    }

    private INDArray contiguousInput() {
      return input.ordering() == 'c' && !input.isView() ? input : input.dup('c');
    }

    private INDArray preActivation(INDArray in, ArrayType type, LayerWorkspaceMgr mgr) {
      if (in.rank() != 4 || in.size(1) != layerConf().getNIn()) {
        throw new IllegalArgumentException("layer " + layerConf().getLayerName() + " expects [N, "
            + layerConf().getNIn() + ", H, W] input; got " + java.util.Arrays.toString(in.shape()));
      }
      INDArray w = getParam(ConvolutionParamInitializer.WEIGHT_KEY);
      INDArray z = mgr.createUninitialized(type, dataType, outShape());
      INDArray[] inputs = hasBias()
          ? new INDArray[] {in, w, getParam(ConvolutionParamInitializer.BIAS_KEY).reshape(layerConf().getNOut())}
          : new INDArray[] {in, w};
      OpenMpThreads.exec(DynamicCustomOp.builder("conv2d").addInputs(inputs).addOutputs(z)
          .addIntegerArguments(intArgs()).build(), work(z));
      return z;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr mgr) {
      assertInputSet(false);
      INDArray z = preActivation(contiguousInput(), ArrayType.ACTIVATIONS, mgr);
      INDArray y = layerConf().getActivationFn().getActivation(z, training);
      boolean keep = training && isPlainRelu(layerConf().getActivationFn());
      reluInput = keep ? input : null;
      reluOutput = keep ? y : null;
      return y;
    }

    @Override
    public void clear() {
      super.clear();
      reluInput = null;
      reluOutput = null;
    }

    /** ReLU without threshold, cap or slope: its derivative is a function of its output alone. */
    private static boolean isPlainRelu(IActivation act) {
      if (!(act instanceof ActivationReLU)) {
        return false;
      }
      ActivationReLU r = (ActivationReLU) act;
      return r.getMax() == null && r.getNegativeSlope() == null
          && (r.getThreshold() == null || r.getThreshold() == 0.0);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr mgr) {
      assertInputSet(true);
      INDArray in = contiguousInput();
      IActivation act = layerConf().getActivationFn();
      INDArray delta = epsilon;
      if (reluOutput != null && reluInput == input) {
        // relu(z) > 0 exactly where z > 0, so the mask comes from the kept output of the training
        // forward pass (the next layer's input, alive until the backward pass ends) instead of a
        // second convolution; the same select op as ActivationReLU's, so the same bits.
        delta = mgr.createUninitialized(ArrayType.BP_WORKING_MEM, epsilon.dataType(), epsilon.shape());
        Nd4j.exec(new RectifiedLinearDerivative(reluOutput, epsilon, delta, 0.0));
      } else if (!(act instanceof ActivationIdentity)) {
        // Without a kept output (another activation, or no training forward pass on this input)
        // the pre-activation is recomputed, as DL4J's own layers do; an identity activation
        // (every convolution followed by GroupNorm, the FPN's and the heads' predictions) needs none.
        delta = act.backprop(preActivation(in, ArrayType.BP_WORKING_MEM, mgr), epsilon).getFirst();
      }
      if (delta.ordering() != 'c' || delta.isView()) {
        delta = delta.dup('c');
      }
      INDArray w = getParam(ConvolutionParamInitializer.WEIGHT_KEY);
      INDArray epsNext = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, in.shape());
      INDArray wGrad = gradientViews.get(ConvolutionParamInitializer.WEIGHT_KEY);
      Gradient g = new DefaultGradient();
      if (hasBias()) {
        INDArray b = getParam(ConvolutionParamInitializer.BIAS_KEY).reshape(layerConf().getNOut());
        // conv2d_bp writes the weight and bias gradients straight into the flattened gradient's
        // views: no temporary and no copy.
        INDArray bGradView = gradientViews.get(ConvolutionParamInitializer.BIAS_KEY);
        OpenMpThreads.exec(DynamicCustomOp.builder("conv2d_bp").addInputs(in, w, b, delta)
            .addOutputs(epsNext, wGrad, bGradView.reshape(layerConf().getNOut())).addIntegerArguments(intArgs()).build(),
            work(delta));
        g.setGradientFor(ConvolutionParamInitializer.BIAS_KEY, bGradView);
      } else {
        OpenMpThreads.exec(DynamicCustomOp.builder("conv2d_bp").addInputs(in, w, delta).addOutputs(epsNext, wGrad)
            .addIntegerArguments(intArgs()).build(), work(delta));
      }
      g.setGradientFor(ConvolutionParamInitializer.WEIGHT_KEY, wGrad, 'c');
      return new Pair<>(g, epsNext);
    }
  }
}
