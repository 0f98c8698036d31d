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
   * recomputed). DL4J calls a layer from one thread; the loops over (image, group) rows and channel
   * planes are split over the compute threads ({@link HostSplit}), each row or plane written by one
   * thread, and the sums across planes (the parameter gradients, the per-row sums) are taken
   * afterwards in plane order, so the bits do not depend on the thread count.
   */
  static final class Impl extends ShapePreservingLayer.Impl<GroupNorm> {
    /** Work (values) below which a loop is not split: a hand-over costs some ten microseconds. */
    private static final long MIN_SPLIT = 8192;
    private double[] xs;
    private double[] ys;
    /** The statistics of the last training forward pass and its input, for the backward pass. */
    private Pass kept;
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

    /**
     * The input's scratch copy and per (image, group, region) its mean and inverse standard
     * deviation (two passes in double). Planes are the {@code N * C} channel maps of {@code hw}
     * pixels in C order; plane {@code p} has channel {@code p % C} and belongs to (image, group) row
     * {@code p / (C / G)}; statistic {@code row * regions + region}.
     */
    private final class Pass {
      final GroupNorm c = layerConf();
      final double[] x;
      final int planes;
      final int hw;
      final int perGroup = c.channels / c.groups;
      final int[][] pixels;
      final int[] outside;
      final int regions;
      /** Per region: values per statistic. */
      final int[] m;
      final double[] mean;
      final double[] invStd;
      final double[] gamma = HostBuffers.read(getParam(GAMMA), null);
      final double[] beta = HostBuffers.read(getParam(BETA), null);

      Pass() {
        if (input.rank() != 4 || input.size(1) != c.channels) {
          throw new IllegalArgumentException("layer " + c.getLayerName() + " expects [N, " + c.channels
              + ", H, W] input; got " + java.util.Arrays.toString(input.shape()));
        }
        LevelCanvas.Pixels layout = layout(input.size(2), input.size(3));
        pixels = layout.regions();
        outside = layout.outside();
        regions = pixels.length;
        xs = HostBuffers.read(HostBuffers.dense(input), xs);
        x = xs;
        planes = (int) (input.size(0) * c.channels);
        hw = (int) (input.length() / planes);
        m = new int[regions];
        for (int l = 0; l < regions; l++) {
          m[l] = perGroup * pixels[l].length;
        }
        int rows = planes / perGroup;
        mean = new double[rows * regions];
        invStd = new double[rows * regions];
        HostSplit.forRange(rows, 2L * perGroup * hw, MIN_SPLIT, (from, to) -> {
          for (int r = from; r < to; r++) {
            for (int l = 0; l < regions; l++) {
              int[] px = pixels[l];
              double sum = 0;
              for (int p = r * perGroup; p < (r + 1) * perGroup; p++) {
                for (int o : px) {
                  sum += x[p * hw + o];
                }
              }
              double mu = sum / m[l];
              double sq = 0;
              for (int p = r * perGroup; p < (r + 1) * perGroup; p++) {
                for (int o : px) {
                  double d = x[p * hw + o] - mu;
                  sq += d * d;
                }
              }
              mean[r * regions + l] = mu;
              invStd[r * regions + l] = 1 / Math.sqrt(sq / m[l] + c.eps);
            }
          }
        });
      }

      /** The statistic index of plane {@code p}'s region {@code l}. */
      int stat(int p, int l) {
        return p / perGroup * regions + l;
      }

      /** The normalisation's scale of plane {@code p} in region {@code l}: inverse deviation times gamma. */
      double scale(int p, int l) {
        return invStd[stat(p, l)] * gamma[p % c.channels];
      }

      /** The shift of plane {@code p} in region {@code l}, given its {@link #scale}. */
      double shift(int p, int l, double scale) {
        return beta[p % c.channels] - mean[stat(p, l)] * scale;
      }

      /** Writes zeros at the pixels outside every region (a canvas's gaps) of every plane. */
      void zeroOutside(double[] a) {
        if (outside.length > 0) {
          for (int plane = 0; plane < planes; plane++) {
            for (int o : outside) {
              a[plane * hw + o] = 0;
            }
          }
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
      HostSplit.forRange(p.planes, p.hw, MIN_SPLIT, (from, to) -> {
        for (int plane = from; plane < to; plane++) {
          for (int l = 0; l < p.regions; l++) {
            double scale = p.scale(plane, l);
            double shift = p.shift(plane, l, scale);
            for (int o : p.pixels[l]) {
              int i = plane * p.hw + o;
              double v = p.x[i] * scale + shift;
              y[i] = relu && !(v > 0) ? 0 : v;
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
      Pass p = kept != null && keptInput == input ? kept : new Pass();
      kept = null;
      keptInput = null;
      double[] dy = HostBuffers.read(HostBuffers.dense(epsilon), scratch((int) input.length()));
      ys = dy;
      boolean relu = relu();
      int channels = p.c.channels;
      int regions = p.regions;
      // Pass 1, per plane and region: dz (through the activation) into dy, and the sums of dz and
      // of dz * xhat.
      double[] sz = new double[p.planes * regions];
      double[] szx = new double[p.planes * regions];
      HostSplit.forRange(p.planes, p.hw, MIN_SPLIT, (from, to) -> {
        for (int plane = from; plane < to; plane++) {
          for (int l = 0; l < regions; l++) {
            int st = p.stat(plane, l);
            // The ReLU mask from the same expression as the forward pass, so both agree at 0.
            double scale = p.scale(plane, l);
            double shift = p.shift(plane, l, scale);
            double s = 0;
            double sx = 0;
            for (int o : p.pixels[l]) {
              int i = plane * p.hw + o;
              double xhat = (p.x[i] - p.mean[st]) * p.invStd[st];
              double dz = relu && !(p.x[i] * scale + shift > 0) ? 0 : dy[i];
              dy[i] = dz;
              s += dz;
              sx += dz * xhat;
            }
            sz[plane * regions + l] = s;
            szx[plane * regions + l] = sx;
          }
        }
      });
      // In plane order: per region the parameter gradients, and per statistic the sums of
      // dxhat = dz * gamma and of dxhat * xhat.
      double[][] dGammaOf = new double[regions][channels];
      double[][] dBetaOf = new double[regions][channels];
      double[] sumD = new double[p.mean.length];
      double[] sumDx = new double[p.mean.length];
      for (int plane = 0; plane < p.planes; plane++) {
        int ch = plane % channels;
        for (int l = 0; l < regions; l++) {
          int st = p.stat(plane, l);
          double s = sz[plane * regions + l];
          double sx = szx[plane * regions + l];
          dBetaOf[l][ch] += s;
          dGammaOf[l][ch] += sx;
          sumD[st] += s * p.gamma[ch];
          sumDx[st] += sx * p.gamma[ch];
        }
      }
      // Pass 2: dx = invstd / m * (m * dxhat - sum(dxhat) - xhat * sum(dxhat * xhat)).
      HostSplit.forRange(p.planes, p.hw, MIN_SPLIT, (from, to) -> {
        for (int plane = from; plane < to; plane++) {
          double g = p.gamma[plane % channels];
          for (int l = 0; l < regions; l++) {
            int st = p.stat(plane, l);
            double inv = p.invStd[st];
            int m = p.m[l];
            for (int o : p.pixels[l]) {
              int i = plane * p.hw + o;
              double xhat = (p.x[i] - p.mean[st]) * inv;
              dy[i] = inv / m * (m * dy[i] * g - sumD[st] - xhat * sumDx[st]);
            }
          }
        }
      });
      p.zeroOutside(dy);
      INDArray gammaGrad = gradientViews.get(GAMMA);
      INDArray betaGrad = gradientViews.get(BETA);
      HostBuffers.write(TiedGradients.levelSum(dGammaOf), gammaGrad);
      HostBuffers.write(TiedGradients.levelSum(dBetaOf), betaGrad);
      INDArray dx = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, input.shape(), 'c');
      HostBuffers.write(dy, dx);
      Gradient grad = new DefaultGradient();
      grad.setGradientFor(GAMMA, gammaGrad);
      grad.setGradientFor(BETA, betaGrad);
      return new Pair<>(grad, dx);
    }
  }
}
