# A COCO-format box dataset; paths are joined to data_root with '+', as MMDetection's files do.
dataset_type = 'CocoDataset'
data_root = 'datasets/coco2017/'
norm = dict(mean=[120.0, 115.0, 105.0], std=[60.0, 58.0, 57.0], to_rgb=True)
scale = (1024, 640)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', img_scale=scale, keep_ratio=True),
    dict(type='RandomFlip', flip_ratio=0.5),
    dict(type='Normalize', **norm),
    dict(type='Pad', size_divisor=32),
    dict(type='DefaultFormatBundle'),
    dict(type='Collect', keys=['img', 'gt_bboxes', 'gt_labels']),
]
eval_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='MultiScaleFlipAug', img_scale=scale, flip=False, transforms=[
        dict(type='Resize', keep_ratio=True),
        dict(type='Normalize', **norm),
        dict(type='Pad', size_divisor=32),
        dict(type='ImageToTensor', keys=['img']),
        dict(type='Collect', keys=['img']),
    ]),
]
data = dict(
    samples_per_gpu=4,
    workers_per_gpu=1,
    train=dict(type=dataset_type, ann_file=data_root + 'annotations/train.json',
               img_prefix=data_root + 'images/train/', pipeline=train_pipeline),
    val=dict(type=dataset_type, ann_file=data_root + 'annotations/val.json',
             img_prefix=data_root + 'images/val/', pipeline=eval_pipeline),
    test=dict(type=dataset_type, ann_file=data_root + 'annotations/val.json',
              img_prefix=data_root + 'images/val/', pipeline=eval_pipeline))
evaluation = dict(interval=2, metric='bbox')
