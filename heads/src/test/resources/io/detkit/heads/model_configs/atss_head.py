_base_ = './_base_/retinanet.py'
model = dict(
    type='ATSS',
    bbox_head=dict(
        type='ATSSHead',
        anchor_generator=dict(_delete_=True, type='AnchorGenerator', ratios=[1.0], octave_base_scale=8,
                              scales_per_octave=1, strides=[8, 16]),
        bbox_coder=dict(target_stds=[0.1, 0.1, 0.2, 0.2]),
        loss_bbox=dict(_delete_=True, type='GIoULoss', loss_weight=2.0),
        loss_centerness=dict(type='CrossEntropyLoss', use_sigmoid=True, loss_weight=1.0)),
    train_cfg=dict(assigner=dict(_delete_=True, type='ATSSAssigner', topk=9)),
    test_cfg=dict(nms=dict(iou_threshold=0.6)))
