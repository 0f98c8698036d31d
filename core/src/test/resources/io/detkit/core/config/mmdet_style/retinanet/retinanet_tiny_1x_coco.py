_base_ = [
    '../_base_/models/retinanet_tiny.py', '../_base_/datasets/coco_detection.py',
    '../_base_/schedules/schedule_1x.py', '../_base_/default_runtime.py'
]
# a lower lr with AdamW: the schedule's SGD settings must not leak in
optimizer = dict(_delete_=True, type='AdamW', lr=0.01 / 8, weight_decay=0.0001)
optimizer_config = dict(_delete_=True, grad_clip=dict(max_norm=35, norm_type=2))
model = dict(bbox_head=dict(loss_bbox=dict(type='SmoothL1Loss', beta=1.0 / 9.0, loss_weight=1.0)))
evaluation = dict(interval={{_base_.checkpoint_config.interval}} , save_best='auto')
work_dir = './work_dirs/{{ fileBasenameNoExtension }}'
