package io.detkit.tools.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigLoader;
import io.detkit.core.config.ConfigOverrides;
import io.detkit.heads.BaseDenseHead;
import io.detkit.heads.HeadLoss;
import io.detkit.heads.HeadOutputs;
import io.detkit.heads.HeadStep;
import io.detkit.tools.data.Batch;
import io.detkit.tools.data.DataLoader;
import io.detkit.tools.data.Datasets;
import io.detkit.tools.model.DetectorNet;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.ResetPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Times the phases of {@code detkit train}'s iteration (data, network forward, head targets and
 * loss, network backward, optimizer step) on a config's real data and network, the same calls in
 * the same order as {@link EpochBasedRunner} with its {@link OptimizerHook}, and prints the median
 * and p90 of each phase in milliseconds.
 * Used by {@code bench/train_twin.py}; run it with the {@code detkit} wrapper's classpath:
 *
 * <pre>
 * java -cp ... io.detkit.tools.train.TrainingProfile CONFIG [--warmup N] [--iters N] [--json FILE]
 *     [--export DIR --export-batches N] [--cfg-options k=v ...]
 * </pre>
 *
 * {@code --export} writes, before any update, the initial parameters of every layer (the level-0
 * copy of tied head layers) and the first batches' images and ground truths as {@code .npy} files,
 * plus the losses of the first iterations trained on them, so that a PyTorch twin can start from
 * the same weights and data and check that its first losses agree. Single-threaded caller.
 */
public final class TrainingProfile {
  /** Phase names, in iteration order. */
  public static final List<String> PHASES = List.of("data", "forward", "head", "backward", "optimizer", "total");

  private TrainingProfile() {}

  /**
   * Per-iteration phase times in milliseconds, wall-clock ({@code phases}) and CPU time of the
   * training thread ({@code cpuPhases}: with {@code OMP_NUM_THREADS=1} every ND4J operation runs
   * on that thread, so it excludes time spent waiting for a core on a loaded machine; the data
   * phase's CPU time is only the hand-over, the batches are prepared on a background thread), and
   * the losses of the measured iterations, and the learning rate of every iteration (warm-up
   * included), and the heap the training thread allocated in each measured iteration (MB, exact:
   * the JVM's per-thread allocation counter; what drives the young collections that pause it).
   */
  public record Timings(Map<String, double[]> phases, Map<String, double[]> cpuPhases, double[] losses,
      double[] learningRates, double[] allocatedMb) {
    /** The {@code q}-quantile (0..1, nearest rank) of a phase. */
    public double quantile(String phase, double q) {
      return quantile(phases.get(phase), q);
    }

    /** The {@code q}-quantile of a phase's CPU time. */
    public double cpuQuantile(String phase, double q) {
      return quantile(cpuPhases.get(phase), q);
    }

    private static double quantile(double[] values, double q) {
      double[] v = values.clone();
      Arrays.sort(v);
      return v[Math.max(0, Math.min(v.length - 1, (int) Math.ceil(q * v.length) - 1))];
    }
  }

  /**
   * Trains {@code warmup + iters} iterations of {@code exp} (cycling over epochs) and times the
   * last {@code iters}.
   *
   * @throws IllegalArgumentException if {@code iters <= 0} or {@code warmup < 0}
   */
  public static Timings run(Experiment exp, int warmup, int iters, Path export, int exportBatches) throws IOException {
    if (iters <= 0 || warmup < 0) {
      throw new IllegalArgumentException("need iters > 0 and warmup >= 0; got iters=" + iters + ", warmup=" + warmup);
    }
    BaseDenseHead head = exp.head();
    Datasets.Built train = exp.dataset("train");
    DetectorNet net = exp.buildNet();
    LrSchedule schedule = exp.schedule();
    TwinExport twin = export == null ? null : new TwinExport(export);
    if (twin != null) {
      twin.writeParams(net);
    }
    Map<String, double[]> phases = new LinkedHashMap<>();
    Map<String, double[]> cpuPhases = new LinkedHashMap<>();
    for (String p : PHASES) {
      phases.put(p, new double[iters]);
      cpuPhases.put(p, new double[iters]);
    }
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    com.sun.management.ThreadMXBean heap = (com.sun.management.ThreadMXBean) cpu;
    long[] c = new long[6];
    double[] losses = new double[iters];
    double[] allocated = new double[iters];
    double[] lrs = new double[warmup + iters];
    List<Double> exportedLosses = new ArrayList<>();
    try (DataLoader loader = new DataLoader(train.dataset(), train.pipeline(), exp.batchSize(), true, exp.seed(),
        net.geometry().sizeDivisor())) {
      int perEpoch = loader.batchesPerEpoch();
      int epoch = 0;
      HeadStep headStep = new HeadStep();
      Iterator<Batch> it = loader.epoch(epoch);
      int inEpoch = 0;
      for (int i = 0; i < warmup + iters; i++) {
        if (inEpoch == perEpoch) {
          it = loader.epoch(++epoch);
          inEpoch = 0;
        }
        long a0 = heap.getCurrentThreadAllocatedBytes();
        c[0] = cpu.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        Batch b = it.next();
        long t1 = System.nanoTime();
        c[1] = cpu.getCurrentThreadCpuTime();
        HeadOutputs out = net.forwardTrain(b.images());
        long t2 = System.nanoTime();
        c[2] = cpu.getCurrentThreadCpuTime();
        // As the trainer does: one HeadStep's gradient arrays reused, the step's own outputs closed below.
        HeadLoss loss = head.loss(out, b.groundTruths(), b.metas(), epoch, headStep);
        long t3 = System.nanoTime();
        c[3] = cpu.getCurrentThreadCpuTime();
        double norm = loss.hasLosses() ? net.backward(loss.grads()) : 0;
        long t4 = System.nanoTime();
        c[4] = cpu.getCurrentThreadCpuTime();
        lrs[i] = schedule.valueAt(i, epoch);
        if (loss.hasLosses()) {
          net.step(norm, i, epoch);
        }
        long t5 = System.nanoTime();
        c[5] = cpu.getCurrentThreadCpuTime();
        long a5 = heap.getCurrentThreadAllocatedBytes();
        inEpoch++;
        if (twin != null && i < exportBatches) {
          twin.writeBatch(i, b);
          exportedLosses.add(loss.total());
        }
        if (i >= warmup) {
          int k = i - warmup;
          long[] t = {t0, t1, t2, t3, t4, t5};
          for (int p = 0; p < 5; p++) {
            phases.get(PHASES.get(p))[k] = (t[p + 1] - t[p]) / 1e6;
            cpuPhases.get(PHASES.get(p))[k] = (c[p + 1] - c[p]) / 1e6;
          }
          phases.get("total")[k] = (t5 - t0) / 1e6;
          cpuPhases.get("total")[k] = (c[5] - c[0]) / 1e6;
          losses[k] = loss.total();
          allocated[k] = (a5 - a0) / 1e6;
        }
        loss.close();
      }
    }
    if (twin != null) {
      twin.writeLosses(exportedLosses);
    }
    return new Timings(phases, cpuPhases, losses, lrs, allocated);
  }

  /**
   * Times each layer's forward and backward pass alone, on the activations of one training forward
   * pass over {@code images} and random output gradients, {@code repeats} times after two warm-up
   * calls, and prints the median per layer and the sums per layer type (milliseconds): wall-clock
   * and CPU time of the calling thread (with more than one OpenMP thread the CPU time shows what
   * the caller spends itself, spinning included; on a loaded machine the wall time also holds the
   * waits for a core). The graph's parameters and gradients are not changed in a way that matters:
   * call it on a throw-away net.
   */
  public static void profileLayers(DetectorNet net, INDArray images, int repeats, PrintStream out) {
    ComputationGraph g = net.graph();
    g.initGradientsView();
    Map<String, INDArray> acts = g.feedForward(new INDArray[] {images}, true, false);
    Map<String, double[]> byType = new LinkedHashMap<>();
    LayerWorkspaceMgr.Builder wb = LayerWorkspaceMgr.builder();
    WorkspaceConfiguration wsConf = WorkspaceConfiguration.builder().policyAllocation(AllocationPolicy.OVERALLOCATE)
        .policyLearning(LearningPolicy.OVER_TIME).policyReset(ResetPolicy.BLOCK_LEFT).build();
    for (ArrayType t : ArrayType.values()) {
      wb.with(t, "DETKIT_PROFILE", wsConf);
    }
    LayerWorkspaceMgr mgr = wb.build();
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    out.printf("%-36s %-18s %8s %8s %8s %8s%n", "layer", "type", "fwd_ms", "bwd_ms", "fwd_cpu", "bwd_cpu");
    for (String name : g.getConfiguration().getTopologicalOrderStr()) {
      Layer layer = g.getLayer(name);
      if (layer == null) {
        continue;
      }
      INDArray in = acts.get(g.getConfiguration().getVertexInputs().get(name).get(0));
      INDArray eps = Nd4j.rand(
          DataType.FLOAT, acts.get(name).shape());
      double[][] ms = new double[4][repeats];
      for (int r = -2; r < repeats; r++) {
        // Every array of the call in one workspace, reset after it, as in training (fresh
        // off-heap buffers would cost more than most of these layers' arithmetic).
        try (MemoryWorkspace ws = mgr.notifyScopeEntered(ArrayType.ACTIVATIONS)) {
          layer.setInput(in, mgr);
          long c0 = cpu.getCurrentThreadCpuTime();
          long t0 = System.nanoTime();
          layer.activate(true, mgr);
          long t1 = System.nanoTime();
          long c1 = cpu.getCurrentThreadCpuTime();
          layer.backpropGradient(eps, mgr);
          long t2 = System.nanoTime();
          long c2 = cpu.getCurrentThreadCpuTime();
          if (r >= 0) {
            long[] d = {t1 - t0, t2 - t1, c1 - c0, c2 - c1};
            for (int k = 0; k < 4; k++) {
              ms[k][r] = d[k] / 1e6;
            }
          }
        }
      }
      double[] med = new double[4];
      for (int k = 0; k < 4; k++) {
        med[k] = median(ms[k]);
      }
      Class<?> c = layer.getClass();
      String type = (c.getEnclosingClass() != null ? c.getEnclosingClass() : c).getSimpleName();
      out.printf("%-36s %-18s %8.3f %8.3f %8.3f %8.3f%n", name, type, med[0], med[1], med[2], med[3]);
      double[] sum = byType.computeIfAbsent(type, k -> new double[5]);
      for (int k = 0; k < 4; k++) {
        sum[k] += med[k];
      }
      sum[4]++;
    }
    out.printf("%n%-18s %6s %10s %10s %10s %10s%n", "type", "layers", "fwd_sum_ms", "bwd_sum_ms", "fwd_cpu", "bwd_cpu");
    byType.forEach((k, v) -> out.printf("%-18s %6d %10.2f %10.2f %10.2f %10.2f%n", k, (int) v[4], v[0], v[1], v[2],
        v[3]));
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }

  /** Prints one line per phase: wall-clock and CPU median and p90 in milliseconds. */
  public static void print(Timings t, PrintStream out) {
    out.printf("%-10s %9s %9s %9s %9s%n", "phase", "median_ms", "p90_ms", "cpu_med", "cpu_p90");
    for (String p : PHASES) {
      out.printf("%-10s %9.2f %9.2f %9.2f %9.2f%n", p, t.quantile(p, 0.5), t.quantile(p, 0.9), t.cpuQuantile(p, 0.5),
          t.cpuQuantile(p, 0.9));
    }
    out.printf("heap allocated by the training thread per iteration, MB: median %.3f, p90 %.3f%n",
        Timings.quantile(t.allocatedMb(), 0.5), Timings.quantile(t.allocatedMb(), 0.9));
  }

  /**
   * Command line (see the class comment).
   *
   * @throws IllegalArgumentException for an unknown option or a missing value
   */
  public static void main(String[] args) throws IOException {
    if (args.length == 0) {
      throw new IllegalArgumentException("usage: TrainingProfile CONFIG [--warmup N] [--iters N] [--json FILE] "
          + "[--export DIR --export-batches N] [--cfg-options k=v ...]");
    }
    Path config = Path.of(args[0]);
    int warmup = 30;
    int iters = 200;
    Path json = null;
    Path export = null;
    int exportBatches = 0;
    int layerRepeats = 0;
    List<String> options = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      switch (args[i]) {
        case "--warmup" -> warmup = Integer.parseInt(value(args, ++i));
        case "--iters" -> iters = Integer.parseInt(value(args, ++i));
        case "--json" -> json = Path.of(value(args, ++i));
        case "--export" -> export = Path.of(value(args, ++i));
        case "--export-batches" -> exportBatches = Integer.parseInt(value(args, ++i));
        case "--layers" -> layerRepeats = Integer.parseInt(value(args, ++i));
        case "--cfg-options" -> {
          while (i + 1 < args.length && !args[i + 1].startsWith("--")) {
            options.add(args[++i]);
          }
        }
        default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'");
      }
    }
    Config cfg = ConfigOverrides.apply(ConfigLoader.fromFile(config), options);
    Experiment exp = Experiment.of(cfg, Experiment.configSeed(cfg));
    if (layerRepeats > 0) {
      Datasets.Built train = exp.dataset("train");
      DetectorNet net = exp.buildNet();
      try (DataLoader loader = new DataLoader(train.dataset(), train.pipeline(), exp.batchSize(), true, exp.seed(),
          net.geometry().sizeDivisor())) {
        profileLayers(net, loader.epoch(0).next().images(), layerRepeats, System.out);
      }
      return;
    }
    Timings t = run(exp, warmup, iters, export, exportBatches);
    print(t, System.out);
    if (json != null) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("config", config.toString());
      m.put("warmup", warmup);
      m.put("iters", iters);
      m.put("threads", System.getenv().getOrDefault("OMP_NUM_THREADS", ""));
      m.put("phases_ms", t.phases());
      m.put("cpu_phases_ms", t.cpuPhases());
      m.put("losses", t.losses());
      m.put("learning_rates", t.learningRates());
      m.put("training_thread_alloc_mb", t.allocatedMb());
      Files.createDirectories(json.toAbsolutePath().getParent());
      new ObjectMapper().writeValue(json.toFile(), m);
    }
  }

  private static String value(String[] args, int i) {
    if (i >= args.length) {
      throw new IllegalArgumentException("option " + args[i - 1] + " needs a value");
    }
    return args[i];
  }
}
