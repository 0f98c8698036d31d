package io.detkit.tools.model;

import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.deeplearning4j.nn.conf.distribution.NormalDistribution;
import org.deeplearning4j.nn.weights.IWeightInit;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.nn.weights.WeightInitDistribution;
import org.nd4j.linalg.activations.Activation;

/** Convolution builders shared by the backbone, neck and head towers. */
final class Layers {
  private Layers() {}

  /** How a convolution's weights start. */
  enum Init {
    /** He normal, for convolutions followed by ReLU (MMDetection's backbones use Kaiming). */
    KAIMING,
    /** Xavier uniform, as MMDetection's FPN initialises its convolutions. */
    XAVIER,
    /** Normal with standard deviation 0.01, as MMDetection's dense heads initialise theirs. */
    NORMAL_001,
    /** Normal with standard deviation 0.001 (TOOD's layer attention and offset convolutions). */
    NORMAL_0001
  }

  /**
   * A square convolution padded by {@code kernel / 2} on each side (PyTorch's
   * {@code Conv2d(k, stride, padding=k // 2)}), output size {@code floor((in - 1) / stride) + 1}.
   */
  static NativeConvolution conv(int kernel, int stride, int nIn, int nOut, Activation act, Init init, double bias) {
    return conv(kernel, stride, nIn, nOut, act, init, bias, true);
  }

  /** {@link #conv} with or without a bias. */
  static NativeConvolution conv(int kernel, int stride, int nIn, int nOut, Activation act, Init init, double bias,
      boolean hasBias) {
    IWeightInit w = switch (init) {
      case KAIMING -> WeightInit.RELU.getWeightInitFunction();
      case XAVIER -> WeightInit.XAVIER_UNIFORM.getWeightInitFunction();
      case NORMAL_0001 -> new WeightInitDistribution(new NormalDistribution(0, 0.001));
      default -> new WeightInitDistribution(new NormalDistribution(0, 0.01));
    };
    return NativeConvolution.of(kernel, stride, nIn, nOut, act, w, bias, hasBias);
  }

  /**
   * Reads {@code norm_cfg}: None, or {@code dict(type='GN', num_groups=G)} (group normalization,
   * {@link GroupNorm}).
   *
   * @return the number of groups, or 0 for no normalization
   * @throws ConfigException for another normalization (DL4J's BatchNormalization cannot be
   *     backpropagated from external errors after a detached forward pass with workspaces
   *     enabled), naming the key
   */
  static int readGroupNorm(Config c) {
    Config norm = c.getConfigOrNull("norm_cfg");
    if (norm == null) {
      c.accept("norm_cfg");
      return 0;
    }
    String type = norm.getString("type");
    if (!type.equals("GN")) {
      throw ConfigException.at(norm.pathOf("type"), "only norm_cfg=None or dict(type='GN', num_groups=G) is "
          + "supported; got '" + type + "'");
    }
    if (!norm.getBoolean("requires_grad", true)) {
      throw ConfigException.at(norm.pathOf("requires_grad"), "frozen normalization is not supported");
    }
    int groups = norm.getInt("num_groups");
    if (groups <= 0) {
      throw ConfigException.at(norm.pathOf("num_groups"), "must be > 0; got " + groups);
    }
    norm.accept("eps");
    norm.requireKeysIn(Set.of("type", "num_groups", "requires_grad", "eps"), "norm_cfg type 'GN'");
    return groups;
  }

  /**
   * Adds MMDetection's ConvModule: a convolution then ReLU, or, with {@code groups > 0}, a
   * convolution without bias, group normalization and ReLU.
   *
   * @param suffix appended to the layer names (the head's {@code @level})
   * @return the name of the module's output vertex, {@code name + suffix}
   */
  static String convModule(org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder g, String name,
      String suffix, String input, int kernel, int stride, int nIn, int nOut, Init init, int groups) {
    return convModule(g, name, suffix, input, kernel, stride, nIn, nOut, init, groups, null);
  }

  /**
   * {@link #convModule} on a {@link LevelCanvas} ({@code canvas} non-null; needs {@code groups > 0}:
   * the normalization writes the zeros between the levels that the next convolution reads).
   */
  static String convModule(org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder g, String name,
      String suffix, String input, int kernel, int stride, int nIn, int nOut, Init init, int groups,
      LevelCanvas canvas) {
    if (canvas != null && groups == 0) {
      throw new IllegalArgumentException(name + ": a level canvas needs a normalization to clear its gaps");
    }
    if (groups == 0) {
      g.addLayer(name + suffix, conv(kernel, stride, nIn, nOut, Activation.RELU, init, 0), input);
      return name + suffix;
    }
    if (nOut % groups != 0) {
      throw new IllegalArgumentException(name + ": GN num_groups=" + groups + " must divide the " + nOut
          + " channels");
    }
    g.addLayer(name + ".conv" + suffix, conv(kernel, stride, nIn, nOut, Activation.IDENTITY, init, 0, false), input);
    g.addLayer(name + suffix, GroupNorm.of(nOut, groups, Activation.RELU, canvas), name + ".conv" + suffix);
    return name + suffix;
  }

  /** The layer names {@link #convModule} adds under {@code name} (without the suffix). */
  static List<String> convModuleLayerNames(String name, int groups) {
    return groups == 0 ? List.of(name) : List.of(name, name + ".conv");
  }

  /** Rejects a {@code conv_cfg} other than None (only plain convolutions are built). */
  static void requireNoConvCfg(Config c) {
    if (!c.isNull("conv_cfg")) {
      throw ConfigException.at(c.pathOf("conv_cfg"), "only conv_cfg=None (plain convolutions) is supported; got "
          + Config.describe(c.get("conv_cfg")));
    }
  }

  /** An int that must be positive; required when {@code def} is not positive. */
  static int positive(Config c, String key, int def) {
    int v = def > 0 ? c.getInt(key, def) : c.getInt(key);
    if (v <= 0) {
      throw ConfigException.at(c.pathOf(key), "must be > 0; got " + v);
    }
    return v;
  }

  /** A non-empty int list of positive values; required when {@code def} is null. */
  static int[] positiveArray(Config c, String key, int[] def) {
    int[] v = def != null ? c.getIntArray(key, def) : c.getIntArray(key);
    if (v.length == 0) {
      throw ConfigException.at(c.pathOf(key), "must not be empty");
    }
    for (int x : v) {
      if (x <= 0) {
        throw ConfigException.at(c.pathOf(key), "must hold values > 0; got " + Arrays.toString(v));
      }
    }
    return v;
  }
}
