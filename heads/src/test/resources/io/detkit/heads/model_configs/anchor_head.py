_base_ = './_base_/retinanet.py'
model = dict(bbox_head=dict(type='AnchorHead', feat_channels=16,
                            _delete_=False))
