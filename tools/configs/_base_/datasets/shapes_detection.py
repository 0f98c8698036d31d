# detkit's synthetic shapes: 64x64 images with one to five boxes of three classes, drawn on first use (and kept: see ShapesDataset).
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
