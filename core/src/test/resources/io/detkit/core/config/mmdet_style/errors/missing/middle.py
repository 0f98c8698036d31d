_base_ = './not_there.py'
x = 1
