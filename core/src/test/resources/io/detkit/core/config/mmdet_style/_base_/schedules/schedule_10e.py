# Ten epochs of SGD: a linear warm-up, then two decays.
optimizer = dict(type='SGD', lr=0.015, momentum=0.95, weight_decay=0.0005)
optimizer_config = dict(grad_clip=None)
lr_config = dict(policy='step', warmup='linear', warmup_iters=200, warmup_ratio=0.01, step=[7, 9])
runner = dict(type='EpochBasedRunner', max_epochs=10)
