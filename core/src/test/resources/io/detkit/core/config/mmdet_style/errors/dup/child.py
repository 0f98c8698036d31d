_base_ = ['./one.py', './two.yaml']
