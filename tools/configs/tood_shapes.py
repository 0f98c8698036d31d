# TOOD (task-aligned one-stage detection) on detkit's synthetic shapes dataset, on the same tiny
# backbone, FPN, data and schedule as atss_shapes.py. The first four of the twelve epochs train
# with ATSS's assignment and a focal loss, the rest with the task-aligned assigner and the quality
# focal loss. MMDetection 2.x config layout; `detkit train tools/configs/tood_shapes.py`.
_base_ = [
    './_base_/models/retinanet_tiny_fpn.py', './_base_/datasets/shapes_detection.py',
    './_base_/schedules/adamw_cosine_12e.py', './_base_/default_runtime.py'
]
model = dict(
    type='TOOD',
    bbox_head=dict(
        _delete_=True,
        type='TOODHead',
        num_classes=3,
        in_channels=32,
        # one shared tower of three convolutions (ATSS: two towers of two)
        stacked_convs=3,
        feat_channels=32,
        anchor_type='anchor_free',
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
        initial_loss_cls=dict(
            type='FocalLoss',
            use_sigmoid=True,
            activated=True,
            gamma=2.0,
            alpha=0.25,
            loss_weight=1.0),
        loss_cls=dict(
            type='QualityFocalLoss',
            use_sigmoid=True,
            activated=True,
            beta=2.0,
            loss_weight=1.0),
        loss_bbox=dict(type='GIoULoss', loss_weight=2.0)),
    train_cfg=dict(
        _delete_=True,
        initial_epoch=4,
        initial_assigner=dict(type='ATSSAssigner', topk=9),
        assigner=dict(type='TaskAlignedAssigner', topk=13),
        alpha=1,
        beta=6,
        allowed_border=-1,
        pos_weight=-1,
        debug=False),
    test_cfg=dict(nms=dict(iou_threshold=0.6)))
