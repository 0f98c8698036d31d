package io.detkit.heads;

import io.detkit.core.CoreRegistries;
import io.detkit.core.anchor.PriorGenerator;
import io.detkit.core.assign.BaseAssigner;
import io.detkit.losses.CrossEntropyLoss;
import io.detkit.samplers.PseudoSampler;
import io.detkit.samplers.Sampler;
import io.detkit.samplers.Samplers;
import java.util.Arrays;

/**
 * What a head's constructor ({@link BaseDenseHead}) makes of its builder's {@link HeadParams}: the
 * settings checked together (a class count that gives an int channel count at every level, one prior
 * count per location unless allowed to vary), the classifier form, and the assigner and sampler
 * training uses. One job, apart from the head's contract; built once, on the builder's thread.
 *
 * @param params the builder's settings
 * @param numClasses the foreground classes
 * @param useSigmoidCls whether classification is per-class sigmoid
 * @param clsOutChannels channels per prior of {@code cls_scores}
 * @param assigner the assigner training uses, or null (no {@code train_cfg}, or assignment by the
 *     head's own rules)
 * @param sampler the sampler training uses (the PseudoSampler unless sampling)
 * @param sampling whether training samples priors
 */
record HeadSettings(HeadParams params, int numClasses, boolean useSigmoidCls, int clsOutChannels,
    BaseAssigner assigner, Sampler sampler, boolean sampling) {

  /**
   * The settings of head {@code type} from {@code p}.
   *
   * @throws IllegalArgumentException if {@code num_classes} is missing or gives no output channel
   *     or more channels than an int holds, or levels disagree on the number of priors per location
   */
  static HeadSettings of(String type, HeadParams p) {
    if (p.numClasses() == null) {
      throw new IllegalArgumentException(type + ": num_classes is required");
    }
    int numClasses = p.numClasses();
    boolean useSigmoidCls = p.useSigmoidCls() != null ? p.useSigmoidCls()
        : !(p.lossCls() instanceof CrossEntropyLoss ce) || ce.useSigmoid();
    int clsOutChannels = useSigmoidCls ? numClasses : numClasses + 1;
    if (clsOutChannels <= 0) {
      throw new IllegalArgumentException(type + ": num_classes=" + numClasses + " is too small");
    }
    checkPriors(type, p, numClasses, clsOutChannels);
    if (p.trainCfg() == null) {
      return new HeadSettings(p, numClasses, useSigmoidCls, clsOutChannels, p.assigner(),
          p.sampler() != null ? p.sampler() : PseudoSampler.INSTANCE, false);
    }
    BaseAssigner assigner = p.assigner() != null ? p.assigner()
        : p.buildsAssigner() ? CoreRegistries.buildAssigner(p.trainCfg().assigner()) : null;
    Sampler configured = p.sampler() != null ? p.sampler() : p.trainCfg().sampler().map(Samplers::build).orElse(null);
    boolean wantsSampling = configured != null && !(configured instanceof PseudoSampler);
    boolean sampling = wantsSampling && !BaseDenseHead.SAMPLING_FREE_LOSSES.contains(p.lossCls().type()) && p.samplingAllowed();
    return new HeadSettings(p, numClasses, useSigmoidCls, clsOutChannels, assigner,
        sampling ? configured : PseudoSampler.INSTANCE, sampling);
  }

  private static void checkPriors(String type, HeadParams p, int numClasses, int clsOutChannels) {
    PriorGenerator priors = p.anchorGenerator();
    for (int l = 0; l < priors.numLevels(); l++) {
      try {
        Math.multiplyExact(priors.numBasePriors(l), clsOutChannels);
      } catch (ArithmeticException e) {
        throw new IllegalArgumentException(type + ": num_classes=" + numClasses + " is too large: level " + l + "'s "
            + priors.numBasePriors(l) + " priors x " + clsOutChannels + " classes overflow the int channel"
            + " count of cls_scores");
      }
    }
    int a0 = priors.numBasePriors(0);
    for (int l = 1; l < priors.numLevels(); l++) {
      if (priors.numBasePriors(l) != a0 && !p.allowVaryingAnchors()) {
        throw new IllegalArgumentException(type + ": every level must have the same number of priors per location; "
            + "got " + Arrays.toString(priors.numBasePriors()));
      }
    }
  }
}
