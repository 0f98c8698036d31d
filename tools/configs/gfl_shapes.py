# GFL (Generalized Focal Loss) on detkit's synthetic shapes dataset, on the same tiny backbone, FPN,
# data and schedule as atss_shapes.py. MMDetection 2.x config layout; `detkit train
# tools/configs/gfl_shapes.py`, `detkit print-config tools/configs/gfl_shapes.py` shows the merge.
_base_ = [
    './_base_/models/retinanet_tiny_fpn.py', './_base_/datasets/shapes_detection.py',
    './_base_/schedules/adamw_cosine_12e.py', './_base_/default_runtime.py'
]
model = dict(
    type='GFL',
    bbox_head=dict(
        _delete_=True,
        type='GFLHead',
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
        # Box sides up to 8 strides from a location: the largest shapes (40 px) reach 5 strides
        # at stride 8.
        reg_max=8,
        loss_cls=dict(
            type='QualityFocalLoss',
            use_sigmoid=True,
            beta=2.0,
            loss_weight=1.0),
        loss_dfl=dict(type='DistributionFocalLoss', loss_weight=0.25),
        loss_bbox=dict(type='GIoULoss', loss_weight=2.0)),
    train_cfg=dict(assigner=dict(_delete_=True, type='ATSSAssigner', topk=9)),
    test_cfg=dict(nms=dict(iou_threshold=0.6)))
