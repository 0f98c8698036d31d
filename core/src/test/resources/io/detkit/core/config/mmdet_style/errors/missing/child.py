_base_ = ['./middle.py']
