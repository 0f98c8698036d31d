_base_ = './_base_/retinanet.py'
# FCOS keeps the detector-level train_cfg (its MaxIoUAssigner is never used: FCOS assigns by regress
# ranges) and test_cfg of the base; its head has strides instead of an anchor generator.
model = dict(
    type='FCOS',
    bbox_head=dict(
        _delete_=True,
        type='FCOSHead',
        num_classes=3,
        in_channels=16,
        stacked_convs=1,
        feat_channels=16,
        strides=[8, 16],
        regress_ranges=((-1, 32), (32, 1e8)),
        norm_cfg=dict(type='GN', num_groups=4, requires_grad=True),
        center_sampling=True,
        center_sample_radius=1.5,
        norm_on_bbox=True,
        centerness_on_reg=True,
        dcn_on_last_conv=False,
        conv_bias=True,
        loss_cls=dict(type='FocalLoss', use_sigmoid=True, gamma=2.0, alpha=0.25, loss_weight=1.0),
        loss_bbox=dict(type='GIoULoss', loss_weight=1.0),
        loss_centerness=dict(type='CrossEntropyLoss', use_sigmoid=True, loss_weight=1.0)))
