# A small RetinaNet in MMDetection's layout: backbone, neck, head, then the detector's train/test settings.
model = dict(
    type='RetinaNet',
    backbone=dict(type='TinyConvNet', in_channels=3, stem_channels=16, stage_channels=(24, 40, 56),
                  out_indices=(1, 2)),
    neck=dict(type='FPN', in_channels=[40, 56], out_channels=24, start_level=0, add_extra_convs=False,
              num_outs=2),
    bbox_head=dict(
        type='RetinaHead', num_classes=3, in_channels=24, stacked_convs=1, feat_channels=24,
        anchor_generator=dict(type='AnchorGenerator', octave_base_scale=3, scales_per_octave=2,
                              ratios=[0.5, 2.0], strides=[8, 16]),
        bbox_coder=dict(type='DeltaXYWHBBoxCoder', target_means=[0.0] * 4, target_stds=[0.5, 0.5, 1.0, 1.0]),
        loss_cls=dict(type='FocalLoss', use_sigmoid=True, gamma=1.5, alpha=0.3, loss_weight=1.0),
        loss_bbox=dict(type='L1Loss', loss_weight=0.5)),
    train_cfg=dict(
        assigner=dict(type='MaxIoUAssigner', pos_iou_thr=0.45, neg_iou_thr=0.35, min_pos_iou=0.1,
                      ignore_iof_thr=-1),
        allowed_border=0, pos_weight=-1, debug=False),
    test_cfg=dict(nms_pre=300, min_bbox_size=2, score_thr=0.1, nms=dict(type='nms', iou_threshold=0.45),
                  max_per_img=40))
