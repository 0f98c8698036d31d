# ATSS on detkit's synthetic shapes dataset, sized to train on two CPU cores in a few minutes.
# MMDetection 2.x config layout; `detkit train tools/configs/atss_shapes.py`,
# `detkit print-config tools/configs/atss_shapes.py` shows the merged result.
_base_ = [
    './_base_/models/retinanet_tiny_fpn.py', './_base_/datasets/shapes_detection.py',
    './_base_/schedules/adamw_cosine_12e.py', './_base_/default_runtime.py'
]
model = dict(
    type='ATSS',
    bbox_head=dict(
        _delete_=True,
        type='ATSSHead',
        num_classes=3,
        in_channels=32,
        stacked_convs=2,
        feat_channels=32,
        norm_cfg=dict(type='GN', num_groups=8, requires_grad=True),
        anchor_generator=dict(
            type='AnchorGenerator',
            ratios=[1.0],
            octave_base_scale=3,
            scales_per_octave=1,
            strides=[8, 16]),
        bbox_coder=dict(
            type='DeltaXYWHBBoxCoder',
            target_means=[0.0, 0.0, 0.0, 0.0],
            target_stds=[0.1, 0.1, 0.2, 0.2]),
        loss_cls=dict(
            type='FocalLoss',
            use_sigmoid=True,
            gamma=2.0,
            alpha=0.25,
            loss_weight=1.0),
        loss_bbox=dict(type='GIoULoss', loss_weight=2.0),
        loss_centerness=dict(
            type='CrossEntropyLoss', use_sigmoid=True, loss_weight=1.0)),
    train_cfg=dict(assigner=dict(_delete_=True, type='ATSSAssigner', topk=9)),
    test_cfg=dict(nms=dict(iou_threshold=0.6)))
