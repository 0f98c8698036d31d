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
   * The layer implementation: forward and backward are primitive loops over a scratch copy of the
   * input (statistics in double, one pass per image, group and level region), so a call costs two
   * bulk copies instead of some twenty ND4J operations and their buffers. The copy and the
   * statistics of a training forward pass serve the backward pass of the same input (else they are
   * recomputed). DL4J calls a layer from one thread; each pass's loop over the (image, group) rows
   * is split once over the compute threads ({@link HostSplit}; one hand-off a pass), each row's
   * planes written by one thread, its sums taken in plane order, and the sums across rows (the
   * parameter gradients) afterwards in plane order, so the bits do not depend on the thread count.
   */
  static final class Impl extends ShapePreservingLayer.Impl<GroupNorm> {
    /** Work (values) below which a loop is not split: a hand-over costs some ten microseconds. */
    private static final long MIN_SPLIT = 8192;
    private double[] xs;
    private double[] ys;
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

    /** A pass over the current input: its scratch copy (into {@link #xs}), layout and parameters. */
    private GroupNormPass newPass() {
      GroupNorm c = layerConf();
      if (input.rank() != 4 || input.size(1) != c.channels) {
        throw new IllegalArgumentException("layer " + c.getLayerName() + " expects [N, " + c.channels
            + ", H, W] input; got " + java.util.Arrays.toString(input.shape()));
      }
      xs = HostBuffers.read(HostBuffers.dense(input), xs);
      return new GroupNormPass(c.channels, c.groups, c.eps, input.shape(), xs, layout(input.size(2), input.size(3)),
          HostBuffers.read(getParam(GAMMA), null), HostBuffers.read(getParam(BETA), null));
    }

    /** A scratch array of at least {@code n} values (reused between calls). */
    private double[] scratch(int n) {
      ys = ys != null && ys.length >= n ? ys : new double[n];
      return ys;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr mgr) {
      assertInputSet(false);
      GroupNormPass p = newPass();
      // Any forward pass rewrites the scratch copy that a kept pass reads, so it replaces or drops it.
      kept = training ? p : null;
      keptInput = training ? input : null;
      double[] y = scratch((int) input.length());
      boolean relu = relu();
      // One split over the (image, group) rows: each row's statistics, then its planes (one hand-off
      // to the other threads per call instead of two).
      HostSplit.forRange(p.rows, 3L * p.perGroup * p.hw, MIN_SPLIT, (from, to) -> {
        for (int r = from; r < to; r++) {
          p.statistics(r);
          for (int plane = r * p.perGroup; plane < (r + 1) * p.perGroup; plane++) {
            for (int l = 0; l < p.regions; l++) {
              double scale = p.scale(plane, l);
              double shift = p.shift(plane, l, scale);
              for (int start : p.runStarts[l]) {
                for (int i = plane * p.hw + start, end = i + p.runLength[l]; i < end; i++) {
                  double v = p.x[i] * scale + shift;
                  y[i] = relu && !(v > 0) ? 0 : v;
                }
              }
            }
          }
        }
      });
      p.zeroOutside(y);
      INDArray out = mgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, input.shape(), 'c');
      HostBuffers.write(y, out);
      return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr mgr) {
      assertInputSet(true);
      // The same input as the last training forward pass: its copy and statistics are still valid
      // (same arithmetic, so the same bits as recomputing them).
      boolean fresh = kept == null || keptInput != input;
      GroupNormPass p = fresh ? newPass() : kept;
      kept = null;
      keptInput = null;
      double[] dy = HostBuffers.read(HostBuffers.dense(epsilon), scratch((int) input.length()));
      ys = dy;
      boolean relu = relu();
      int channels = p.channels;
      int regions = p.regions;
      double[] sz = new double[p.planes * regions];
      double[] szx = new double[p.planes * regions];
      double[] sumD = new double[p.mean.length];
      double[] sumDx = new double[p.mean.length];
      // One split over the (image, group) rows (one hand-off per call instead of two): a row's
      // passes need only its own statistics and sums, each taken in plane order as before.
      HostSplit.forRange(p.rows, 4L * p.perGroup * p.hw, MIN_SPLIT, (from, to) -> {
        for (int r = from; r < to; r++) {
          if (fresh) {
            p.statistics(r);
          }
          int first = r * p.perGroup;
          int last = first + p.perGroup;
          // Pass 1, per plane and region: dz (through the activation) into dy, and the sums of dz
          // and of dz * xhat.
          for (int plane = first; plane < last; plane++) {
            for (int l = 0; l < regions; l++) {
              int st = p.stat(plane, l);
              // The ReLU mask from the same expression as the forward pass, so both agree at 0.
              double scale = p.scale(plane, l);
              double shift = p.shift(plane, l, scale);
              double s = 0;
              double sx = 0;
              for (int start : p.runStarts[l]) {
                for (int i = plane * p.hw + start, end = i + p.runLength[l]; i < end; i++) {
                  double xhat = (p.x[i] - p.mean[st]) * p.invStd[st];
                  double dz = relu && !(p.x[i] * scale + shift > 0) ? 0 : dy[i];
                  dy[i] = dz;
                  s += dz;
                  sx += dz * xhat;
                }
              }
              sz[plane * regions + l] = s;
              szx[plane * regions + l] = sx;
            }
          }
          // The row's statistics' sums of dxhat = dz * gamma and of dxhat * xhat, in plane order.
          for (int plane = first; plane < last; plane++) {
            double g = p.gamma[plane % channels];
            for (int l = 0; l < regions; l++) {
              sumD[p.stat(plane, l)] += sz[plane * regions + l] * g;
              sumDx[p.stat(plane, l)] += szx[plane * regions + l] * g;
            }
          }
          // Pass 2: dx = invstd / m * (m * dxhat - sum(dxhat) - xhat * sum(dxhat * xhat)).
          for (int plane = first; plane < last; plane++) {
            double g = p.gamma[plane % channels];
            for (int l = 0; l < regions; l++) {
              int st = p.stat(plane, l);
              double inv = p.invStd[st];
              int m = p.m[l];
              for (int start : p.runStarts[l]) {
                for (int i = plane * p.hw + start, end = i + p.runLength[l]; i < end; i++) {
                  double xhat = (p.x[i] - p.mean[st]) * inv;
                  dy[i] = inv / m * (m * dy[i] * g - sumD[st] - xhat * sumDx[st]);
                }
              }
            }
          }
        }
      });
      // The parameter gradients per region, across images: in plane order, after the split.
      double[][] dGammaOf = new double[regions][channels];
      double[][] dBetaOf = new double[regions][channels];
      for (int plane = 0; plane < p.planes; plane++) {
        for (int l = 0; l < regions; l++) {
          dBetaOf[l][plane % channels] += sz[plane * regions + l];
          dGammaOf[l][plane % channels] += szx[plane * regions + l];
        }
      }
      p.zeroOutside(dy);
      INDArray gammaGrad = gradientViews.get(GAMMA);
      INDArray betaGrad = gradientViews.get(BETA);
      HostBuffers.write(levelSum(dGammaOf), gammaGrad);
      HostBuffers.write(levelSum(dBetaOf), betaGrad);
      INDArray dx = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, input.shape(), 'c');
      HostBuffers.write(dy, dx);
      Gradient grad = new DefaultGradient();
      grad.setGradientFor(GAMMA, gammaGrad);
      grad.setGradientFor(BETA, betaGrad);
      return new Pair<>(grad, dx);
    }

    /**
     * The regions' parameter gradients, each rounded to float, summed in float in region order:
     * the gradient the tied per-level copies would hold ({@link TiedGradients} sums them so); with
     * one region, that region's (rounded to float when written, as before).
     */
    private static double[] levelSum(double[][] perRegion) {
      double[] out = new double[perRegion[0].length];
      for (int ch = 0; ch < out.length; ch++) {
        float acc = (float) perRegion[0][ch];
        for (int l = 1; l < perRegion.length; l++) {
          acc += (float) perRegion[l][ch];
        }
        out[ch] = acc;
      }
      return out;
    }
  }
}
