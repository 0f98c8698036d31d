package io.detkit.tools.model;

import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.heads.ATSSHead;
import io.detkit.heads.AnchorHead;
import io.detkit.heads.RPNHead;
import io.detkit.heads.RetinaHead;
import io.detkit.heads.gfl.GFLHead;
import io.detkit.heads.tood.TOODHead;

/**
 * Chooses and configures the network of a detkit head ({@link HeadBranches}) from the same
 * {@code bbox_head} dict that built the head, MMDetection's layout for each type:
 * <ul>
 *   <li>AnchorHead: 1x1 predictions straight on the feature map (no towers);
 *   <li>RetinaHead: two towers, 3x3 class and box-delta predictions;
 *   <li>ATSSHead: as RetinaHead, plus a per-level {@link Scale} on the box deltas and a centerness
 *       logit on the regression tower;
 *   <li>GFLHead: two towers, the class logits and the {@code 4 * (reg_max + 1)}-channel side
 *       distributions with a per-level {@link Scale};
 *   <li>TOODHead: {@link TOODBranches} (anchor-free form only).
 * </ul>
 * The output channels are those the head checks its outputs against (its declared outputs: class
 * channels from {@code clsOutChannels}, the regression width from the head's type).
 */
final class HeadNetworks {
  private HeadNetworks() {}

  /**
   * The network of {@code head}, reading the convolution keys of its config {@code c}.
   *
   * @throws ConfigException naming the key for an unsupported head type, a missing or invalid
   *     convolution key, or a setting the network cannot build
   */
  static HeadBranches of(Config c, AnchorHead head) {
    if (head instanceof RPNHead) {
      throw ConfigException.at(c.pathOf("type"), "RPNHead is not supported by detkit's detector model; use "
          + "RetinaHead, ATSSHead, GFLHead, TOODHead or AnchorHead");
    }
    int a = head.numBaseAnchors(0);
    int cls = a * head.clsOutChannels();
    if (head instanceof TOODHead tood) {
      return tood(c, tood, cls);
    }
    boolean towers = head instanceof RetinaHead || head instanceof ATSSHead || head instanceof GFLHead;
    TowerSettings t = TowerSettings.fromConfig(c, head.type(), towers, 4);
    if (head instanceof GFLHead gfl) {
      return new DenseHeadBranches(t, 3, cls, a * 4 * (gfl.regMax() + 1), DenseHeadBranches.Centerness.NONE, 0,
          true, DenseHeadBranches.RegActivation.IDENTITY, false);
    }
    boolean atss = head instanceof ATSSHead;
    return new DenseHeadBranches(t, towers ? 3 : 1, cls, a * 4,
        atss ? DenseHeadBranches.Centerness.ON_REG : DenseHeadBranches.Centerness.NONE, a, atss,
        DenseHeadBranches.RegActivation.IDENTITY, false);
  }

  private static HeadBranches tood(Config c, TOODHead head, int cls) {
    if (!head.anchorType().equals("anchor_free")) {
      throw ConfigException.at(c.pathOf("anchor_type"), "detkit's TOOD network decodes anchor-free only (boxes "
          + "from distances around the prior centres); got '" + head.anchorType() + "'");
    }
    if (c.getInt("num_dcn", 0) != 0) {
      throw ConfigException.at(c.pathOf("num_dcn"), "deformable tower convolutions are not supported; set 0");
    }
    for (int l = 0; l < head.numLevels(); l++) {
      if (head.numBaseAnchors(l) != 1) {
        throw ConfigException.at(c.pathOf("anchor_generator"), "TOOD's network needs one prior per location; level "
            + l + " has " + head.numBaseAnchors(l));
      }
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
