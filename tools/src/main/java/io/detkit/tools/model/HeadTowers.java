package io.detkit.tools.model;

import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.heads.ATSSHead;
import io.detkit.heads.AnchorHead;
import io.detkit.heads.HeadOutputs;
import io.detkit.heads.RPNHead;
import io.detkit.heads.RetinaHead;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.nd4j.linalg.activations.Activation;

/**
 * The convolutions of a dense head, read from the same {@code bbox_head} dict that builds the
 * detkit head (the keys the detkit head accepts and ignores: {@code in_channels},
 * {@code feat_channels}, {@code stacked_convs}, {@code conv_cfg}, {@code norm_cfg}).
 *
 * <ul>
 *   <li>RetinaHead / ATSSHead: per level a classification tower and a regression tower of
 *       {@code stacked_convs} 3x3 ReLU convolutions with {@code feat_channels} (each followed by
 *       group normalization when {@code norm_cfg=dict(type='GN', num_groups=G)}), then 3x3
 *       predictions: {@code A*C} class logits on the classification tower, {@code A*4} box deltas
 *       and (ATSS) {@code A} centerness logits on the regression tower;
 *   <li>AnchorHead: 1x1 predictions straight on the feature map (no towers).
 * </ul>
 * Weights start from N(0, 0.01) and the class bias from {@code -log(99)} (prior probability
 * 0.01), as in MMDetection. Levels either share one set of weights (MMDetection's behaviour; see
 * {@link DetectorNet} for how the graph ties them) or have their own. Immutable.
 */
public final class HeadTowers {
  /** MMDetection's {@code bias_init_with_prob(0.01)}. */
  static final double CLS_BIAS = -Math.log((1 - 0.01) / 0.01);

  private final int inChannels;
  private final int featChannels;
  private final int stackedConvs;
  private final int predKernel;
  private final int anchors;
  private final int clsChannels;
  private final boolean centerness;
  private final int normGroups;

  private HeadTowers(int inChannels, int featChannels, int stackedConvs, int predKernel, int anchors,
      int clsChannels, boolean centerness, int normGroups) {
    this.inChannels = inChannels;
    this.featChannels = featChannels;
    this.stackedConvs = stackedConvs;
    this.predKernel = predKernel;
    this.anchors = anchors;
    this.clsChannels = clsChannels;
    this.centerness = centerness;
    this.normGroups = normGroups;
  }

  /**
   * Reads the convolution keys of {@code bbox_head} for {@code head} (built from the same dict).
   *
   * @throws ConfigException naming the key for a missing or unsupported value or an unsupported
   *     head type (RPNHead proposals are class-agnostic and not trained by this tool)
   */
  public static HeadTowers fromConfig(Config c, AnchorHead head) {
    if (head instanceof RPNHead) {
      throw ConfigException.at(c.pathOf("type"), "RPNHead is not supported by detkit's detector model; use "
          + "RetinaHead, ATSSHead or AnchorHead");
    }
    boolean towers = head instanceof RetinaHead || head instanceof ATSSHead;
    int in = Layers.positive(c, "in_channels", 0);
    int feat = towers ? Layers.positive(c, "feat_channels", 256) : c.getInt("feat_channels", 256);
    int stacked = towers ? c.getInt("stacked_convs", 4) : 0;
    if (stacked < 0) {
      throw ConfigException.at(c.pathOf("stacked_convs"), "must be >= 0; got " + stacked);
    }
    if (!towers && c.has("stacked_convs")) {
      throw ConfigException.at(c.pathOf("stacked_convs"), head.type() + " has no convolution towers");
    }
    Layers.requireNoConvCfg(c);
    int groups = Layers.readGroupNorm(c);
    if (groups > 0 && feat % groups != 0) {
      throw ConfigException.at(c.pathOf("norm_cfg.num_groups"), "must divide feat_channels=" + feat + "; got "
          + groups);
    }
    int a = head.numBaseAnchors(0);
    return new HeadTowers(in, feat, stacked, towers ? 3 : 1, a, a * head.clsOutChannels(), head instanceof ATSSHead,
        groups);
  }

  /** Channels the head expects from the neck. */
  public int inChannels() {
    return inChannels;
  }

  /** The {@link HeadOutputs} names this head produces, in output order. */
  public List<String> outputKinds() {
    List<String> kinds = new ArrayList<>(List.of(HeadOutputs.CLS_SCORES, HeadOutputs.BBOX_PREDS));
    if (centerness) {
      kinds.add(HeadOutputs.CENTERNESSES);
    }
    return kinds;
  }

  /**
   * Adds the head for one level reading {@code input}; layer names end in {@code @level}.
   *
   * @return output kind to layer name
   */
  Map<String, String> addTo(GraphBuilder g, String input, int level) {
    String suffix = "@" + level;
    String cls = input;
    String reg = input;
    int nIn = inChannels;
    for (int i = 0; i < stackedConvs; i++) {
      cls = Layers.convModule(g, "bbox_head.cls_convs." + i, suffix, cls, 3, 1, nIn, featChannels,
          Layers.Init.NORMAL_001, normGroups);
      reg = Layers.convModule(g, "bbox_head.reg_convs." + i, suffix, reg, 3, 1, nIn, featChannels,
          Layers.Init.NORMAL_001, normGroups);
      nIn = featChannels;
    }
    Map<String, String> out = new LinkedHashMap<>();
    String clsOut = "bbox_head.conv_cls" + suffix;
    g.addLayer(clsOut, Layers.conv(predKernel, 1, nIn, clsChannels, Activation.IDENTITY, Layers.Init.NORMAL_001,
        CLS_BIAS), cls);
    out.put(HeadOutputs.CLS_SCORES, clsOut);
    String regOut = "bbox_head.conv_reg" + suffix;
    g.addLayer(regOut, Layers.conv(predKernel, 1, nIn, anchors * 4, Activation.IDENTITY, Layers.Init.NORMAL_001, 0),
        reg);
    out.put(HeadOutputs.BBOX_PREDS, regOut);
    if (centerness) {
      String ctr = "bbox_head.conv_centerness" + suffix;
      g.addLayer(ctr, Layers.conv(predKernel, 1, nIn, anchors, Activation.IDENTITY, Layers.Init.NORMAL_001, 0), reg);
      out.put(HeadOutputs.CENTERNESSES, ctr);
    }
    return out;
  }

  /** The base names (without {@code @level}) of every layer {@link #addTo} adds. */
  List<String> layerBaseNames() {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < stackedConvs; i++) {
      for (String tower : List.of("bbox_head.cls_convs.", "bbox_head.reg_convs.")) {
        names.add(tower + i);
        if (normGroups > 0) {
          names.add(tower + i + ".conv");
        }
      }
    }
    names.add("bbox_head.conv_cls");
    names.add("bbox_head.conv_reg");
    if (centerness) {
      names.add("bbox_head.conv_centerness");
    }
    return names;
  }
}
