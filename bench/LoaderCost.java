import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigLoader;
import io.detkit.heads.GroundTruth;
import io.detkit.tools.data.Batch;
import io.detkit.tools.data.DataLoader;
import io.detkit.tools.data.Datasets;
import io.detkit.tools.data.DetectionSample;
import io.detkit.tools.data.RawSample;
import io.detkit.tools.train.Experiment;
import io.detkit.tools.train.TrainingProfile;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What the training job's data loader costs (issue 17), measured through the tools module's public
 * API only, so that the same file runs against any build of detkit (A/B):
 *
 * <pre>
 * java -cp tools/target/detkit-tools-0.1.0-SNAPSHOT.jar:$(cat tools/target/detkit.classpath) \
 *     bench/LoaderCost.java MODE [CONFIG] [ARGS]
 * </pre>
 *
 * Modes (CONFIG defaults to tools/configs/atss_shapes.py):
 * <ul>
 *   <li>{@code stages CONFIG BATCHES}: the loader's work for BATCHES batches of epochs 0, 1, ...
 *       done on the calling thread, in index order, split into dataset generation ({@code load}), the pipeline's
 *       transforms and batching into ND4J arrays ({@code collate}); CPU ms per batch, median and
 *       p90 (the first epoch fills any cache a dataset keeps, so later epochs show the steady state);
 *   <li>{@code loader CONFIG BATCHES}: the real loader ({@code DataLoader.epoch}) drained as fast
 *       as it delivers; CPU ms of its background thread per batch (all, epoch 0, later epochs), and the SHA-256 of every
 *       delivered batch's images, boxes and labels (equal digests: the same data, same flips, same
 *       order);
 *   <li>{@code train CONFIG WARMUP ITERS}: {@code TrainingProfile.run} (the training iteration as
 *       the runner does it) while a sampler reads the loader thread's CPU time; prints the training
 *       thread's and the loader thread's CPU ms per iteration and the iteration's wall time;
 *   <li>{@code hooks CONFIG ITERS [bar]}: {@code Trainer} (the runner with the config's hooks, no
 *       validation) for ITERS iterations, with marker hooks at priorities 0, 41 and 100 (custom
 *       hooks), so the time between them is the other hooks' per-iteration work: before the
 *       iteration (the learning-rate hook) and after the optimizer step (metrics, logging, the
 *       progress bar with {@code bar}, written to a discarded stream); CPU microseconds of the
 *       training thread, median and p90.
 * </ul>
 */
public final class LoaderCost {
  private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    String config = args.length > 1 ? args[1] : "tools/configs/atss_shapes.py";
    Config cfg = ConfigLoader.fromFile(Path.of(config));
    Experiment exp = Experiment.of(cfg, Experiment.configSeed(cfg));
    System.out.printf("load average at start: %s%n", loadavg());
    switch (mode) {
      case "stages" -> stages(exp, Integer.parseInt(args[2]));
      case "loader" -> loader(exp, Integer.parseInt(args[2]));
      case "train" -> train(exp, Integer.parseInt(args[2]), Integer.parseInt(args[3]));
      case "hooks" -> hooks(Path.of(config), Integer.parseInt(args[2]), args.length > 3 && args[3].equals("bar"));
      default -> throw new IllegalArgumentException("mode must be stages, loader, train or hooks; got " + mode);
    }
    System.out.printf("load average at end: %s%n", loadavg());
  }

  private static void stages(Experiment exp, int batches) {
    Datasets.Built train = exp.dataset("train");
    try (DataLoader loader = new DataLoader(train.dataset(), train.pipeline(), exp.batchSize(), true, exp.seed(), 16)) {
      int n = train.dataset().size();
      double[][] t = new double[4][batches];
      int b = 0;
      for (int epoch = 0; b < batches; epoch++) {
        for (int from = 0; from < n && b < batches; from += exp.batchSize(), b++) {
          List<DetectionSample> samples = new ArrayList<>();
          long load = 0;
          long pipe = 0;
          for (int i = from; i < Math.min(n, from + exp.batchSize()); i++) {
            long c0 = CPU.getCurrentThreadCpuTime();
            RawSample raw = train.dataset().load(i);
            long c1 = CPU.getCurrentThreadCpuTime();
            // The same generator DataLoader.sample derives for (seed, epoch, index).
            SplittableRandom r = new SplittableRandom((exp.seed() * 31 + epoch) * 0x9E3779B97F4A7C15L + i);
            samples.add(train.pipeline().apply(raw, r));
            long c2 = CPU.getCurrentThreadCpuTime();
            load += c1 - c0;
            pipe += c2 - c1;
          }
          long c3 = CPU.getCurrentThreadCpuTime();
          Batch batch = DataLoader.collate(samples, 16);
          long c4 = CPU.getCurrentThreadCpuTime();
          t[0][b] = load / 1e6;
          t[1][b] = pipe / 1e6;
          t[2][b] = (c4 - c3) / 1e6;
          t[3][b] = t[0][b] + t[1][b] + t[2][b];
          batch.images().close();
        }
      }
      String[] names = {"load (dataset)", "pipeline", "collate (ND4J)", "total"};
      int perEpoch = loader.batchesPerEpoch();
      for (int s = 0; s < 4; s++) {
        double[] first = Arrays.copyOfRange(t[s], 0, Math.min(batches, perEpoch));
        double[] later = batches > perEpoch ? Arrays.copyOfRange(t[s], perEpoch, batches) : first;
        System.out.printf("%-16s CPU ms/batch  epoch 0: p50 %7.3f p90 %7.3f   later epochs: p50 %7.3f p90 %7.3f%n",
            names[s], q(first, 0.5), q(first, 0.9), q(later, 0.5), q(later, 0.9));
      }
    }
  }

  private static void loader(Experiment exp, int batches) throws Exception {
    Datasets.Built train = exp.dataset("train");
    MessageDigest all = MessageDigest.getInstance("SHA-256");
    try (DataLoader loader = new DataLoader(train.dataset(), train.pipeline(), exp.batchSize(), true, exp.seed(), 16)) {
      int perEpoch = loader.batchesPerEpoch();
      long wall0 = System.nanoTime();
      long cpuAtEpoch1 = -1;
      long wallAtEpoch1 = -1;
      int b = 0;
      for (int epoch = 0; b < batches; epoch++) {
        Iterator<Batch> it = loader.epoch(epoch);
        while (it.hasNext() && b < batches) {
          Batch batch = it.next();
          digest(all, batch);
          b++;
          if (b == perEpoch) {
            cpuAtEpoch1 = dataThreadsCpu().values().stream().mapToLong(Long::longValue).sum();
            wallAtEpoch1 = System.nanoTime();
          }
        }
      }
      long wall = System.nanoTime() - wall0;
      long cpu = dataThreadsCpu().values().stream().mapToLong(Long::longValue).sum();
      System.out.printf("loader thread CPU ms/batch: all %.3f over %d batches (wall %.3f)%n",
          cpu / 1e6 / batches, batches, wall / 1e6 / batches);
      if (cpuAtEpoch1 >= 0 && batches > perEpoch) {
        // The loader works up to two batches ahead: the split at the epoch boundary is that close.
        System.out.printf("loader thread CPU ms/batch: epoch 0 %.3f, later epochs %.3f (wall %.3f, %.3f)%n",
            cpuAtEpoch1 / 1e6 / perEpoch, (cpu - cpuAtEpoch1) / 1e6 / (batches - perEpoch),
            (wallAtEpoch1 - wall0) / 1e6 / perEpoch, (System.nanoTime() - wallAtEpoch1) / 1e6 / (batches - perEpoch));
      }
      System.out.printf("data SHA-256 %s%n", HexFormat.of().formatHex(all.digest()));
    }
  }

  private static void digest(MessageDigest md, Batch batch) {
    float[] img = batch.images().data().asFloat();
    ByteBuffer buf = ByteBuffer.allocate(4 * img.length).order(ByteOrder.LITTLE_ENDIAN);
    buf.asFloatBuffer().put(img);
    md.update(buf);
    for (GroundTruth gt : batch.groundTruths()) {
      float[] bx = gt.bboxes().data().asFloat();
      ByteBuffer bb = ByteBuffer.allocate(4 * bx.length).order(ByteOrder.LITTLE_ENDIAN);
      bb.asFloatBuffer().put(bx);
      md.update(bb);
      md.update(Arrays.toString(gt.labels().map(l -> l.data().asLong()).orElse(new long[0])).getBytes());
    }
  }

  private static void train(Experiment exp, int warmup, int iters) throws Exception {
    Map<Long, Long> seen = new HashMap<>();
    AtomicBoolean stop = new AtomicBoolean();
    Thread sampler = new Thread(() -> {
      while (!stop.get()) {
        synchronized (seen) {
          seen.putAll(dataThreadsCpu());
        }
        try {
          Thread.sleep(5);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "loader-cost-sampler");
    sampler.setDaemon(true);
    sampler.start();
    TrainingProfile.Timings t = TrainingProfile.run(exp, warmup, iters, null, 0);
    stop.set(true);
    sampler.join();
    long loaderCpu;
    synchronized (seen) {
      loaderCpu = seen.values().stream().mapToLong(Long::longValue).sum();
    }
    System.out.printf("iteration wall ms  p50 %.2f p90 %.2f   (data wait p50 %.3f p90 %.3f)%n",
        t.quantile("total", 0.5), t.quantile("total", 0.9), t.quantile("data", 0.5), t.quantile("data", 0.9));
    System.out.printf("training thread CPU ms/iteration  p50 %.2f p90 %.2f%n",
        t.cpuQuantile("total", 0.5), t.cpuQuantile("total", 0.9));
    System.out.printf("loader thread CPU ms/batch (mean over %d batches, warm-up included) %.3f%n",
        warmup + iters, loaderCpu / 1e6 / (warmup + iters));
    System.out.printf("mean loss of the timed iterations %.9f%n", Arrays.stream(t.losses()).average().orElse(0));
  }

  /** CPU nanoseconds of the training thread at each marker: [stage (0 before, 1 after the iteration)][slot][iter]. */
  private static long[][][] marks;

  private static void hooks(Path config, int iters, boolean bar) throws Exception {
    marks = new long[2][3][iters];
    io.detkit.tools.train.Hooks.REGISTRY.register("LoaderCostMark", c -> {
      int slot = c.getInt("slot");
      return new io.detkit.tools.train.Hook() {
        @Override
        public void beforeTrainIter(io.detkit.tools.train.Runner r) {
          marks[0][slot][r.iter()] = CPU.getCurrentThreadCpuTime();
        }

        @Override
        public void afterTrainIter(io.detkit.tools.train.Runner r) {
          marks[1][slot][r.iter()] = CPU.getCurrentThreadCpuTime();
        }
      };
    });
    Path cfgFile = java.nio.file.Files.createTempFile("loader-cost-hooks", ".py");
    java.nio.file.Files.writeString(cfgFile, "_base_ = ['" + config.toAbsolutePath() + "']\n"
        + "custom_hooks = [dict(type='LoaderCostMark', slot=0, priority=0),"
        + " dict(type='LoaderCostMark', slot=1, priority=41), dict(type='LoaderCostMark', slot=2, priority=100)]\n");
    Config cfg = ConfigLoader.fromFile(cfgFile);
    Experiment exp = Experiment.of(cfg, Experiment.configSeed(cfg));
    Path work = java.nio.file.Files.createTempDirectory("loader-cost-work");
    java.io.PrintStream sink = new java.io.PrintStream(java.io.OutputStream.nullOutputStream());
    new io.detkit.tools.train.Trainer(exp, work, "loader_cost_hooks", bar, sink).maxIterations(iters).noValidate().run();
    int skip = Math.min(iters / 2, 20);
    double[] before = new double[iters - skip];
    double[] after = new double[iters - skip];
    for (int i = skip; i < iters; i++) {
      before[i - skip] = (marks[0][1][i] - marks[0][0][i]) / 1e3;
      after[i - skip] = (marks[1][2][i] - marks[1][1][i]) / 1e3;
    }
    System.out.printf("hooks before the iteration: CPU us p50 %.1f p90 %.1f%n", q(before, 0.5), q(before, 0.9));
    System.out.printf("hooks after the optimizer step%s: CPU us p50 %.1f p90 %.1f (%d iterations after %d)%n",
        bar ? " (progress bar on)" : "", q(after, 0.5), q(after, 0.9), iters - skip, skip);
  }

  /** CPU nanoseconds of every live thread named detkit-data, by thread id. */
  private static Map<Long, Long> dataThreadsCpu() {
    Map<Long, Long> out = new HashMap<>();
    for (Thread th : Thread.getAllStackTraces().keySet()) {
      if (th.getName().startsWith("detkit-data")) {
        long ns = CPU.getThreadCpuTime(th.getId());
        if (ns >= 0) {
          out.put(th.getId(), ns);
        }
      }
    }
    return out;
  }

  private static double q(double[] values, double q) {
    double[] v = values.clone();
    Arrays.sort(v);
    return v[Math.max(0, Math.min(v.length - 1, (int) Math.ceil(q * v.length) - 1))];
  }

  private static String loadavg() throws Exception {
    return String.join(" ", Arrays.copyOf(java.nio.file.Files.readString(Path.of("/proc/loadavg")).split(" "), 3));
  }
}
