_base_ = [
    '../_base_/models/retina_resnet_fpn.py', '../_base_/datasets/coco_boxes.py',
    '../_base_/schedules/sgd_12e.py', '../_base_/runtime.py'
]
# a quarter of the schedule's learning rate for a smaller batch
optimizer = dict(lr=0.04 / 4)
# evaluate whenever a checkpoint is written
evaluation = dict(interval={{_base_.checkpoint_config.interval}})
