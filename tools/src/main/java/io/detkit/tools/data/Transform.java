package io.detkit.tools.data;

import java.awt.image.BufferedImage;
import java.util.SplittableRandom;

/**
 * One step of a {@link Pipeline}: changes the {@link State} of one sample in place. A transform is
 * built from its config dict by {@link Transforms#REGISTRY} (or {@link Resize#fromConfig}), holds
 * only its parameters, and may be applied to different samples from several threads at once.
 */
interface Transform {
  /** Applies the step to {@code s}; {@code random} is the sample's own stream (random flips draw from it). */
  void apply(State s, SplittableRandom random);

  /** The sample as it moves through the steps. */
  final class State {
    BufferedImage image;
    float[] chw;
    boolean rgbOrder = true;
    int h;
    int w;
    int[] imgShape;
    int[] padShape;
    double[] scaleFactor = {1, 1, 1, 1};
    boolean flip;
    float[] boxes;
    float[] ignore;
  }
}
