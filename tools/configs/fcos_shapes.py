# FCOS (anchor-free: class scores, four distances and a centerness at every location) on detkit's
# synthetic shapes dataset, on the same tiny backbone, FPN, data and schedule as atss_shapes.py,
# with FCOS's later improvements (centre sampling, distances in stride units, centerness on the
# regression tower, GIoU). MMDetection 2.x config layout; `detkit train tools/configs/fcos_shapes.py`.
_base_ = [
    './_base_/models/retinanet_tiny_fpn.py', './_base_/datasets/shapes_detection.py',
    './_base_/schedules/adamw_cosine_12e.py', './_base_/default_runtime.py'
]
model = dict(
    type='FCOS',
    bbox_head=dict(
        _delete_=True,
        type='FCOSHead',
        num_classes=3,
        in_channels=32,
        stacked_convs=2,
        feat_channels=32,
        strides=[8, 16],
        norm_cfg=dict(type='GN', num_groups=8, requires_grad=True),
        # The shapes are 12 to 40 px. Locations whose farthest box side is within 32 px learn on
        # stride 8 (almost every shape), the rest on stride 16. A split at 16 px sent every shape
        # over about 30 px to the coarse 4x4 stride-16 map and trained to AP 0.343 (0.655 AP50).
        regress_ranges=((-1, 32), (32, 1e8)),
        center_sampling=True,
        center_sample_radius=1.5,
        norm_on_bbox=True,
        centerness_on_reg=True,
        loss_cls=dict(
            type='FocalLoss',
            use_sigmoid=True,
            gamma=2.0,
            alpha=0.25,
            loss_weight=1.0),
        loss_bbox=dict(type='GIoULoss', loss_weight=1.0),
        loss_centerness=dict(
            type='CrossEntropyLoss', use_sigmoid=True, loss_weight=1.0)),
    test_cfg=dict(nms=dict(iou_threshold=0.6)))
