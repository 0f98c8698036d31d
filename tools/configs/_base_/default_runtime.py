# Checkpoint every epoch, log every 25 iterations, seed 0.
checkpoint_config = dict(interval=1)
log_config = dict(interval=25)
seed = 0
