package io.detkit.bench;

import io.detkit.heads.HeadLoss;
import io.detkit.heads.HeadStep;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * A training step of each benchmarked head ({@link BenchHeads#HEADS}) for one image or a batch of
 * two ({@link HeadState}): {@code step} is MMDetection's whole {@code loss()} call (priors, targets,
 * losses, gradients of every output), the result consumed and closed as {@link HeadLoss}'s contract
 * asks (try-with-resources); {@code stepDropped} the same call with the result dropped, its
 * gradients left to the garbage collector (whose timing then sets when ND4J frees them, so that
 * figure depends on the heap's garbage and varies between builds); {@code stepInWorkspace} the same call inside an ND4J
 * workspace ({@link #STEP_WORKSPACE}), whose memory the step's arrays reuse once its size is
 * learned, so that a steady-state step does not allocate and page in fresh off-heap memory (the
 * gradients are read before the scope closes, as a trainer would consume them). {@code targets}
 * (priors and targets) and {@code loss} (losses and gradients from precomputed targets) split the
 * step where the head's public API does ({@code loss} consumes and closes its result too): RetinaHead, ATSSHead and GFLHead both, FCOSHead the
 * targets only, TOODHead neither ({@code bench/run.sh} restricts the two to those heads; for the
 * others they throw). {@code stepReused} is {@code step} with a {@link HeadStep} kept by the
 * benchmark thread, so that the gradient arrays are reused from step to step (every head).
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class HeadBench {
  /** Learns its size on the first step, then reuses it; a larger step reallocates. */
  public static final WorkspaceConfiguration STEP_WORKSPACE = WorkspaceConfiguration.builder().initialSize(0)
      .policyAllocation(AllocationPolicy.STRICT).policyLearning(LearningPolicy.FIRST_LOOP)
      .policySpill(SpillPolicy.REALLOCATE).build();

  @Benchmark
  public Object targets(HeadState s) {
    return s.computeTargets();
  }

  @Benchmark
  public double loss(HeadState s) {
    if (s.targets == null) {
      throw new UnsupportedOperationException(s.head + ": no targets computed apart from the step");
    }
    try (HeadLoss l = s.benchHead.lossFromTargets(s.outputs, s.targets)) {
      return consume(l);
    }
  }

  @Benchmark
  public double step(HeadState s) {
    try (HeadLoss l = s.benchHead.step(s.outputs, s.gts, s.metas)) {
      return consume(l);
    }
  }

  @Benchmark
  public HeadLoss stepDropped(HeadState s) {
    return s.benchHead.step(s.outputs, s.gts, s.metas);
  }

  @Benchmark
  public double stepReused(HeadState s, Reuse r) {
    try (HeadLoss l = r.step(s)) {
      return consume(l);
    }
  }

  /** What a trainer reads of a step: the total and each gradient (one element each, as a check). */
  static double consume(HeadLoss l) {
    double check = l.total();
    for (String name : l.grads().names()) {
      for (INDArray g : l.grads().get(name)) {
        check += g.getDouble(0);
      }
    }
    return check;
  }

  /** The benchmark thread's {@link HeadStep}. */
  @State(Scope.Thread)
  public static class Reuse {
    private final HeadStep headStep = new HeadStep();

    /** One step of {@code s}'s head with this thread's {@link HeadStep}. */
    HeadLoss step(HeadState s) {
      return s.benchHead.step(s.outputs, s.gts, s.metas, headStep);
    }
  }

  @Benchmark
  public double stepInWorkspace(HeadState s) {
    return stepInWorkspaceOnce(s);
  }

  /** One step inside {@link #STEP_WORKSPACE}, reading every gradient before the scope closes. */
  static double stepInWorkspaceOnce(HeadState s) {
    try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(STEP_WORKSPACE, "detkit-step")) {
      return consume(s.benchHead.step(s.outputs, s.gts, s.metas));
    }
  }
}
