_base_ = '../retinanet/retinanet_tiny_streets.py'
model = dict(
    type='ATSS',
    bbox_head=dict(
        _delete_=True,
        type='ATSSHead', num_classes=3, in_channels=24, stacked_convs=1, feat_channels=24,
        anchor_generator=dict(type='AnchorGenerator', ratios=[1.0], octave_base_scale=6,
                              scales_per_octave=1, strides=[8, 16]),
        bbox_coder=dict(type='DeltaXYWHBBoxCoder', target_means=[0.0, 0.0, 0.0, 0.0],
                        target_stds=[0.1, 0.1, 0.2, 0.2]),
        loss_cls=dict(type='FocalLoss', use_sigmoid=True, gamma=2.0, alpha=0.25, loss_weight=1.0),
        loss_bbox=dict(type='GIoULoss', loss_weight=1.5),
        loss_centerness=dict(type='CrossEntropyLoss', use_sigmoid=True, loss_weight=0.5)),
    train_cfg=dict(assigner=dict(_delete_=True, type='ATSSAssigner', topk=7)))
optimizer = dict(lr=0.002)
