_base_ = '../_base_/datasets/street_boxes.py'
# detkit reads a base's names after the _base_ line (mmcv 1.x would raise NameError here)
crop = (img_scale[0] // 2, img_scale[1] * 1.0 / 2)
val_ann = data['val']['ann_file']
data_root = data_root + 'v2/'
