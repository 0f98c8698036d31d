package io.detkit.losses;

import io.detkit.core.config.Registry;

/** Registers the regression and IoU-family losses under their MMDetection type names. */
final class RegressionLosses {
  private RegressionLosses() {}

  static void registerAll(Registry<Loss> registry) {
    registry.register(SmoothL1Loss.TYPE, SmoothL1Loss::new);
    registry.register(L1Loss.TYPE, L1Loss::new);
    registry.register(BalancedL1Loss.TYPE, BalancedL1Loss::new);
    registry.register(MSELoss.TYPE, MSELoss::new);
    registry.register(GHMR.TYPE, GHMR::new);
    registry.register(IoULoss.TYPE, IoULoss::new);
    registry.register(GIoULoss.TYPE, GIoULoss::new);
    registry.register(DIoULoss.TYPE, DIoULoss::new);
    registry.register(CIoULoss.TYPE, CIoULoss::new);
    registry.register(BoundedIoULoss.TYPE, BoundedIoULoss::new);
  }
}
