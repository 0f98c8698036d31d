# A RetinaNet-like detector written in MMDetection's config layout: a ResNet backbone (never built
# by show-targets, which reads only the head), a five-level FPN and a RetinaHead with nine anchors
# a location.
num_classes = 80
model = dict(
    type='RetinaNet',
    backbone=dict(type='ResNet', depth=50, num_stages=4, out_indices=(0, 1, 2, 3),
                  norm_cfg=dict(type='BN', requires_grad=True), style='pytorch'),
    neck=dict(type='FPN', in_channels=[256, 512, 1024, 2048], out_channels=256, start_level=1,
              add_extra_convs='on_input', num_outs=5),
    bbox_head=dict(
        type='RetinaHead',
        num_classes=num_classes,
        in_channels=256,
        feat_channels=256,
        stacked_convs=4,
        anchor_generator=dict(type='AnchorGenerator', strides=[8, 16, 32, 64, 128],
                              ratios=[0.5, 1.0, 2.0], octave_base_scale=4, scales_per_octave=3),
        bbox_coder=dict(type='DeltaXYWHBBoxCoder', target_means=[0.0] * 4, target_stds=[1.0] * 4),
        loss_cls=dict(type='FocalLoss', use_sigmoid=True, alpha=0.25, gamma=2.0, loss_weight=1.0),
        loss_bbox=dict(type='L1Loss', loss_weight=1.0)),
    train_cfg=dict(
        assigner=dict(type='MaxIoUAssigner', pos_iou_thr=0.5, neg_iou_thr=0.4, min_pos_iou=0,
                      ignore_iof_thr=-1),
        allowed_border=-1, pos_weight=-1, debug=False),
    test_cfg=dict(nms_pre=500, min_bbox_size=0, score_thr=0.05,
                  nms=dict(type='nms', iou_threshold=0.5), max_per_img=50))
