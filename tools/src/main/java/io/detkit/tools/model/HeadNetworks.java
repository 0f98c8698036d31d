package io.detkit.tools.model;

import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.heads.ATSSHead;
import io.detkit.heads.BaseDenseHead;
import io.detkit.heads.HeadOutputs;
import io.detkit.heads.RPNHead;
import io.detkit.heads.RetinaHead;
import io.detkit.heads.anchorfree.FCOSHead;
import io.detkit.heads.gfl.GFLHead;
import io.detkit.heads.tood.TOODHead;
import java.util.List;

/**
 * Chooses and configures the network of a detkit head ({@link HeadBranches}) from the same
 * {@code bbox_head} dict that built the head, MMDetection's layout for each type:
 * <ul>
 *   <li>AnchorHead: 1x1 predictions straight on the feature map (no towers);
 *   <li>RetinaHead: two towers, 3x3 class and box-delta predictions;
 *   <li>ATSSHead: as RetinaHead, plus a per-level {@link Scale} on the box deltas and a centerness
 *       logit on the regression tower;
 *   <li>GFLHead: two towers, the class logits and the side distributions with a per-level
 *       {@link Scale};
 *   <li>FCOSHead: two towers, the class logits, the distances ({@link Scale}, then {@code exp}, or
 *       {@code relu} with {@code norm_on_bbox}) and the centerness on the regression tower
 *       ({@code centerness_on_reg}) or the classification tower;
 *   <li>TOODHead: {@link TOODBranches} (anchor-free form only).
 * </ul>
 * Output channels are asked from the head ({@link BaseDenseHead#outputChannels}), so a head's
 * declared outputs and its network cannot disagree; a declared output the network has no branch
 * for is refused.
 */
final class HeadNetworks {
  private HeadNetworks() {}

  /**
   * The network of {@code head}, reading the convolution keys of its config {@code c}.
   *
   * @throws ConfigException naming the key for an unsupported head type or output, a missing or
   *     invalid convolution key, or a setting the network cannot build
   */
  static HeadBranches of(Config c, BaseDenseHead head) {
    if (head instanceof RPNHead) {
      throw ConfigException.at(c.pathOf("type"), "RPNHead is not supported by detkit's detector model; use "
          + "RetinaHead, ATSSHead, GFLHead, FCOSHead, TOODHead or AnchorHead");
    }
    for (int l = 1; l < head.numLevels(); l++) {
      for (String name : head.outputNames()) {
        if (head.outputChannels(name, l) != head.outputChannels(name, 0)) {
          throw ConfigException.at(c.path(), "the levels share one head network, but " + name + " has "
              + head.outputChannels(name, 0) + " channels at level 0 and " + head.outputChannels(name, l) + " at " + l);
        }
      }
    }
    int cls = head.outputChannels(HeadOutputs.CLS_SCORES, 0);
    int reg = head.outputChannels(HeadOutputs.BBOX_PREDS, 0);
    if (head instanceof TOODHead tood) {
      requireOutputs(c, head, List.of(HeadOutputs.CLS_SCORES, HeadOutputs.BBOX_PREDS));
      return tood(c, tood, cls);
    }
    boolean towers = head instanceof RetinaHead || head instanceof ATSSHead || head instanceof GFLHead
        || head instanceof FCOSHead;
    TowerSettings t = TowerSettings.fromConfig(c, head.type(), towers, 4);
    boolean centerness = head.outputNames().contains(HeadOutputs.CENTERNESSES);
    requireOutputs(c, head, centerness ? List.of(HeadOutputs.CLS_SCORES, HeadOutputs.BBOX_PREDS,
        HeadOutputs.CENTERNESSES) : List.of(HeadOutputs.CLS_SCORES, HeadOutputs.BBOX_PREDS));
    int ctr = centerness ? head.outputChannels(HeadOutputs.CENTERNESSES, 0) : 0;
    if (head instanceof FCOSHead fcos) {
      return new DenseHeadBranches(t, 3, cls, reg, fcos.centernessOnReg() ? DenseHeadBranches.Centerness.ON_REG
          : DenseHeadBranches.Centerness.ON_CLS, ctr, true, fcos.normOnBbox() ? DenseHeadBranches.RegActivation.RELU
          : DenseHeadBranches.RegActivation.EXP, fcos.normOnBbox());
    }
    // MMDetection's ATSS and GFL heads scale each level's regression; RetinaNet's does not.
    boolean scale = head instanceof ATSSHead || head instanceof GFLHead;
    return new DenseHeadBranches(t, towers ? 3 : 1, cls, reg, centerness ? DenseHeadBranches.Centerness.ON_REG
        : DenseHeadBranches.Centerness.NONE, ctr, scale, DenseHeadBranches.RegActivation.IDENTITY, false);
  }

  /** Refuses a head that declares an output the network has no branch for. */
  private static void requireOutputs(Config c, BaseDenseHead head, List<String> built) {
    if (!built.equals(head.outputNames())) {
      throw ConfigException.at(c.pathOf("type"), head.type() + " declares the outputs " + head.outputNames()
          + "; detkit's network for it builds " + built);
    }
  }

  private static HeadBranches tood(Config c, TOODHead head, int cls) {
    if (!head.anchorType().equals("anchor_free")) {
      throw ConfigException.at(c.pathOf("anchor_type"), "detkit's TOOD network decodes anchor-free only (boxes "
          + "from distances around the prior centres); got '" + head.anchorType() + "'");
    }
    if (c.getInt("num_dcn", 0) != 0) {
      throw ConfigException.at(c.pathOf("num_dcn"), "deformable tower convolutions are not supported; set 0");
    }
    if (head.numBasePriors(0) != 1) {
      throw ConfigException.at(c.pathOf("anchor_generator"), "TOOD's network needs one prior per location; got "
          + head.numBasePriors(0));
    }
    TowerSettings t = TowerSettings.fromConfig(c, head.type(), true, 6);
    if (t.stackedConvs() == 0 || t.featChannels() % 8 != 0) {
      throw ConfigException.at(c.pathOf("feat_channels"), "TOOD needs stacked_convs > 0 and feat_channels divisible"
          + " by 8 (the layer attention's width is feat_channels / 8); got stacked_convs=" + t.stackedConvs()
          + ", feat_channels=" + t.featChannels());
    }
    double[][] offsets = new double[head.numLevels()][];
    for (int l = 0; l < offsets.length; l++) {
      double[] p = head.priorGenerator().gridPriorsFlatDouble(l, 1, 1);
      double s = head.stride(l);
      offsets[l] = p.length == 2 ? new double[] {p[0] / s, p[1] / s}
          : new double[] {(p[0] + p[2]) / 2 / s, (p[1] + p[3]) / 2 / s};
    }
    return new TOODBranches(t, cls, offsets);
  }
}
