package io.detkit.tools.model;

import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.Upsampling2D;
import org.nd4j.linalg.activations.Activation;

/**
 * MMDetection 2.x's feature pyramid neck ({@code type='FPN'}) on a DL4J graph: 1x1 lateral
 * convolutions to {@code out_channels}, a top-down pathway that adds the 2x nearest-upsampled
 * coarser lateral to the finer one, 3x3 output convolutions without activation, and extra coarser
 * levels when {@code num_outs} exceeds the used inputs: stride-2 max pooling of the last output
 * ({@code add_extra_convs=False}) or stride-2 3x3 convolutions on the input, lateral or output
 * ({@code 'on_input'} / {@code True}, {@code 'on_lateral'}, {@code 'on_output'}), optionally with
 * ReLU before all but the first ({@code relu_before_extra_convs}).
 *
 * <p>The upsampling doubles sizes, so input maps must halve exactly from level to level (pad the
 * image to a multiple of the coarsest stride). Keys: {@code in_channels}, {@code out_channels},
 * {@code num_outs}, {@code start_level} (0), {@code end_level} (-1, inclusive),
 * {@code add_extra_convs}, {@code relu_before_extra_convs}; {@code conv_cfg}, {@code norm_cfg} and
 * {@code act_cfg} must be None, {@code upsample_cfg} nearest; {@code no_norm_on_lateral} and
 * {@code init_cfg} are accepted. Immutable.
 *
 * @param outChannels {@code out_channels}
 * @param numOuts number of output levels
 */
public record FPN(int[] inChannels, int outChannels, int numOuts, int startLevel, int endLevel, String addExtraConvs,
    boolean reluBeforeExtraConvs) {

  /**
   * @param endLevel the last backbone output used (inclusive), -1 for the last one
   * @param addExtraConvs null (max pooling), "on_input", "on_lateral" or "on_output"
   * @throws IllegalArgumentException if the levels do not fit the inputs (messages as MMDetection's
   *     assertions, in words)
   */
  public FPN {
    int n = inChannels.length;
    check(n > 0, "in_channels must not be empty");
    check(outChannels > 0, "out_channels must be > 0; got " + outChannels);
    check(startLevel >= 0 && startLevel < n, "start_level must be in [0, " + n + "); got " + startLevel);
    if (endLevel == -1 || endLevel == n - 1) {
      check(numOuts >= n - startLevel, "num_outs must be >= len(in_channels) - start_level = " + (n - startLevel)
          + "; got " + numOuts);
    } else {
      check(endLevel >= startLevel && endLevel < n, "end_level must be -1 or in [start_level, " + n + "); got "
          + endLevel);
      check(numOuts == endLevel - startLevel + 1, "num_outs must be end_level - start_level + 1 = "
          + (endLevel - startLevel + 1) + "; got " + numOuts);
    }
    check(addExtraConvs == null || List.of("on_input", "on_lateral", "on_output").contains(addExtraConvs),
        "add_extra_convs must be False, True, 'on_input', 'on_lateral' or 'on_output'; got " + addExtraConvs);
    inChannels = inChannels.clone();
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  /**
   * Builds from {@code dict(type='FPN', ...)}.
   *
   * @throws ConfigException naming the key for a bad or unsupported value
   */
  public static FPN fromConfig(Config c) {
    int[] in = Layers.positiveArray(c, "in_channels", null);
    int out = Layers.positive(c, "out_channels", 0);
    int numOuts = c.getInt("num_outs");
    int start = c.getInt("start_level", 0);
    int end = c.getInt("end_level", -1);
    Object extra = c.get("add_extra_convs");
    String mode;
    if (extra == null || Boolean.FALSE.equals(extra)) {
      mode = null;
    } else if (Boolean.TRUE.equals(extra)) {
      mode = "on_input";
    } else if (extra instanceof String s) {
      mode = s;
    } else {
      throw ConfigException.at(c.pathOf("add_extra_convs"), "expected a bool or one of 'on_input', 'on_lateral', "
          + "'on_output'; got " + Config.describe(extra));
    }
    boolean relu = c.getBoolean("relu_before_extra_convs", false);
    Layers.requireNoConvCfg(c);
    if (!c.isNull("norm_cfg")) {
      throw ConfigException.at(c.pathOf("norm_cfg"), "only norm_cfg=None (MMDetection's FPN default) is supported; got "
          + Config.describe(c.get("norm_cfg")));
    }
    if (!c.isNull("act_cfg")) {
      throw ConfigException.at(c.pathOf("act_cfg"), "only act_cfg=None (MMDetection's FPN default) is supported; got "
          + Config.describe(c.get("act_cfg")));
    }
    Config up = c.getConfigOrNull("upsample_cfg");
    if (up != null && !"nearest".equals(up.getString("mode", "nearest"))) {
      throw ConfigException.at(up.pathOf("mode"), "only nearest upsampling is supported; got "
          + Config.describe(up.get("mode")));
    }
    if (up != null) {
      up.accept("scale_factor");
    }
    c.accept("no_norm_on_lateral", "init_cfg");
    try {
      return new FPN(in, out, numOuts, start, end, mode, relu);
    } catch (IllegalArgumentException e) {
      throw ConfigException.at(c.path(), e.getMessage());
    }
  }

  /** {@code in_channels} (a copy). */
  @Override
  public int[] inChannels() {
    return inChannels.clone();
  }

  /** One past the last backbone output used. */
  private int backboneEndLevel() {
    return endLevel == -1 ? inChannels.length : endLevel + 1;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FPN f && Arrays.equals(inChannels, f.inChannels) && outChannels == f.outChannels
        && numOuts == f.numOuts && startLevel == f.startLevel && backboneEndLevel() == f.backboneEndLevel()
        && java.util.Objects.equals(addExtraConvs, f.addExtraConvs) && reluBeforeExtraConvs == f.reluBeforeExtraConvs;
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(inChannels) + java.util.Objects.hash(outChannels, numOuts, startLevel,
        backboneEndLevel(), addExtraConvs, reluBeforeExtraConvs);
  }

  /**
   * The stride of each output, given the strides of the backbone outputs.
   *
   * @throws IllegalArgumentException if the count differs from {@code in_channels}
   */
  public int[] outStrides(int[] inStrides) {
    requireInputs(inStrides.length);
    int backboneEndLevel = backboneEndLevel();
    int[] s = new int[numOuts];
    for (int i = 0; i < numOuts; i++) {
      int level = startLevel + i;
      s[i] = level < backboneEndLevel ? inStrides[level] : inStrides[backboneEndLevel - 1] << (level - backboneEndLevel + 1);
    }
    return s;
  }

  private void requireInputs(int n) {
    if (n != inChannels.length) {
      throw new IllegalArgumentException("FPN has in_channels for " + inChannels.length + " inputs; the backbone gives "
          + n);
    }
  }

  /** Adds the neck reading the backbone outputs; returns the output vertex names, finest first. */
  public List<String> addTo(GraphBuilder g, List<String> inputs) {
    requireInputs(inputs.size());
    int backboneEndLevel = backboneEndLevel();
    int used = backboneEndLevel - startLevel;
    String[] laterals = new String[used];
    for (int i = 0; i < used; i++) {
      laterals[i] = "neck.lateral_convs." + i;
      g.addLayer(laterals[i], Layers.conv(1, 1, inChannels[startLevel + i], outChannels, Activation.IDENTITY,
          Layers.Init.XAVIER, 0), inputs.get(startLevel + i));
    }
    // Top-down: each coarser (already merged) lateral is upsampled and added to the next finer one.
    String[] merged = laterals.clone();
    for (int i = used - 1; i > 0; i--) {
      String upName = "neck.upsample." + i;
      g.addLayer(upName, new Upsampling2D.Builder(2).build(), merged[i]);
      String sum = "neck.top_down." + (i - 1);
      g.addVertex(sum, new ElementWiseVertex(ElementWiseVertex.Op.Add), laterals[i - 1], upName);
      merged[i - 1] = sum;
    }
    List<String> outs = new ArrayList<>();
    for (int i = 0; i < used; i++) {
      String name = "neck.fpn_convs." + i;
      g.addLayer(name, Layers.conv(3, 1, outChannels, outChannels, Activation.IDENTITY, Layers.Init.XAVIER, 0),
          merged[i]);
      outs.add(name);
    }
    for (int i = used; i < numOuts; i++) {
      String name = "neck.extra." + i;
      if (addExtraConvs == null) {
        g.addLayer(name, new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(1, 1).stride(2, 2)
            .convolutionMode(org.deeplearning4j.nn.conf.ConvolutionMode.Truncate).build(), outs.get(outs.size() - 1));
      } else {
        String source;
        int nIn = outChannels;
        if (i == used) {
          source = switch (addExtraConvs) {
            case "on_input" -> inputs.get(backboneEndLevel - 1);
            case "on_lateral" -> laterals[used - 1];
            default -> outs.get(outs.size() - 1);
          };
          if (addExtraConvs.equals("on_input")) {
            nIn = inChannels[backboneEndLevel - 1];
          }
        } else {
          source = outs.get(outs.size() - 1);
          if (reluBeforeExtraConvs) {
            g.addLayer(name + ".relu", new ActivationLayer.Builder().activation(Activation.RELU).build(), source);
            source = name + ".relu";
          }
        }
        g.addLayer(name, Layers.conv(3, 2, nIn, outChannels, Activation.IDENTITY, Layers.Init.XAVIER, 0), source);
      }
      outs.add(name);
    }
    return outs;
  }

  @Override
  public String toString() {
    return "FPN(in_channels=" + Arrays.toString(inChannels) + ", out_channels=" + outChannels + ", num_outs=" + numOuts
        + ")";
  }
}
