# Config snippets of docs/customize_losses.md. Each tagged region is parsed on its own by
# CustomizeLossesDocTest with ConfigLoader.fromPython and built into the component it describes.

# tag::rpn-sampler[]
rpn_head = dict(
    type='RPNHead',
    in_channels=256,
    feat_channels=256,
    anchor_generator=dict(
        type='AnchorGenerator', scales=[8], ratios=[0.5, 1.0, 2.0], strides=[4, 8, 16, 32, 64]),
    bbox_coder=dict(
        type='DeltaXYWHBBoxCoder', target_means=[0.0, 0.0, 0.0, 0.0], target_stds=[1.0, 1.0, 1.0, 1.0]),
    loss_cls=dict(type='CrossEntropyLoss', use_sigmoid=True, loss_weight=1.0),
    loss_bbox=dict(type='L1Loss', loss_weight=1.0),
    train_cfg=dict(
        assigner=dict(
            type='MaxIoUAssigner', pos_iou_thr=0.7, neg_iou_thr=0.3, min_pos_iou=0.3, ignore_iof_thr=-1),
        sampler=dict(
            type='RandomSampler',
            num=256,
            pos_fraction=0.5,
            neg_pos_ub=-1,
            add_gt_as_proposals=False),
        allowed_border=-1,
        pos_weight=-1,
        debug=False))
# end::rpn-sampler[]

# tag::focal-default[]
loss_cls = dict(
    type='FocalLoss',
    use_sigmoid=True,
    gamma=2.0,
    alpha=0.25,
    loss_weight=1.0)
# end::focal-default[]

# tag::focal-gamma-alpha[]
loss_cls = dict(
    type='FocalLoss',
    use_sigmoid=True,
    gamma=1.5,
    alpha=0.5,
    loss_weight=1.0)
# end::focal-gamma-alpha[]

# tag::focal-sum[]
loss_cls = dict(
    type='FocalLoss',
    use_sigmoid=True,
    gamma=2.0,
    alpha=0.25,
    loss_weight=1.0,
    reduction='sum')
# end::focal-sum[]

# tag::focal-loss-weight[]
loss_cls = dict(
    type='FocalLoss',
    use_sigmoid=True,
    gamma=2.0,
    alpha=0.25,
    loss_weight=0.5)
# end::focal-loss-weight[]

# tag::iou-weighted-config[]
bbox_head = dict(
    type='IoUWeightedAnchorHead',
    num_classes=1,
    in_channels=256,
    anchor_generator=dict(type='AnchorGenerator', strides=[16], ratios=[1.0], scales=[1.0]),
    loss_cls=dict(type='CrossEntropyLoss', use_sigmoid=True, loss_weight=1.0),
    loss_bbox=dict(type='L1Loss', loss_weight=1.0),
    train_cfg=dict(
        assigner=dict(
            type='MaxIoUAssigner', pos_iou_thr=0.5, neg_iou_thr=0.4, min_pos_iou=0, ignore_iof_thr=-1),
        allowed_border=-1,
        pos_weight=-1,
        debug=False))
# end::iou-weighted-config[]

# tag::fcos-config[]
bbox_head = dict(
    type='FCOSHead',
    num_classes=1,
    in_channels=64,
    strides=[8, 16],
    regress_ranges=((-1, 16), (16, 1e8)),
    center_sampling=True,
    center_sample_radius=1.5,
    norm_on_bbox=True,
    centerness_on_reg=True,
    loss_cls=dict(type='FocalLoss', use_sigmoid=True, gamma=2.0, alpha=0.25, loss_weight=1.0),
    loss_bbox=dict(type='GIoULoss', loss_weight=1.0),
    loss_centerness=dict(type='CrossEntropyLoss', use_sigmoid=True, loss_weight=1.0))
# end::fcos-config[]

# tag::gfl-config[]
bbox_head = dict(
    type='GFLHead',
    num_classes=1,
    in_channels=64,
    anchor_generator=dict(
        type='AnchorGenerator', ratios=[1.0], octave_base_scale=8, scales_per_octave=1, strides=[8]),
    loss_cls=dict(type='QualityFocalLoss', use_sigmoid=True, beta=2.0, loss_weight=1.0),
    loss_dfl=dict(type='DistributionFocalLoss', loss_weight=0.25),
    reg_max=16,
    loss_bbox=dict(type='GIoULoss', loss_weight=2.0),
    train_cfg=dict(assigner=dict(type='ATSSAssigner', topk=9), allowed_border=-1, pos_weight=-1, debug=False))
# end::gfl-config[]

# tag::tood-config[]
bbox_head = dict(
    type='TOODHead',
    num_classes=1,
    in_channels=64,
    anchor_type='anchor_free',
    anchor_generator=dict(
        type='AnchorGenerator', ratios=[1.0], octave_base_scale=8, scales_per_octave=1, strides=[8]),
    bbox_coder=dict(
        type='DeltaXYWHBBoxCoder', target_means=[0.0, 0.0, 0.0, 0.0], target_stds=[0.1, 0.1, 0.2, 0.2]),
    initial_loss_cls=dict(
        type='FocalLoss', use_sigmoid=True, activated=True, gamma=2.0, alpha=0.25, loss_weight=1.0),
    loss_cls=dict(type='QualityFocalLoss', use_sigmoid=True, activated=True, beta=2.0, loss_weight=1.0),
    loss_bbox=dict(type='GIoULoss', loss_weight=2.0),
    train_cfg=dict(
        initial_epoch=4,
        initial_assigner=dict(type='ATSSAssigner', topk=9),
        assigner=dict(type='TaskAlignedAssigner', topk=13),
        alpha=1,
        beta=6,
        allowed_border=-1,
        pos_weight=-1,
        debug=False))
# end::tood-config[]
