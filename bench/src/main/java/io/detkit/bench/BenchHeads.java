package io.detkit.bench;

import io.detkit.core.config.ConfigLoader;
import io.detkit.heads.ATSSHead;
import io.detkit.core.config.Config;
import io.detkit.heads.RetinaHead;
import io.detkit.heads.anchorfree.FCOSHead;
import io.detkit.heads.gfl.GFLHead;
import io.detkit.heads.tood.TOODHead;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * The benchmarked heads built from MMDetection's COCO configs (retinanet_r50_fpn_1x_coco.py,
 * atss_r50_fpn_1x_coco.py, gfl_r50_fpn_1x_coco.py, FCOS's improved config, tood_r50_fpn_1x_coco.py)
 * through the heads' public builders, each wrapped as a {@link BenchHead}. Per-image work runs on
 * the executor given.
 */
final class BenchHeads {
  /** The {@code bbox_head} of RetinaNet's COCO config with its {@code train_cfg}. */
  static final String RETINA_CONFIG = """
      dict(
          type='RetinaHead', num_classes=80, in_channels=256, stacked_convs=4, feat_channels=256,
          anchor_generator=dict(type='AnchorGenerator', octave_base_scale=4, scales_per_octave=3,
                                ratios=[0.5, 1.0, 2.0], strides=[8, 16, 32, 64, 128]),
          bbox_coder=dict(type='DeltaXYWHBBoxCoder', target_means=[.0, .0, .0, .0],
                          target_stds=[1.0, 1.0, 1.0, 1.0]),
          loss_cls=dict(type='FocalLoss', use_sigmoid=True, gamma=2.0, alpha=0.25, loss_weight=1.0),
          loss_bbox=dict(type='L1Loss', loss_weight=1.0),
          train_cfg=dict(
              assigner=dict(type='MaxIoUAssigner', pos_iou_thr=0.5, neg_iou_thr=0.4, min_pos_iou=0,
                            ignore_iof_thr=-1),
              allowed_border=-1, pos_weight=-1, debug=False))
      """;

  /** The {@code bbox_head} of ATSS's COCO config with its {@code train_cfg}. */
  static final String ATSS_CONFIG = """
      dict(
          type='ATSSHead', num_classes=80, in_channels=256, stacked_convs=4, feat_channels=256,
          anchor_generator=dict(type='AnchorGenerator', ratios=[1.0], octave_base_scale=8,
                                scales_per_octave=1, strides=[8, 16, 32, 64, 128]),
          bbox_coder=dict(type='DeltaXYWHBBoxCoder', target_means=[.0, .0, .0, .0],
                          target_stds=[0.1, 0.1, 0.2, 0.2]),
          loss_cls=dict(type='FocalLoss', use_sigmoid=True, gamma=2.0, alpha=0.25, loss_weight=1.0),
          loss_bbox=dict(type='GIoULoss', loss_weight=2.0),
          loss_centerness=dict(type='CrossEntropyLoss', use_sigmoid=True, loss_weight=1.0),
          train_cfg=dict(assigner=dict(type='ATSSAssigner', topk=9), allowed_border=-1, pos_weight=-1,
                         debug=False))
      """;

  /**
   * The {@code bbox_head} of GFL's COCO config (gfl_r50_fpn_1x_coco.py) with its {@code train_cfg}:
   * ATSS assignment, QualityFocalLoss, DistributionFocalLoss over 17 bins, GIoU.
   */
  static final String GFL_CONFIG = """
      dict(
          type='GFLHead', num_classes=80, in_channels=256, stacked_convs=4, feat_channels=256,
          anchor_generator=dict(type='AnchorGenerator', ratios=[1.0], octave_base_scale=8,
                                scales_per_octave=1, strides=[8, 16, 32, 64, 128]),
          loss_cls=dict(type='QualityFocalLoss', use_sigmoid=True, beta=2.0, loss_weight=1.0),
          loss_dfl=dict(type='DistributionFocalLoss', loss_weight=0.25),
          reg_max=16,
          loss_bbox=dict(type='GIoULoss', loss_weight=2.0),
          train_cfg=dict(assigner=dict(type='ATSSAssigner', topk=9), allowed_border=-1, pos_weight=-1,
                         debug=False))
      """;

  /**
   * The {@code bbox_head} of FCOS's COCO config with all its improvements
   * (fcos_center-normbbox-centeronreg-giou_r50_caffe_fpn_gn-head_1x_coco.py, 38.7 AP): center
   * sampling, distances in stride units, GIoU.
   */
  static final String FCOS_CONFIG = """
      dict(
          type='FCOSHead', num_classes=80, in_channels=256, stacked_convs=4, feat_channels=256,
          strides=[8, 16, 32, 64, 128],
          norm_on_bbox=True, centerness_on_reg=True, center_sampling=True, center_sample_radius=1.5,
          loss_cls=dict(type='FocalLoss', use_sigmoid=True, gamma=2.0, alpha=0.25, loss_weight=1.0),
          loss_bbox=dict(type='GIoULoss', loss_weight=1.0),
          loss_centerness=dict(type='CrossEntropyLoss', use_sigmoid=True, loss_weight=1.0),
          train_cfg=dict(assigner=dict(type='MaxIoUAssigner', pos_iou_thr=0.5, neg_iou_thr=0.4,
                                       min_pos_iou=0, ignore_iof_thr=-1),
                         allowed_border=-1, pos_weight=-1, debug=False))
      """;

  /**
   * The {@code bbox_head} of TOOD's COCO config (tood_r50_fpn_1x_coco.py) with its {@code train_cfg}:
   * ATSS and FocalLoss before epoch 4, then the task-aligned assigner (top 13) and QualityFocalLoss.
   */
  static final String TOOD_CONFIG = """
      dict(
          type='TOODHead', num_classes=80, in_channels=256, stacked_convs=6, feat_channels=256,
          anchor_type='anchor_free',
          anchor_generator=dict(type='AnchorGenerator', ratios=[1.0], octave_base_scale=8,
                                scales_per_octave=1, strides=[8, 16, 32, 64, 128]),
          bbox_coder=dict(type='DeltaXYWHBBoxCoder', target_means=[.0, .0, .0, .0],
                          target_stds=[0.1, 0.1, 0.2, 0.2]),
          initial_loss_cls=dict(type='FocalLoss', use_sigmoid=True, activated=True, gamma=2.0,
                                alpha=0.25, loss_weight=1.0),
          loss_cls=dict(type='QualityFocalLoss', use_sigmoid=True, activated=True, beta=2.0,
                        loss_weight=1.0),
          loss_bbox=dict(type='GIoULoss', loss_weight=2.0),
          train_cfg=dict(initial_epoch=4, initial_assigner=dict(type='ATSSAssigner', topk=9),
                         assigner=dict(type='TaskAlignedAssigner', topk=13), alpha=1, beta=6,
                         allowed_border=-1, pos_weight=-1, debug=False))
      """;

  /** TOOD's {@code initial_epoch} in {@link #TOOD_CONFIG}: the first epoch of the task-aligned phase. */
  static final int TOOD_INITIAL_EPOCH = 4;

  /**
   * The benchmarked heads by parameter value: {@code tood} is TOODHead in its task-aligned phase
   * (epoch {@value #TOOD_INITIAL_EPOCH}), {@code tood_initial} in its ATSS phase (epoch 0).
   */
  static final List<String> HEADS = List.of("retina", "atss", "gfl", "fcos", "tood", "tood_initial");

  private BenchHeads() {}

  /** The output maps {@code head} reads. @throws IllegalArgumentException for an unknown head */
  static HeadMaps.Kind kind(String head) {
    return switch (head) {
      case "retina" -> HeadMaps.Kind.RETINA;
      case "atss" -> HeadMaps.Kind.ATSS;
      case "gfl" -> HeadMaps.Kind.GFL;
      case "fcos" -> HeadMaps.Kind.FCOS;
      case "tood", "tood_initial" -> HeadMaps.Kind.TOOD;
      default -> throw new IllegalArgumentException("head must be one of " + HEADS + "; got " + head);
    };
  }

  /**
   * The head named {@code head} from its COCO config, running its per-image work on {@code executor}.
   *
   * @throws IllegalArgumentException for an unknown head
   */
  static BenchHead build(String head, Executor executor) {
    return switch (head) {
      case "retina" -> new BenchHead.Anchor(new RetinaHead.Builder().params(p -> p.withExecutor(executor))
          .fromConfig(config(RETINA_CONFIG, head)), 0, true);
      case "atss" -> new BenchHead.Anchor(new ATSSHead.Builder().params(p -> p.withExecutor(executor))
          .fromConfig(config(ATSS_CONFIG, head)), 0, true);
      case "gfl" -> new BenchHead.Anchor(new GFLHead.Builder().params(p -> p.withExecutor(executor))
          .fromConfig(config(GFL_CONFIG, head)), 0, true);
      case "fcos" -> new BenchHead.Fcos(FCOSHead.builder().params(p -> p.withExecutor(executor))
          .fromConfig(config(FCOS_CONFIG, head)));
      case "tood" -> new BenchHead.Anchor(tood(executor), TOOD_INITIAL_EPOCH, false);
      case "tood_initial" -> new BenchHead.Anchor(tood(executor), 0, false);
      default -> throw new IllegalArgumentException("head must be one of " + HEADS + "; got " + head);
    };
  }

  private static TOODHead tood(Executor executor) {
    return new TOODHead.Builder().params(p -> p.withExecutor(executor)).fromConfig(config(TOOD_CONFIG, "tood"));
  }

  private static Config config(String text, String name) {
    return ConfigLoader.fromPythonExpression(text, name);
  }
}
