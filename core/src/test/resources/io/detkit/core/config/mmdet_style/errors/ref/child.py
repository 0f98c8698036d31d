_base_ = '../dup/one.py'
x = dict(y={{_base_.shared.nope}})
