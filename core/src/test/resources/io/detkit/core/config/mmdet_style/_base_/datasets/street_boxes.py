# A small box dataset of street scenes (three classes) in COCO's annotation format.
dataset_type = 'CocoDataset'
data_root = 'datasets/streets/'
pixel_stats = dict(mean=[110.0, 112.5, 108.25], std=[52.5, 51.0, 53.75], to_rgb=False)
img_scale = (960, 544)
# both pipelines start by reading the image; training also reads the boxes
loading = [dict(type='LoadImageFromFile'), dict(type='LoadAnnotations', with_bbox=True)]
train_pipeline = loading + [
    dict(type='Resize', img_scale=img_scale, keep_ratio=False),
    dict(type='RandomFlip', flip_ratio=0.25, direction='horizontal'),
    dict(type='Normalize', **pixel_stats),
    dict(type='Pad', size_divisor=64),
    dict(type='DefaultFormatBundle'),
    dict(type='Collect', keys=['img', 'gt_bboxes', 'gt_labels']),
]
test_pipeline = [
    loading[0],
    dict(type='MultiScaleFlipAug', img_scale=[img_scale, (640, 384)], flip=True, transforms=[
        dict(type='Resize', keep_ratio=False),
        dict(type='Normalize', **pixel_stats),
        dict(type='Pad', size_divisor=64),
        dict(type='Collect', keys=['img'])]),
]
data = dict(
    samples_per_gpu=3,
    workers_per_gpu=0,
    train=dict(type=dataset_type, ann_file=data_root + 'labels/day.json', img_prefix=data_root + 'day/',
               pipeline=train_pipeline, filter_empty_gt=True),
    val=dict(type=dataset_type, ann_file=data_root + 'labels/dusk.json', img_prefix=data_root + 'dusk/',
             pipeline=test_pipeline),
    test=dict(type=dataset_type, ann_file=data_root + 'labels/night.json', img_prefix=data_root + 'night/',
              pipeline=test_pipeline))
evaluation = dict(interval=2, metric='bbox', classwise=True)
