package io.detkit.tools.model;

import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.heads.BaseDenseHead;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * A detector's {@code model} dict, validated and resolved into its parts, before any graph is
 * built: the backbone, the neck, the head network ({@link HeadBranches}), the feature strides and
 * whether the head's levels share weights. {@link DetectorNet#build} builds the graph from it.
 * Immutable.
 *
 * @param backbone the backbone ({@code model.backbone})
 * @param neck the FPN ({@code model.neck})
 * @param head the head network ({@code model.bbox_head})
 * @param strides the stride of each feature level
 * @param sharedHead whether the levels share the head's weights ({@code shared_head}, default True)
 */
record DetectorSpec(Backbone backbone, FPN neck, HeadBranches head, int[] strides, boolean sharedHead) {
  /** Detector types accepted as {@code model.type} (all single-stage). */
  static final Set<String> DETECTOR_TYPES = Set.of("ATSS", "RetinaNet", "GFL", "TOOD", "FCOS",
      "SingleStageDetector");

  private static final Set<String> MODEL_KEYS = Set.of("type", "backbone", "neck", "bbox_head", "train_cfg",
      "test_cfg", "pretrained", "init_cfg", "shared_head");

  DetectorSpec {
    strides = strides.clone();
  }

  @Override
  public int[] strides() {
    return strides.clone();
  }

  /**
   * Validates {@code model} for {@code head} (built from {@code model.bbox_head}). Keys:
   * {@code type} ({@link #DETECTOR_TYPES}), {@code backbone} ({@link Models#BACKBONES}),
   * {@code neck} ({@code FPN}), {@code bbox_head}, {@code train_cfg}/{@code test_cfg} (read by the
   * head), {@code pretrained}/{@code init_cfg} (None only: no pretrained weights),
   * {@code shared_head} (detkit's, default True).
   *
   * @throws ConfigException naming the key for an unknown key or type, a missing part, or parts that
   *     do not fit together (channels, level counts, anchor strides)
   */
  static DetectorSpec of(Config model, BaseDenseHead head) {
    model.requireKeysIn(MODEL_KEYS, "model");
    String type = model.getString("type");
    if (!DETECTOR_TYPES.contains(type)) {
      throw ConfigException.at(model.pathOf("type"), "unknown detector type '" + type + "'; supported: "
          + String.join(", ", DETECTOR_TYPES.stream().sorted().toList()));
    }
    for (String key : List.of("pretrained", "init_cfg")) {
      if (!model.isNull(key)) {
        throw ConfigException.at(model.pathOf(key), "pretrained weights are not supported; set it to None");
      }
    }
    boolean shared = model.getBoolean("shared_head", true);
    Backbone backbone = Models.BACKBONES.build(model.getConfig("backbone"));
    FPN neck = Models.NECKS.build(model.getConfig("neck"));
    Config headCfg = model.getConfig("bbox_head");
    HeadBranches branches = HeadNetworks.of(headCfg, head);
    if (!Arrays.equals(neck.inChannels(), backbone.outChannels())) {
      throw ConfigException.at(model.pathOf("neck.in_channels"), "must match the backbone's output channels "
          + Arrays.toString(backbone.outChannels()) + "; got " + Arrays.toString(neck.inChannels()));
    }
    if (branches.inChannels() != neck.outChannels()) {
      throw ConfigException.at(model.pathOf("bbox_head.in_channels"), "must match neck.out_channels "
          + neck.outChannels() + "; got " + branches.inChannels());
    }
    int[] strides = neck.outStrides(backbone.outStrides());
    if (strides.length != head.numLevels()) {
      throw ConfigException.at(model.pathOf("neck.num_outs"), "the neck gives " + strides.length
          + " levels but the head's prior generator has " + head.numLevels());
    }
    for (int l = 0; l < strides.length; l++) {
      if (head.stride(l) != strides[l] || head.strides().get(l).h() != strides[l]) {
        throw ConfigException.at(model.pathOf("bbox_head"), "the head's prior strides " + head.strides()
            + " must equal the feature strides of backbone + neck " + Arrays.toString(strides));
      }
    }
    return new DetectorSpec(backbone, neck, branches, strides, shared);
  }
}
