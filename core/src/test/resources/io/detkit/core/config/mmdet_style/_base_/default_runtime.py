# Runtime settings every experiment shares: checkpoints, logging, where training starts from.
checkpoint_config = dict(interval=2, max_keep_ckpts=3)
log_config = dict(interval=25, hooks=[dict(type='TextLoggerHook', by_epoch=False)])
custom_hooks = [dict(type='NumClassCheckHook')]
log_level = 'WARNING'
load_from = None
resume_from = None
workflow = [('train', 2), ('val', 1)]
