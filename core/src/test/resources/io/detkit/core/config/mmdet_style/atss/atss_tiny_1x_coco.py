_base_ = '../retinanet/retinanet_tiny_1x_coco.py'
model = dict(
    type='ATSS',
    bbox_head=dict(
        _delete_=True,
        type='ATSSHead',
        num_classes=3,
        in_channels=32,
        stacked_convs=2,
        feat_channels=32,
        anchor_generator=dict(type='AnchorGenerator', ratios=[1.0], octave_base_scale=8,
                              scales_per_octave=1, strides=[8, 16]),
        bbox_coder=dict(type='DeltaXYWHBBoxCoder', target_means=[.0, .0, .0, .0],
                        target_stds=[0.1, 0.1, 0.2, 0.2]),
        loss_cls=dict(type='FocalLoss', use_sigmoid=True, gamma=2.0, alpha=0.25, loss_weight=1.0),
        loss_bbox=dict(type='GIoULoss', loss_weight=2.0),
        loss_centerness=dict(type='CrossEntropyLoss', use_sigmoid=True, loss_weight=1.0)),
    train_cfg=dict(assigner=dict(_delete_=True, type='ATSSAssigner', topk=9)))
optimizer = dict(lr=0.005)
