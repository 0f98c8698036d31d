_base_ = './c.json'
b = 1
