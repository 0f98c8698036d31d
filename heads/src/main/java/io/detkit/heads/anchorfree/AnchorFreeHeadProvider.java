package io.detkit.heads.anchorfree;

import io.detkit.core.config.Registry;
import io.detkit.heads.BaseDenseHead;
import io.detkit.heads.HeadProvider;

/**
 * Registers {@code FCOSHead} and {@code VFNetHead} in {@link io.detkit.heads.Heads#REGISTRY} through
 * {@link java.util.ServiceLoader} ({@code META-INF/services/io.detkit.heads.HeadProvider}), so that
 * the registry front needs no compile-time edge into this package. Stateless.
 */
public final class AnchorFreeHeadProvider implements HeadProvider {
  @Override
  public void registerHeads(Registry<BaseDenseHead> registry) {
    registry.register("FCOSHead", FCOSHead::fromConfig);
    registry.register("VFNetHead", VFNetHead::fromConfig);
  }
}
