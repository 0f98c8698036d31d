# RetinaNet on detkit's synthetic shapes dataset, sized to train on two CPU cores in a few minutes.
# MMDetection 2.x config layout; `detkit train tools/configs/retinanet_shapes.py`,
# `detkit print-config tools/configs/retinanet_shapes.py` shows the merged result.
_base_ = [
    './_base_/models/retinanet_tiny_fpn.py', './_base_/datasets/shapes_detection.py',
    './_base_/schedules/adamw_cosine_12e.py', './_base_/default_runtime.py'
]
