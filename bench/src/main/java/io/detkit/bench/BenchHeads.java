package io.detkit.bench;

import io.detkit.core.config.ConfigLoader;
import io.detkit.heads.ATSSHead;
import io.detkit.heads.AnchorHead;
import io.detkit.heads.RetinaHead;
import java.util.concurrent.Executor;

/**
 * RetinaHead and ATSSHead built from MMDetection's COCO configs (retinanet_r50_fpn_1x_coco.py,
 * atss_r50_fpn_1x_coco.py), through the heads' public builders; the benchmarks time the loss apart
 * from the targets with the public {@code lossFromTargets}. Per-image work runs on the executor given.
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

  private BenchHeads() {}

  /** The head of {@code kind} from its COCO config, running its per-image work on {@code executor}. */
  static AnchorHead build(CocoScale.HeadKind kind, Executor executor) {
    return switch (kind) {
      case RETINA -> new RetinaHead.Builder().executor(executor)
          .fromConfig(ConfigLoader.fromPythonExpression(RETINA_CONFIG, "retina"));
      case ATSS -> new ATSSHead.Builder().executor(executor)
          .fromConfig(ConfigLoader.fromPythonExpression(ATSS_CONFIG, "atss"));
    };
  }
}
