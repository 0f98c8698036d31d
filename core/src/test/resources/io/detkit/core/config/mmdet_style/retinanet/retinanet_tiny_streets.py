_base_ = [
    '../_base_/models/retinanet_tiny.py', '../_base_/datasets/street_boxes.py',
    '../_base_/schedules/schedule_10e.py', '../_base_/default_runtime.py'
]
# AdamW instead of the schedule's SGD: _delete_ keeps SGD's momentum from leaking in
optimizer = dict(_delete_=True, type='AdamW', lr=0.006 / 4, weight_decay=0.05)
optimizer_config = dict(_delete_=True, grad_clip=dict(max_norm=10, norm_type=2))
model = dict(bbox_head=dict(loss_bbox=dict(type='SmoothL1Loss', beta=1.0 / 7.0)))
evaluation = dict(interval={{_base_.checkpoint_config.interval}} , save_best='bbox_mAP')
work_dir = './work_dirs/{{ fileBasenameNoExtension }}'
