_base_ = ['../_base_/schedules/schedule_10e.py', '../_base_/default_runtime.py']
# one NMS setting for the proposals in training and testing
proposal_nms = dict(type='nms', iou_threshold=0.65)
model = dict(
    type='FasterRCNN',
    rpn_head=dict(
        type='RPNHead', in_channels=24, feat_channels=24,
        anchor_generator=dict(type='AnchorGenerator', scales=[6], ratios=[0.5, 1.0, 2.0], strides=[8, 16]),
        bbox_coder=dict(type='DeltaXYWHBBoxCoder', target_means=[0.0] * 4, target_stds=[1.0] * 4),
        loss_cls=dict(type='CrossEntropyLoss', use_sigmoid=True, loss_weight=1.0),
        loss_bbox=dict(type='SmoothL1Loss', beta=0.5, loss_weight=1.0)),
    roi_head=dict(type='StandardRoIHead'),
    train_cfg=dict(
        rpn=dict(
            assigner=dict(type='MaxIoUAssigner', pos_iou_thr=0.65, neg_iou_thr=0.25, min_pos_iou=0.2,
                          match_low_quality=True, ignore_iof_thr=0.5),
            sampler=dict(type='RandomSampler', num=128, pos_fraction=0.25, neg_pos_ub=3,
                         add_gt_as_proposals=False),
            allowed_border=0, pos_weight=2.0, debug=False),
        rpn_proposal=dict(nms_pre=600, max_per_img=300, nms=proposal_nms, min_bbox_size=1),
        rcnn=dict(assigner=dict(type='MaxIoUAssigner', pos_iou_thr=0.55, neg_iou_thr=0.45))),
    test_cfg=dict(
        rpn=dict(nms_pre=400, max_per_img=200, nms=proposal_nms, min_bbox_size=1),
        rcnn=dict(score_thr=0.1, nms=dict(type='nms', iou_threshold=0.45), max_per_img=50)))
