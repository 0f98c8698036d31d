# ATSS on detkit's synthetic shapes dataset, sized to train on two CPU cores in a few minutes.
# MMDetection 2.x config syntax; `detkit train tools/configs/atss_shapes.py`.

model = dict(
    type='ATSS',
    backbone=dict(
        type='TinyConvNet',
        in_channels=3,
        stem_channels=16,
        stage_channels=(32, 48, 64),
        out_indices=(1, 2)),
    neck=dict(
        type='FPN',
        in_channels=[48, 64],
        out_channels=32,
        start_level=0,
        add_extra_convs=False,
        num_outs=2),
    bbox_head=dict(
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
    # training and testing settings
    train_cfg=dict(
        assigner=dict(type='ATSSAssigner', topk=9),
        allowed_border=-1,
        pos_weight=-1,
        debug=False),
    test_cfg=dict(
        nms_pre=1000,
        min_bbox_size=0,
        score_thr=0.05,
        nms=dict(type='nms', iou_threshold=0.6),
        max_per_img=100))

# dataset settings
dataset_type = 'ShapesDataset'
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', img_scale=(64, 64), keep_ratio=True),
    dict(type='RandomFlip', flip_ratio=0.5),
    dict(type='Normalize', mean=[127.5, 127.5, 127.5], std=[64.0, 64.0, 64.0], to_rgb=True),
    dict(type='Pad', size_divisor=16),
    dict(type='DefaultFormatBundle'),
    dict(type='Collect', keys=['img', 'gt_bboxes', 'gt_labels']),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(
        type='MultiScaleFlipAug',
        img_scale=(64, 64),
        flip=False,
        transforms=[
            dict(type='Resize', keep_ratio=True),
            dict(type='RandomFlip'),
            dict(type='Normalize', mean=[127.5, 127.5, 127.5], std=[64.0, 64.0, 64.0], to_rgb=True),
            dict(type='Pad', size_divisor=16),
            dict(type='ImageToTensor', keys=['img']),
            dict(type='Collect', keys=['img']),
        ])
]
data = dict(
    samples_per_gpu=16,
    workers_per_gpu=1,
    train=dict(
        type=dataset_type, num_images=2000, seed=1, image_size=64, min_objects=1, max_objects=5,
        min_side=12, max_side=40, noise=0.08, pipeline=train_pipeline),
    val=dict(
        type=dataset_type, num_images=200, seed=1000003, image_size=64, min_objects=1, max_objects=5,
        min_side=12, max_side=40, noise=0.08, pipeline=test_pipeline),
    test=dict(
        type=dataset_type, num_images=200, seed=1000003, image_size=64, min_objects=1, max_objects=5,
        min_side=12, max_side=40, noise=0.08, pipeline=test_pipeline))
evaluation = dict(interval=1, metric='bbox')

# optimizer
optimizer = dict(type='AdamW', lr=0.003, weight_decay=0.0001)
optimizer_config = dict(grad_clip=dict(max_norm=35, norm_type=2))
# learning policy
lr_config = dict(
    policy='CosineAnnealing',
    warmup='linear',
    warmup_iters=100,
    warmup_ratio=0.001,
    min_lr_ratio=0.05)
runner = dict(type='EpochBasedRunner', max_epochs=12)
checkpoint_config = dict(interval=1)
log_config = dict(interval=25)
seed = 0
