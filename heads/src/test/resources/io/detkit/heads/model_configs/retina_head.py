_base_ = './_base_/retinanet.py'
