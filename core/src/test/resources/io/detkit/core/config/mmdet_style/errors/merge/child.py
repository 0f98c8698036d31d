_base_ = '../../_base_/schedules/schedule_10e.py'
optimizer_config = dict(grad_clip=dict(max_norm=35, norm_type=2))
