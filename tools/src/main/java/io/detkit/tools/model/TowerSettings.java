package io.detkit.tools.model;

import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;

/**
 * The convolution keys of {@code bbox_head} that every head network reads: {@code in_channels},
 * {@code feat_channels}, {@code stacked_convs}, {@code norm_cfg} (None or GN) and {@code conv_cfg}
 * (None), validated once; and the stack of {@code stacked_convs} 3x3 ConvModules (MMDetection's
 * towers) built from them. Immutable.
 *
 * @param inChannels channels the head reads from the neck
 * @param featChannels channels of every tower convolution
 * @param stackedConvs convolutions per tower (0 for a head without towers)
 * @param normGroups GN groups, or 0 for no normalization
 */
record TowerSettings(int inChannels, int featChannels, int stackedConvs, int normGroups) {
  /**
   * Reads the keys of {@code c}; a head {@code withTowers=false} (the plain AnchorHead) refuses
   * {@code stacked_convs}.
   *
   * @throws ConfigException naming the key for a missing or unsupported value
   */
  static TowerSettings fromConfig(Config c, String type, boolean withTowers, int defaultStacked) {
    int in = Layers.positive(c, "in_channels", 0);
    int feat = withTowers ? Layers.positive(c, "feat_channels", 256) : c.getInt("feat_channels", 256);
    int stacked = withTowers ? c.getInt("stacked_convs", defaultStacked) : 0;
    if (stacked < 0) {
      throw ConfigException.at(c.pathOf("stacked_convs"), "must be >= 0; got " + stacked);
    }
    if (!withTowers && c.has("stacked_convs")) {
      throw ConfigException.at(c.pathOf("stacked_convs"), type + " has no convolution towers");
    }
    Layers.requireNoConvCfg(c);
    int groups = Layers.readGroupNorm(c);
    if (groups > 0 && feat % groups != 0) {
      throw ConfigException.at(c.pathOf("norm_cfg.num_groups"), "must divide feat_channels=" + feat + "; got "
          + groups);
    }
    return new TowerSettings(in, feat, stacked, groups);
  }

  /**
   * Adds the {@code stackedConvs} ConvModules named {@code name.i + suffix} after {@code input}.
   *
   * @return every convolution's output vertex, in order (empty without towers)
   */
  List<String> addTower(GraphBuilder g, String name, String suffix, String input) {
    return addTower(g, name, suffix, input, null);
  }

  /** {@link #addTower} on a {@link LevelCanvas} (null: on one level's map). */
  List<String> addTower(GraphBuilder g, String name, String suffix, String input, LevelCanvas canvas) {
    List<String> outs = new ArrayList<>();
    String x = input;
    int nIn = inChannels;
    for (int i = 0; i < stackedConvs; i++) {
      x = Layers.convModule(g, name + "." + i, suffix, x, 3, 1, nIn, featChannels, Layers.Init.NORMAL_001,
          normGroups, canvas);
      outs.add(x);
      nIn = featChannels;
    }
    return outs;
  }

  /** Channels of a tower's output: {@code feat_channels}, or {@code in_channels} without towers. */
  int towerOutChannels() {
    return stackedConvs > 0 ? featChannels : inChannels;
  }

  /** The layer base names (no level suffix) {@link #addTower} adds under {@code name}. */
  List<String> towerLayerNames(String name) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < stackedConvs; i++) {
      names.addAll(Layers.convModuleLayerNames(name + "." + i, normGroups));
    }
    return names;
  }
}
