package io.detkit.tools.model;

import io.detkit.core.config.Registry;

/**
 * Registries of the network parts a config names: {@code model.backbone} and {@code model.neck}.
 * Register more with {@code Models.BACKBONES.register("MyNet", MyNet::fromConfig)}.
 */
public final class Models {
  /** Backbones by type: {@code TinyConvNet}. */
  public static final Registry<Backbone> BACKBONES = new Registry<Backbone>("backbone")
      .register("TinyConvNet", TinyConvNet::fromConfig);

  /** Necks by type: {@code FPN}. */
  public static final Registry<FPN> NECKS = new Registry<FPN>("neck").register("FPN", FPN::fromConfig);

  private Models() {}
}
