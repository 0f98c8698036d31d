# The shipped ATSS shapes config with the example EarlyStopHook (io.detkit.tools.examples):
# a min_delta no training loss can improve by, so the run stops after its second epoch.
_base_ = ['../../../../configs/atss_shapes.py']
custom_hooks = [dict(type='EarlyStopHook', patience=1, min_delta=100.0, priority='HIGH')]
