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
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;

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
// Settings live in private fields without accessors: Jackson (DL4J's JSON form) reads and
// writes the fields themselves, so a configuration read back builds the same layer.
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY)
public final class GroupNorm extends ShapePreservingLayer {
  private static final long serialVersionUID = 1L;
  static final String GAMMA = "gamma";
  static final String BETA = "beta";

  private int channels;
  private int groups;
  private double eps;
  /**
   * Null for a plain map; else the stride ratios of the {@link LevelCanvas} the input is: each
   * level's region normalized on its own, zeros outside the regions.
   */
  private int[] levelRatios;

  /** gamma [1, C] (starts at 1) then beta [1, C] (starts at 0). */
  private static final VectorParams PARAMS = new VectorParams(List.of(GAMMA), List.of(BETA),
      layer -> ((GroupNorm) layer).channels, (layer, params) -> {
        params.get(GAMMA).assign(1);
        params.get(BETA).assign(0);
      });

  /** For Jackson and cloning. */
  public GroupNorm() {
    this(new Builder(b -> new GroupNorm(b, new Settings(1, 1, 1e-5), null)), new Settings(1, 1, 1e-5), null);
  }

  private GroupNorm(Builder b, Settings settings, LevelCanvas canvas) {
    super(b, PARAMS);
    this.channels = settings.channels();
    this.groups = settings.groups();
    this.eps = settings.eps();
    this.levelRatios = canvas == null ? null : canvas.ratios();
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
    return of(channels, groups, act, null);
  }

  /**
   * {@link #of(int, int, Activation)} on the levels of a {@link LevelCanvas} (null: a plain map):
   * statistics per (image, group, level region), the levels' outputs and gradients those of one
   * group normalization per level, zeros outside the regions (the canvas's gaps, which the next
   * convolution reads as padding); the parameter gradients are each level's, rounded to float and
   * summed in level order (as the per-level copies' gradients are summed when tied).
   */
  static GroupNorm of(int channels, int groups, Activation act, LevelCanvas canvas) {
    Settings settings = new Settings(channels, groups, 1e-5);
    if (act != Activation.RELU && act != Activation.IDENTITY) {
      throw new IllegalArgumentException("GroupNorm supports the RELU and IDENTITY activations; got " + act);
    }
    return (GroupNorm) new Builder(b -> new GroupNorm(b, settings, canvas)).activation(act).build();
  }

  /** The layer's hyper-parameters. */
  public Settings settings() {
    return new Settings(channels, groups, eps);
  }

  /** The stride ratios of the {@link LevelCanvas} the layer normalizes, or null for a plain map (a copy). */
  int[] levelRatios() {
    return levelRatios == null ? null : levelRatios.clone();
  }

  @Override
  Impl newImpl(NeuralNetConfiguration conf, DataType dataType) {
    return new Impl(conf, dataType);
  }

  /**
   * The layer implementation: forward and backward are primitive loops ({@link GroupNormPass}) over
   * the arrays' values in double, read and written a tile of rows at a time, so a call costs no
   * ND4J operation but the output's allocation, instead of some twenty operations and their
   * buffers. The statistics of a training forward pass serve the backward pass of the same input
   * (else they are recomputed). DL4J calls a layer from one thread; large maps split the loops over
   * blocks of (image, group) rows over the compute threads ({@link HostSplit}), each row and plane
   * written by one thread, and the sums across rows (the parameter gradients) are taken afterwards
   * in plane order, so the bits do not depend on the thread count.
   */
  static final class Impl extends ShapePreservingLayer.Impl<GroupNorm> {
    /**
     * Work (values) below which a loop is not split. A hand-over costs some ten microseconds and,
     * on a busy machine, a wait for a descheduled worker; the head's canvas layers (~50,000 values,
     * a call some 100-200 us on one thread) ran no faster in wall time on two threads and cost more
     * CPU, so they stay on the caller (docs/performance.md, "GroupNorm's loops").
     */
    private static final long MIN_SPLIT = 1 << 17;
    /** The statistics of the last training forward pass and its input, for the backward pass. */
    private GroupNormPass kept;
    private INDArray keptInput;
    private LevelCanvas.Pixels layout;

    Impl(NeuralNetConfiguration conf, DataType dataType) {
      super(conf, dataType, Type.NORMALIZATION);
    }

    @Override
    public void clear() {
      super.clear();
      kept = null;
      keptInput = null;
    }

    private boolean relu() {
      return layerConf().getActivationFn() instanceof ActivationReLU;
    }

    /** The pixel layout of the last input's {@code h x w} planes, reused while the shape stays. */
    private LevelCanvas.Pixels layout(long h, long w) {
      if (layout == null || layout.h() != h || layout.w() != w) {
        layout = LevelCanvas.Pixels.of(layerConf().levelRatios, h, w);
      }
      return layout;
    }

    /** A pass over the input with the current gamma and beta. */
    private GroupNormPass pass() {
      GroupNorm c = layerConf();
      if (input.rank() != 4 || input.size(1) != c.channels) {
        throw new IllegalArgumentException("layer " + c.getLayerName() + " expects [N, " + c.channels
            + ", H, W] input; got " + java.util.Arrays.toString(input.shape()));
      }
      int planes = (int) (input.size(0) * c.channels);
      return new GroupNormPass(c.channels, c.groups, c.eps, planes, (int) (input.length() / planes),
          layout(input.size(2), input.size(3)), HostBuffers.read(getParam(GAMMA), null),
          HostBuffers.read(getParam(BETA), null));
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr mgr) {
      assertInputSet(false);
      GroupNormPass p = pass();
      kept = training ? p : null;
      keptInput = training ? input : null;
      INDArray out = mgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, input.shape(), 'c');
      p.forward(new HostBuffers.Values(HostBuffers.dense(input)), new HostBuffers.Values(out), relu(), MIN_SPLIT);
      return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr mgr) {
      assertInputSet(true);
      // The same input as the last training forward pass: its statistics are still valid (same
      // arithmetic, so the same bits as recomputing them).
      GroupNormPass p = kept != null && keptInput == input ? kept : pass();
      kept = null;
      keptInput = null;
      int channels = p.channels;
      int regions = p.regions;
      double[] sz = new double[p.planes * regions];
      double[] szx = new double[p.planes * regions];
      INDArray dx = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, input.shape(), 'c');
      p.backward(new HostBuffers.Values(HostBuffers.dense(input)), new HostBuffers.Values(HostBuffers.dense(epsilon)),
          new HostBuffers.Values(dx), relu(), MIN_SPLIT, sz, szx);
      // In plane order: per region the parameter gradients.
      double[][] dGammaOf = new double[regions][channels];
      double[][] dBetaOf = new double[regions][channels];
      for (int plane = 0; plane < p.planes; plane++) {
        int ch = p.channel(plane);
        for (int l = 0; l < regions; l++) {
          dBetaOf[l][ch] += sz[plane * regions + l];
          dGammaOf[l][ch] += szx[plane * regions + l];
        }
      }
      INDArray gammaGrad = gradientViews.get(GAMMA);
      INDArray betaGrad = gradientViews.get(BETA);
      HostBuffers.write(TiedGradients.levelSum(dGammaOf), gammaGrad);
      HostBuffers.write(TiedGradients.levelSum(dBetaOf), betaGrad);
      Gradient grad = new DefaultGradient();
      grad.setGradientFor(GAMMA, gammaGrad);
      grad.setGradientFor(BETA, betaGrad);
      return new Pair<>(grad, dx);
    }
  }
}
