# A seed in the shape of a one-stage detector config: bases, nested dicts, tuples, lists, comments
_base_ = ['../_base_/models/tiny_one_stage.py', '../_base_/runtime.py']
head = dict(
    type='RetinaHead',
    num_classes=5,
    in_channels=48,
    anchor_generator=dict(type='AnchorGenerator', octave_base_scale=3, scales_per_octave=2,
                          ratios=(0.4, 1.0, 2.5), strides=[4, 8, 16]),
    bbox_coder=dict(type='DeltaXYWHBBoxCoder', target_means=[0.0, 0.0, 0.0, 0.0],
                    target_stds=[0.25, 0.25, 0.5, 0.5]),
    loss_cls=dict(type='FocalLoss', use_sigmoid=True, gamma=1.75, alpha=0.4, loss_weight=2.0),
    loss_bbox=dict(type='SmoothL1Loss', beta=0.2, loss_weight=1.5))
model = dict(
    type='RetinaNet',
    bbox_head=head,
    train_cfg=dict(
        assigner=dict(type='MaxIoUAssigner', pos_iou_thr=0.55, neg_iou_thr=(0.1, 0.35), min_pos_iou=0.2,
                      ignore_iof_thr=0.6),
        allowed_border=4, pos_weight=0.5, debug=False))
optimizer = dict(type='AdamW', lr=3e-4, betas=(0.9, 0.99), weight_decay=0.02)
