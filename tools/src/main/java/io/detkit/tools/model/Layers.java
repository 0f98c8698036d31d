package io.detkit.tools.model;

import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
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
    NORMAL_001
  }

  /**
   * A square convolution padded by {@code kernel / 2} on each side (PyTorch's
   * {@code Conv2d(k, stride, padding=k // 2)}), output size {@code floor((in - 1) / stride) + 1}.
   */
  static NativeConvolution conv(int kernel, int stride, int nIn, int nOut, Activation act, Init init, double bias) {
    IWeightInit w = switch (init) {
      case KAIMING -> WeightInit.RELU.getWeightInitFunction();
      case XAVIER -> WeightInit.XAVIER_UNIFORM.getWeightInitFunction();
      default -> new WeightInitDistribution(new NormalDistribution(0, 0.01));
    };
    return NativeConvolution.of(kernel, stride, nIn, nOut, act, w, bias);
  }

  /**
   * Requires {@code norm_cfg=None}. DL4J has no GroupNorm, and its BatchNormalization cannot be
   * backpropagated from external errors after a detached forward pass with workspaces enabled,
   * so the networks here are built without normalization layers.
   *
   * @throws ConfigException for any normalization, naming the key
   */
  static void requireNoNorm(Config c) {
    Object norm = c.get("norm_cfg");
    if (norm != null) {
      throw ConfigException.at(c.pathOf("norm_cfg"), "normalization layers are not supported by the DL4J model "
          + "(no GroupNorm in DL4J; BatchNorm breaks external-error backprop); set norm_cfg=None; got "
          + Config.describe(norm));
    }
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
        throw ConfigException.at(c.pathOf(key), "must hold values > 0; got " + java.util.Arrays.toString(v));
      }
    }
    return v;
  }
}
