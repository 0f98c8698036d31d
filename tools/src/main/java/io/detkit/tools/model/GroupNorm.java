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
import org.nd4j.linalg.activations.impl.ActivationReLU;

/**
 * Group normalization (Wu and He, 2018) followed by an activation, as a DL4J layer for NCHW
 * inputs: channels are split into {@code groups} groups, each (image, group) is normalized to
 * zero mean and unit variance over its channels and pixels (biased variance, {@code eps} added),
 * then scaled by a per-channel {@code gamma} (starts at 1) and shifted by {@code beta} (starts at
 * 0), as PyTorch's {@code nn.GroupNorm} that MMDetection's {@code norm_cfg=dict(type='GN')} builds.
 * DL4J has no group normalization of its own.
 *
 * <p>Only the ReLU and identity activations are supported (MMDetection's ConvModule applies
 * ReLU after its normalization).
 */
public final class GroupNorm extends ShapePreservingLayer {
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
    this.channels = b.settings.channels();
    this.groups = b.settings.groups();
    this.eps = b.settings.eps();
  }

  /**
   * A group normalization's hyper-parameters: {@code channels} split into {@code groups} groups,
   * {@code eps} added to the variance (PyTorch's default 1e-5 in {@link GroupNorm#of}).
   *
   * @throws IllegalArgumentException unless {@code groups} divides {@code channels} (both &gt; 0) and
   *     {@code eps} is positive and finite
   */
  public record Settings(int channels, int groups, double eps) {
    public Settings {
      if (channels <= 0 || groups <= 0 || channels % groups != 0) {
        throw new IllegalArgumentException("num_groups must divide the channels; got " + groups + " groups for "
            + channels + " channels");
      }
      if (!(eps > 0) || Double.isInfinite(eps)) {
        throw new IllegalArgumentException("eps must be positive and finite; got " + eps);
      }
    }
  }

  /**
   * A group normalization of {@code channels} channels in {@code groups} groups, then {@code act}.
   *
   * @throws IllegalArgumentException if {@code groups} does not divide {@code channels} or
   *     {@code act} is neither RELU nor IDENTITY
   */
  public static GroupNorm of(int channels, int groups, Activation act) {
    Settings settings = new Settings(channels, groups, 1e-5);
    if (act != Activation.RELU && act != Activation.IDENTITY) {
      throw new IllegalArgumentException("GroupNorm supports the RELU and IDENTITY activations; got " + act);
    }
    Builder b = new Builder();
    b.settings = settings;
    b.activation(act);
    return new GroupNorm(b);
  }

  /** The layer's hyper-parameters. */
  public Settings settings() {
    return new Settings(channels, groups, eps);
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
    Settings settings = new Settings(1, 1, 1e-5);

    @Override
    @SuppressWarnings("unchecked")
    public GroupNorm build() {
      return new GroupNorm(this);
    }
  }

  /** gamma [1, C] (starts at 1) then beta [1, C] (starts at 0). */
  static final class Params extends VectorParams {
    static final Params INSTANCE = new Params();

    private Params() {
      super(List.of(GAMMA), List.of(BETA));
    }

    @Override
    long length(org.deeplearning4j.nn.conf.layers.Layer layer) {
      return ((GroupNorm) layer).channels;
    }

    @Override
    void initialize(org.deeplearning4j.nn.conf.layers.Layer layer, Map<String, INDArray> params) {
      params.get(GAMMA).assign(1);
      params.get(BETA).assign(0);
    }
  }

  /**
   * The layer implementation: forward and backward are primitive loops over a scratch copy of the
   * input (statistics in double, one pass per image and group), so a call costs two bulk copies
   * instead of some twenty ND4J operations and their buffers. The copy and the statistics of a
   * training forward pass serve the backward pass of the same input (else they are recomputed).
   * Single-threaded, as DL4J calls a layer.
   */
  static final class Impl extends ShapePreservingLayer.Impl<GroupNorm> {
    private double[] xs;
    private double[] ys;
    /** The statistics of the last training forward pass and its input, for the backward pass. */
    private Pass kept;
    private INDArray keptInput;

    Impl(NeuralNetConfiguration conf, DataType dataType) {
      super(conf, dataType);
    }

    @Override
    public void clear() {
      super.clear();
      kept = null;
      keptInput = null;
    }

    @Override
    public Type type() {
      return Type.NORMALIZATION;
    }

    @Override
    public boolean hasBias() {
      return true;
    }

    private boolean relu() {
      return layerConf().getActivationFn() instanceof ActivationReLU;
    }

    /**
     * The input's scratch copy and per (image, group) its mean and inverse standard deviation (two
     * passes in double). Planes are the {@code N * C} channel maps of {@code hw} pixels in C order;
     * plane {@code p} has channel {@code p % C} and belongs to (image, group) row
     * {@code p / (C / G)}.
     */
    private final class Pass {
      final GroupNorm c = layerConf();
      final double[] x;
      final int planes;
      final int hw;
      final int perGroup = c.channels / c.groups;
      final int m;
      final double[] mean;
      final double[] invStd;
      final double[] gamma = HostBuffers.read(getParam(GAMMA), null);
      final double[] beta = HostBuffers.read(getParam(BETA), null);

      Pass() {
        if (input.rank() != 4 || input.size(1) != c.channels) {
          throw new IllegalArgumentException("layer " + c.getLayerName() + " expects [N, " + c.channels
              + ", H, W] input; got " + java.util.Arrays.toString(input.shape()));
        }
        xs = HostBuffers.read(HostBuffers.dense(input), xs);
        x = xs;
        planes = (int) (input.size(0) * c.channels);
        hw = (int) (input.length() / planes);
        m = perGroup * hw;
        int rows = planes / perGroup;
        mean = new double[rows];
        invStd = new double[rows];
        for (int r = 0; r < rows; r++) {
          double sum = 0;
          for (int i = r * m; i < (r + 1) * m; i++) {
            sum += x[i];
          }
          double mu = sum / m;
          double sq = 0;
          for (int i = r * m; i < (r + 1) * m; i++) {
            sq += (x[i] - mu) * (x[i] - mu);
          }
          mean[r] = mu;
          invStd[r] = 1 / Math.sqrt(sq / m + c.eps);
        }
      }
    }

    /** A scratch array of at least {@code n} values (reused between calls). */
    private double[] scratch(int n) {
      ys = ys != null && ys.length >= n ? ys : new double[n];
      return ys;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr mgr) {
      assertInputSet(false);
      Pass p = new Pass();
      // Any forward pass rewrites the scratch copy that a kept pass reads, so it replaces or drops it.
      kept = training ? p : null;
      keptInput = training ? input : null;
      double[] y = scratch((int) input.length());
      boolean relu = relu();
      for (int plane = 0; plane < p.planes; plane++) {
        int row = plane / p.perGroup;
        int ch = plane % p.c.channels;
        double scale = p.invStd[row] * p.gamma[ch];
        double shift = p.beta[ch] - p.mean[row] * scale;
        for (int i = plane * p.hw; i < (plane + 1) * p.hw; i++) {
          double v = p.x[i] * scale + shift;
          y[i] = relu && !(v > 0) ? 0 : v;
        }
      }
      INDArray out = mgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, input.shape(), 'c');
      HostBuffers.write(y, out);
      return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr mgr) {
      assertInputSet(true);
      // The same input as the last training forward pass: its copy and statistics are still valid
      // (same arithmetic, so the same bits as recomputing them).
      Pass p = kept != null && keptInput == input ? kept : new Pass();
      kept = null;
      keptInput = null;
      double[] dy = HostBuffers.read(HostBuffers.dense(epsilon), scratch((int) input.length()));
      ys = dy;
      boolean relu = relu();
      int channels = p.c.channels;
      double[] dGamma = new double[channels];
      double[] dBeta = new double[channels];
      double[] sumD = new double[p.mean.length];
      double[] sumDx = new double[p.mean.length];
      // Pass 1: dz (through the activation) into dy, the parameter gradients, and per (image,
      // group) the sums of dxhat = dz * gamma and of dxhat * xhat.
      for (int plane = 0; plane < p.planes; plane++) {
        int row = plane / p.perGroup;
        int ch = plane % channels;
        // The ReLU mask from the same expression as the forward pass, so both agree at 0.
        double scale = p.invStd[row] * p.gamma[ch];
        double shift = p.beta[ch] - p.mean[row] * scale;
        double sz = 0;
        double szx = 0;
        for (int i = plane * p.hw; i < (plane + 1) * p.hw; i++) {
          double xhat = (p.x[i] - p.mean[row]) * p.invStd[row];
          double dz = relu && !(p.x[i] * scale + shift > 0) ? 0 : dy[i];
          dy[i] = dz;
          sz += dz;
          szx += dz * xhat;
        }
        dBeta[ch] += sz;
        dGamma[ch] += szx;
        sumD[row] += sz * p.gamma[ch];
        sumDx[row] += szx * p.gamma[ch];
      }
      // Pass 2: dx = invstd / m * (m * dxhat - sum(dxhat) - xhat * sum(dxhat * xhat)).
      for (int plane = 0; plane < p.planes; plane++) {
        int row = plane / p.perGroup;
        double g = p.gamma[plane % channels];
        double inv = p.invStd[row];
        for (int i = plane * p.hw; i < (plane + 1) * p.hw; i++) {
          double xhat = (p.x[i] - p.mean[row]) * inv;
          dy[i] = inv / p.m * (p.m * dy[i] * g - sumD[row] - xhat * sumDx[row]);
        }
      }
      INDArray gammaGrad = gradientViews.get(GAMMA);
      INDArray betaGrad = gradientViews.get(BETA);
      HostBuffers.write(dGamma, gammaGrad);
      HostBuffers.write(dBeta, betaGrad);
      INDArray dx = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, input.shape(), 'c');
      HostBuffers.write(dy, dx);
      Gradient grad = new DefaultGradient();
      grad.setGradientFor(GAMMA, gammaGrad);
      grad.setGradientFor(BETA, betaGrad);
      return new Pair<>(grad, dx);
    }
  }
}
