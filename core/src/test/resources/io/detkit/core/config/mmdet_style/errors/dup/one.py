lr = 0.1
shared = dict(a=1)
