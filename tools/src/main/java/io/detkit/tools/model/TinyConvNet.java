package io.detkit.tools.model;

import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;

/**
 * A small plain convolutional backbone for CPU training ({@code type='TinyConvNet'}): a 3x3 stem
 * convolution with stride 2, then stages that each start with a 3x3 stride-2 convolution followed
 * by {@code stage_blocks[i] - 1} stride-1 3x3 convolutions, all with ReLU and He initialisation,
 * and group normalization before the ReLU when {@code norm_cfg=dict(type='GN', num_groups=G)}.
 * Stage {@code i} has stride {@code 2^(i+2)}.
 *
 * <p>Config keys: {@code in_channels} (3), {@code stem_channels} (16), {@code stage_channels}
 * ((32, 48, 64)), {@code stage_blocks} (one per stage, default all 1), {@code out_indices}
 * (stages to output, ascending; default the last two), {@code norm_cfg} (None or GN), {@code conv_cfg}
 * (None only), {@code init_cfg} (accepted, ignored). Immutable.
 */
public final class TinyConvNet implements Backbone {
  private final int inChannels;
  private final int stemChannels;
  private final int[] stageChannels;
  private final int[] stageBlocks;
  private final int[] outIndices;
  private final int normGroups;

  /**
   * @throws IllegalArgumentException if a channel count or block count is not positive, the
   *     block list's length differs from the stage list's, or an out index is out of range or not
   *     ascending
   */
  public TinyConvNet(int inChannels, int stemChannels, int[] stageChannels, int[] stageBlocks, int[] outIndices,
      int normGroups) {
    check(inChannels > 0 && stemChannels > 0, "in_channels and stem_channels must be > 0; got " + inChannels
        + ", " + stemChannels);
    check(stageChannels.length > 0 && Arrays.stream(stageChannels).allMatch(v -> v > 0),
        "stage_channels must be non-empty and positive; got " + Arrays.toString(stageChannels));
    check(stageBlocks.length == stageChannels.length && Arrays.stream(stageBlocks).allMatch(v -> v > 0),
        "stage_blocks must hold one positive count per stage (" + stageChannels.length + "); got "
            + Arrays.toString(stageBlocks));
    check(outIndices.length > 0, "out_indices must not be empty");
    for (int i = 0; i < outIndices.length; i++) {
      check(outIndices[i] >= 0 && outIndices[i] < stageChannels.length && (i == 0 || outIndices[i] > outIndices[i - 1]),
          "out_indices must be ascending stage indices in [0, " + stageChannels.length + "); got "
              + Arrays.toString(outIndices));
    }
    this.inChannels = inChannels;
    this.stemChannels = stemChannels;
    this.stageChannels = stageChannels.clone();
    this.stageBlocks = stageBlocks.clone();
    this.outIndices = outIndices.clone();
    check(normGroups >= 0, "norm_cfg.num_groups must be > 0; got " + normGroups);
    if (normGroups > 0) {
      check(stemChannels % normGroups == 0 && Arrays.stream(stageChannels).allMatch(v -> v % normGroups == 0),
          "norm_cfg.num_groups=" + normGroups + " must divide stem_channels and every stage_channels entry");
    }
    this.normGroups = normGroups;
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  /**
   * Builds from {@code dict(type='TinyConvNet', ...)} (keys in the class comment).
   *
   * @throws ConfigException naming the key for a bad value
   */
  public static TinyConvNet fromConfig(Config c) {
    int in = Layers.positive(c, "in_channels", 3);
    int stem = Layers.positive(c, "stem_channels", 16);
    int[] stages = Layers.positiveArray(c, "stage_channels", new int[] {32, 48, 64});
    int[] blocks = new int[stages.length];
    Arrays.fill(blocks, 1);
    blocks = c.getIntArray("stage_blocks", blocks);
    int[] outs = c.getIntArray("out_indices", new int[] {stages.length - 2, stages.length - 1});
    int groups = Layers.readGroupNorm(c);
    Layers.requireNoConvCfg(c);
    c.accept("init_cfg");
    try {
      return new TinyConvNet(in, stem, stages, blocks, outs, groups);
    } catch (IllegalArgumentException e) {
      throw ConfigException.at(c.path(), e.getMessage());
    }
  }

  @Override
  public List<String> addTo(GraphBuilder g, String input) {
    String prev = convBlock(g, "backbone.stem", input, inChannels, stemChannels, 2);
    int channels = stemChannels;
    List<String> stageOut = new ArrayList<>();
    for (int s = 0; s < stageChannels.length; s++) {
      for (int b = 0; b < stageBlocks[s]; b++) {
        prev = convBlock(g, "backbone.layer" + (s + 1) + "." + b, prev, channels, stageChannels[s], b == 0 ? 2 : 1);
        channels = stageChannels[s];
      }
      stageOut.add(prev);
    }
    List<String> outs = new ArrayList<>();
    for (int i : outIndices) {
      outs.add(stageOut.get(i));
    }
    return outs;
  }

  private String convBlock(GraphBuilder g, String name, String input, int nIn, int nOut, int stride) {
    return Layers.convModule(g, name, "", input, 3, stride, nIn, nOut, Layers.Init.KAIMING, normGroups);
  }

  @Override
  public int inChannels() {
    return inChannels;
  }

  @Override
  public int[] outChannels() {
    return Arrays.stream(outIndices).map(i -> stageChannels[i]).toArray();
  }

  @Override
  public int[] outStrides() {
    return Arrays.stream(outIndices).map(i -> 1 << (i + 2)).toArray();
  }
}
