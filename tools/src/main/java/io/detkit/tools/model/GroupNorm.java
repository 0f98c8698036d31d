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
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Broadcast;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Group normalization (Wu and He, 2018) followed by an activation, as a DL4J layer for NCHW
 * inputs: channels are split into {@code groups} groups, each (image, group) is normalized to
 * zero mean and unit variance over its channels and pixels (biased variance, {@code eps} added),
 * then scaled by a per-channel {@code gamma} (starts at 1) and shifted by {@code beta} (starts at
 * 0), as PyTorch's {@code nn.GroupNorm} that MMDetection's {@code norm_cfg=dict(type='GN')} builds.
 * DL4J has no group normalization of its own.
 *
 * <p>Forward and backward are a handful of whole-array ND4J operations; the statistics are
 * recomputed in the backward pass rather than kept between calls.
 */
public final class GroupNorm extends org.deeplearning4j.nn.conf.layers.BaseLayer {
  private static final long serialVersionUID = 1L;
  static final String GAMMA = "gamma";
  static final String BETA = "beta";

  private int channels;
  private int groups;
  private double eps;

  /** For Jackson and cloning. */
  public GroupNorm() {
    super(new Builder());
  }

  private GroupNorm(Builder b) {
    super(b);
    this.channels = b.channels;
    this.groups = b.groups;
    this.eps = b.eps;
  }

  /**
   * A group normalization of {@code channels} channels in {@code groups} groups, then {@code act}.
   *
   * @throws IllegalArgumentException if {@code groups} does not divide {@code channels}
   */
  public static GroupNorm of(int channels, int groups, Activation act) {
    if (channels <= 0 || groups <= 0 || channels % groups != 0) {
      throw new IllegalArgumentException("num_groups must divide the channels; got " + groups + " groups for "
          + channels + " channels");
    }
    Builder b = new Builder();
    b.channels = channels;
    b.groups = groups;
    b.activation(act);
    return new GroupNorm(b);
  }

  /** Number of channels. */
  public int channels() {
    return channels;
  }

  /** Number of groups. */
  public int groups() {
    return groups;
  }

  /** The value added to the variance. */
  public double eps() {
    return eps;
  }

  @Override
  public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int layerIndex,
      INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
    Impl layer = new Impl(conf, networkDataType);
    layer.setListeners(listeners);
    layer.setIndex(layerIndex);
    layer.setParamsViewArray(layerParamsView);
    layer.setParamTable(initializer().init(conf, layerParamsView, initializeParams));
    layer.setConf(conf);
    return layer;
  }

  @Override
  public ParamInitializer initializer() {
    return Params.INSTANCE;
  }

  @Override
  public InputType getOutputType(int layerIndex, InputType inputType) {
    return inputType;
  }

  @Override
  public void setNIn(InputType inputType, boolean override) {
    // The channel count is fixed at construction.
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
    throw new UnsupportedOperationException("GroupNorm has no memory report");
  }

  /** Builder used by {@link #of}. */
  static final class Builder extends org.deeplearning4j.nn.conf.layers.BaseLayer.Builder<Builder> {
    int channels = 1;
    int groups = 1;
    double eps = 1e-5;

    @Override
    @SuppressWarnings("unchecked")
    public GroupNorm build() {
      return new GroupNorm(this);
    }
  }

  /** gamma [1, C] then beta [1, C]. */
  static final class Params implements ParamInitializer {
    static final Params INSTANCE = new Params();

    private static long channels(org.deeplearning4j.nn.conf.layers.Layer l) {
      return ((GroupNorm) l).channels;
    }

    @Override
    public long numParams(NeuralNetConfiguration conf) {
      return numParams(conf.getLayer());
    }

    @Override
    public long numParams(org.deeplearning4j.nn.conf.layers.Layer layer) {
      return 2 * channels(layer);
    }

    @Override
    public List<String> paramKeys(org.deeplearning4j.nn.conf.layers.Layer layer) {
      return List.of(GAMMA, BETA);
    }

    @Override
    public List<String> weightKeys(org.deeplearning4j.nn.conf.layers.Layer layer) {
      return List.of(GAMMA);
    }

    @Override
    public List<String> biasKeys(org.deeplearning4j.nn.conf.layers.Layer layer) {
      return List.of(BETA);
    }

    @Override
    public boolean isWeightParam(org.deeplearning4j.nn.conf.layers.Layer layer, String key) {
      return GAMMA.equals(key);
    }

    @Override
    public boolean isBiasParam(org.deeplearning4j.nn.conf.layers.Layer layer, String key) {
      return BETA.equals(key);
    }

    @Override
    public Map<String, INDArray> init(NeuralNetConfiguration conf, INDArray view, boolean initialize) {
      Map<String, INDArray> m = split(conf, view);
      if (initialize) {
        m.get(GAMMA).assign(1);
        m.get(BETA).assign(0);
      }
      return m;
    }

    @Override
    public Map<String, INDArray> getGradientsFromFlattened(NeuralNetConfiguration conf, INDArray view) {
      return split(conf, view);
    }

    private static Map<String, INDArray> split(NeuralNetConfiguration conf, INDArray view) {
      long c = channels(conf.getLayer());
      INDArray flat = view.reshape(1, 2 * c);
      Map<String, INDArray> m = new LinkedHashMap<>();
      m.put(GAMMA, flat.get(NDArrayIndex.point(0), NDArrayIndex.interval(0, c)).reshape(1, c));
      m.put(BETA, flat.get(NDArrayIndex.point(0), NDArrayIndex.interval(c, 2 * c)).reshape(1, c));
      return m;
    }
  }

  /** The layer implementation. */
  static final class Impl extends org.deeplearning4j.nn.layers.BaseLayer<GroupNorm> {
    Impl(NeuralNetConfiguration conf, DataType dataType) {
      super(conf, dataType);
    }

    @Override
    public Type type() {
      return Type.NORMALIZATION;
    }

    @Override
    public boolean hasBias() {
      return true;
    }

    @Override
    public boolean isPretrainLayer() {
      return false;
    }

    /** xhat as [N*G, M] and the inverse standard deviation [N*G, 1]. */
    private INDArray[] normalize(INDArray x) {
      GroupNorm c = layerConf();
      if (x.rank() != 4 || x.size(1) != c.channels) {
        throw new IllegalArgumentException("layer " + c.getLayerName() + " expects [N, " + c.channels
            + ", H, W] input; got " + java.util.Arrays.toString(x.shape()));
      }
      long rows = x.size(0) * c.groups;
      INDArray xg = x.reshape('c', rows, x.length() / rows);
      INDArray mean = xg.mean(1).reshape(rows, 1);
      INDArray centered = xg.subColumnVector(mean);
      INDArray invStd = centered.mul(centered).mean(1).reshape(rows, 1).addi(c.eps);
      org.nd4j.linalg.ops.transforms.Transforms.pow(invStd, -0.5, false);
      return new INDArray[] {centered.muliColumnVector(invStd), invStd};
    }

    private INDArray contiguousInput() {
      return input.ordering() == 'c' && !input.isView() ? input : input.dup('c');
    }

    /** gamma * xhat + beta, as [N, C, H*W], into {@code out}. */
    private INDArray affine(INDArray xhat, INDArray out) {
      long n = input.size(0);
      long ch = layerConf().channels;
      INDArray x3 = xhat.reshape('c', n, ch, xhat.length() / (n * ch));
      INDArray o3 = out.reshape('c', n, ch, xhat.length() / (n * ch));
      Broadcast.mul(x3, getParam(GAMMA).reshape(ch), o3, 1);
      Broadcast.add(o3, getParam(BETA).reshape(ch), o3, 1);
      return out;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr mgr) {
      assertInputSet(false);
      INDArray x = contiguousInput();
      INDArray[] norm = normalize(x);
      INDArray out = mgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, x.shape());
      affine(norm[0], out);
      return layerConf().getActivationFn().getActivation(out, training);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr mgr) {
      assertInputSet(true);
      INDArray x = contiguousInput();
      long n = x.size(0);
      long ch = layerConf().channels;
      long hw = x.length() / (n * ch);
      INDArray[] norm = normalize(x);
      INDArray xhat = norm[0];
      INDArray pre = affine(xhat, mgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, x.shape()));
      INDArray dz = layerConf().getActivationFn().backprop(pre, epsilon).getFirst();
      INDArray dz3 = (dz.ordering() == 'c' && !dz.isView() ? dz : dz.dup('c')).reshape('c', n, ch, hw);
      INDArray xhat3 = xhat.reshape('c', n, ch, hw);
      INDArray gammaGrad = gradientViews.get(GAMMA);
      INDArray betaGrad = gradientViews.get(BETA);
      betaGrad.assign(dz3.sum(0, 2).reshape(betaGrad.shape()));
      gammaGrad.assign(dz3.mul(xhat3).sum(0, 2).reshape(gammaGrad.shape()));
      INDArray dxhat3 = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, n, ch, hw);
      Broadcast.mul(dz3, getParam(GAMMA).reshape(ch), dxhat3, 1);
      long rows = n * layerConf().groups;
      long m = x.length() / rows;
      INDArray dxhat = dxhat3.reshape('c', rows, m);
      INDArray sumD = dxhat.sum(1).reshape(rows, 1);
      INDArray sumDx = dxhat.mul(xhat).sum(1).reshape(rows, 1);
      // dx = invstd / m * (m * dxhat - sum(dxhat) - xhat * sum(dxhat * xhat)), per (image, group).
      dxhat.muli(m).subiColumnVector(sumD).subi(xhat.muliColumnVector(sumDx)).muliColumnVector(norm[1].divi(m));
      Gradient g = new DefaultGradient();
      g.setGradientFor(GAMMA, gammaGrad);
      g.setGradientFor(BETA, betaGrad);
      return new Pair<>(g, dxhat3.reshape('c', x.shape()));
    }
  }
}
