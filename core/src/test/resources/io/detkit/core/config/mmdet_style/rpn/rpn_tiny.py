_base_ = '../faster_rcnn/faster_rcnn_tiny.py'
model = dict(type='RPN', roi_head=None)
