#!/usr/bin/env python3
"""detkit's main training job against its PyTorch twin, per iteration, in one run.

1. detkit: io.detkit.tools.train.TrainingProfile trains CONFIG (default tools/configs/atss_shapes.py)
   for --warmup + --iters iterations with the real data loader and times each phase (data, network
   forward, head targets and loss, network backward, optimizer step). Before the first update it
   exports the network graph, its initial parameters, the first --batches batches (images after the
   pipeline, ground truths) and the learning rate of every iteration.
2. PyTorch: the same graph built from that export (same layers, same initial weights, shared head
   weights across levels), trained on the same batches in the same order (cycling over the
   exported ones), with the same learning rates, MMDetection's ATSS targets and loss from
   pytorch_bench.py (atss_targets, atss_loss_terms), AdamW and clip_grad_norm_, timed by the same
   phases: the head's loss is backpropagated to the network outputs first, then the outputs'
   gradients through the network, as detkit does.
3. One Markdown table: median and p90 per phase for both sides, the ratio, and the first losses
   of both sides on the same weights and data (they agree at iteration 1; afterwards the
   optimizers' float rounding differs and the runs drift apart slowly).

What is not the same: PyTorch's Adam adds eps to sqrt(v / (1 - beta2^t)), DL4J's to sqrt(v) before
the bias correction (eps = 1e-8: no visible effect); PyTorch's data phase only picks a preloaded
batch, detkit's waits for its loader thread (which runs the pipeline concurrently).

Usage: bench/train_twin.py [--config tools/configs/atss_shapes.py] [--threads 2] [--detkit-threads N]
                           [--warmup 30] [--iters 300] [--batches 60] [--out bench/target/twin]
                           [--skip-build] [--layers N] [--rounds R] [--per-level-too]
                           [--compare [--baseline OTHER_CHECKOUT]]
detkit runs through its wrapper (DETKIT_MAIN=io.detkit.tools.train.TrainingProfile ./detkit ...: the
wrapper's launch line, one place), with libnd4j on OMP_NUM_THREADS = --detkit-threads (default --threads;
above one thread the wrapper adds OMP_WAIT_POLICY=PASSIVE unless the environment sets a policy); its own
host loops get --threads (-Ddetkit.hostThreads) except on the side "as `detkit train` runs it", where
the wrapper's default holds (one per core). A --baseline checkout from before DETKIT_MAIN runs with the
launch its wrapper made then.
--skip-build runs the builds as they are: the wrapper gets DETKIT_NO_BUILD=1 and does not rebuild even
when a source is newer than its jar.
With --compare every round trains detkit as the wrapper runs it (libnd4j on one thread), detkit with
libnd4j on --threads (as shipped: only large convolutions on all of them) and with every call on
--threads, and PyTorch on 1 and on --threads threads, and compares each detkit side with the faster
PyTorch side of its round ("2 threads a side": two cores' worth of compute threads on each side;
each side's row says who gets them). --baseline OTHER_CHECKOUT adds that checkout's build as two more
detkit sides (A/B under the same load).
With --rounds R both sides train R times, alternating, and a table gives each round's median and p90
of the whole iteration (PyTorch's median moves by up to 2x between runs on a shared machine: judge the
ratio over rounds); --per-level-too adds, in every round, detkit with its head in the per-level form.
With --layers N it trains nothing: it times each layer's forward and backward alone on both sides
(detkit's TrainingProfile --layers N; the twin's vertices on the export of an earlier run) and prints
one table by layer.
Needs Debian's python3-torch and python3-torchvision (/usr/bin/python3).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pytorch_bench as pb  # noqa: E402

# The cores this process may run on: what the detkit wrapper's `nproc` counts (the CPU affinity mask,
# not os.cpu_count()'s every core of the machine), so the host threads set here and the ones labelled
# match the wrapper's default.
NPROC = len(os.sched_getaffinity(0))


def run_shown(cmd, **kwargs):
    """subprocess.run(cmd, check=True, **kwargs) with the command's stderr kept and shown when it fails
    (a build error or a Java stack trace), else dropped."""
    try:
        return subprocess.run(cmd, check=True, stderr=subprocess.PIPE, **kwargs)
    except subprocess.CalledProcessError as e:
        sys.stderr.write(e.stderr.decode(errors="replace") if e.stderr else "")
        raise


def build_unless_skipped(args, root):
    """Builds root's detkit (through its wrapper) unless --skip-build, which instead tells every later
    wrapper call not to build (DETKIT_NO_BUILD=1, which the wrapper honours)."""
    if args.skip_build:
        os.environ["DETKIT_NO_BUILD"] = "1"
    else:
        run_shown([os.path.join(root, "detkit"), "--help"], stdout=subprocess.DEVNULL)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PHASES = ["data", "forward", "head", "backward", "optimizer", "total"]


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


# ---------------------------------------------------------------------------- detkit side

def detkit_classpath(root=ROOT):
    """The tools jar and its dependencies, as the detkit wrapper builds them."""
    target = os.path.join(root, "tools", "target")
    with open(os.path.join(target, "detkit.classpath")) as f:
        return os.path.join(target, "detkit-tools-0.1.0-SNAPSHOT.jar") + ":" + f.read().strip()


def detkit_env(omp_threads, omp_min_work=None):
    """detkit's environment and system properties for libnd4j on omp_threads OpenMP threads (the wrapper
    adds OMP_WAIT_POLICY=PASSIVE above one thread unless the environment sets a policy). omp_min_work,
    when given, is -Ddetkit.ompMinWork (0: every convolution on all omp_threads; default: only
    convolutions of at least OpenMpThreads.DEFAULT_MIN_WORK multiply-adds, every smaller call on one
    thread)."""
    env = dict(os.environ, OMP_NUM_THREADS=str(omp_threads))
    props = [] if omp_min_work is None else [f"-Ddetkit.ompMinWork={omp_min_work}"]
    return env, props


def detkit_launch(root, main, props, env):
    """The command and environment that run main (a class of root's tools jar) as root's detkit wrapper
    runs `detkit train`: its heap, vector module, host threads (-Ddetkit.hostThreads unless props set
    it), classpath and OpenMP defaults, through the wrapper itself (DETKIT_MAIN), plus the system
    properties props. JAVA_OPTS replaces the wrapper's default heap, so it names the same -Xmx2g."""
    with open(os.path.join(root, "detkit")) as f:
        wrapper_runs_main = "DETKIT_MAIN" in f.read()
    if wrapper_runs_main:
        return [os.path.join(root, "detkit")], dict(env, DETKIT_MAIN=main, JAVA_OPTS=" ".join(["-Xmx2g", *props]))
    # A checkout from before DETKIT_MAIN (an A/B baseline): the launch its wrapper made then.
    env = dict(env)
    if env["OMP_NUM_THREADS"] != "1":
        env.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    if not any(p.startswith("-Ddetkit.hostThreads=") for p in props):
        props = [*props, f"-Ddetkit.hostThreads={NPROC}"]
    return ["java", "-Xmx2g", "--add-modules", "jdk.incubator.vector", *props, "-cp", detkit_classpath(root),
            main], env


def run_detkit(args, export, per_level=False, omp_threads=None, omp_min_work=None, root=ROOT, host_threads=0):
    """One TrainingProfile run of the checkout at root; per_level runs the head in its per-level form
    (-Ddetkit.perLevelHead=true) instead of once on the level canvas. libnd4j gets omp_threads OpenMP
    threads (default --detkit-threads, else --threads); detkit's own host loops (GroupNorm) host_threads
    (-Ddetkit.hostThreads; default --threads; None: the wrapper's default, one per core)."""
    build_unless_skipped(args, root)
    env, props = detkit_env(omp_threads or args.detkit_threads or args.threads, omp_min_work)
    out_json = os.path.join(args.out, "detkit.json")
    if host_threads is not None:
        props.append(f"-Ddetkit.hostThreads={host_threads or args.threads}")
    props.append(f"-Ddetkit.perLevelHead={'true' if per_level else 'false'}")
    cmd, env = detkit_launch(root, "io.detkit.tools.train.TrainingProfile", props, env)
    cmd += [os.path.join(ROOT, args.config), "--warmup", str(args.warmup), "--iters", str(args.iters), "--json",
            out_json, "--export", export, "--export-batches", str(args.batches)]
    run_shown(cmd, env=env, cwd=root)
    with open(out_json) as f:
        return json.load(f)


# ---------------------------------------------------------------------------- the PyTorch twin

class Twin(torch.nn.Module):
    """The exported DL4J graph as PyTorch operations; vertices that share a parameter name share weights."""

    def __init__(self, export):
        super().__init__()
        with open(os.path.join(export, "graph.json")) as f:
            self.graph = json.load(f)
        self.weights = torch.nn.ParameterDict()
        for v in self.graph["vertices"]:
            for p in self.param_names(v):
                key = self.key(v, p)
                if key not in self.weights:
                    a = np.load(os.path.join(export, v["params"] + "." + p + ".npy"))
                    if p != "W":
                        a = a.reshape(-1)
                    self.weights[key] = torch.nn.Parameter(torch.from_numpy(np.ascontiguousarray(a)))

    @staticmethod
    def param_names(v):
        """The names of a vertex's parameters, as exported."""
        names = {"Conv2d": ["W", "b"] if v.get("bias") else ["W"], "GroupNorm": ["gamma", "beta"], "Scale": ["scale"]}
        return names.get(v["type"], [])

    @staticmethod
    def key(v, p):
        return (v["params"] + "." + p).replace(".", "_")

    def forward(self, img):
        acts = {"img": img}
        for v in self.graph["vertices"]:
            acts[v["name"]] = self.apply(v, [acts[i] for i in v["inputs"]])
        return [acts[o] for o in self.graph["outputs"]]

    def apply(self, v, xs):
        """One vertex on its inputs (activation included)."""
        w = self.weights
        x = xs[0]
        t = v["type"]
        if t == "Conv2d":
            y = F.conv2d(x, w[self.key(v, "W")], w[self.key(v, "b")] if v["bias"] else None,
                         stride=v["stride"], padding=v["padding"])
        elif t == "GroupNorm":
            y = F.group_norm(x, v["groups"], w[self.key(v, "gamma")], w[self.key(v, "beta")], v["eps"])
        elif t == "UpsampleNearest":
            y = F.interpolate(x, scale_factor=v["scale"], mode="nearest")
        elif t == "MaxPool":
            y = F.max_pool2d(x, v["kernel"], v["stride"])
        elif t == "Add":
            y = x + xs[1]
        elif t == "Identity":
            y = x
        elif t == "Scale":
            y = x * w[self.key(v, "scale")]
        else:
            raise ValueError("unknown vertex type " + t)
        if v.get("activation") == "relu":
            y = F.relu(y)
        return y

    def vertex_params(self, v):
        """The parameters a vertex reads (shared ones included)."""
        return [self.weights[self.key(v, p)] for p in self.param_names(v)]


def profile_layers(args, export):
    """Each vertex's forward and backward alone, as TrainingProfile --layers times detkit's layers: on the
    activations of one forward pass over the first exported batch and random output gradients, the
    median of --layers repeats after two warm-up calls; wall and CPU time of the calling thread, ms."""
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    net = Twin(export)
    img = torch.from_numpy(np.load(os.path.join(export, "batch_0_images.npy")))
    acts = {"img": img}
    with torch.no_grad():
        for v in net.graph["vertices"]:
            acts[v["name"]] = net.apply(v, [acts[i] for i in v["inputs"]])
    rows = {}
    for v in net.graph["vertices"]:
        xs = [acts[i].detach().clone().requires_grad_(True) for i in v["inputs"]]
        eps = torch.rand_like(acts[v["name"]])
        leaves = xs + net.vertex_params(v)
        samples = []
        for r in range(-2, args.layers):
            c0, t0 = time.thread_time(), time.perf_counter()
            y = net.apply(v, xs)
            c1, t1 = time.thread_time(), time.perf_counter()
            torch.autograd.grad(y, leaves, eps)
            c2, t2 = time.thread_time(), time.perf_counter()
            if r >= 0:
                samples.append(((t1 - t0) * 1e3, (t2 - t1) * 1e3, (c1 - c0) * 1e3, (c2 - c1) * 1e3))
        rows[v["name"]] = (v["type"], [statistics.median(col) for col in zip(*samples)])
    return rows


def detkit_layers(args):
    """TrainingProfile --layers: detkit's per-layer table parsed into {name: (type, [fwd, bwd, fwd_cpu, bwd_cpu])}."""
    env, props = detkit_env(args.detkit_threads or args.threads)
    cmd, env = detkit_launch(ROOT, "io.detkit.tools.train.TrainingProfile",
                             [*props, f"-Ddetkit.hostThreads={args.threads}"], env)
    cmd += [args.config, "--layers", str(args.layers)]
    out = run_shown(cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE)
    rows = {}
    for line in out.stdout.decode().splitlines()[1:]:
        f = line.split()
        if not f:
            break
        rows[f[0]] = (f[1], [float(x) for x in f[2:6]])
    return rows


def print_layers(args, detkit, torch_rows):
    print(f"## Per layer, {args.config}: detkit vs PyTorch twin\n")
    print(f"median of {args.layers} calls per layer; threads: detkit {args.detkit_threads or args.threads}, PyTorch "
          f"{args.threads}; load average {loadavg()}\n")
    print("| layer | detkit type | detkit fwd (CPU) ms | PyTorch fwd (CPU) ms | detkit bwd (CPU) ms | PyTorch bwd (CPU) ms |")
    print("|---|---|---|---|---|---|")
    sums = [0.0] * 8
    for name, (ttype, t) in torch_rows.items():
        dtype, d = detkit.get(name, ("(no layer)", [0.0] * 4))
        print(f"| {name} | {dtype} | {d[0]:.3f} ({d[2]:.3f}) | {t[0]:.3f} ({t[2]:.3f}) | {d[1]:.3f} ({d[3]:.3f}) | "
              f"{t[1]:.3f} ({t[3]:.3f}) |")
        for k in range(4):
            sums[k] += d[k]
            sums[4 + k] += t[k]
    # detkit's layers with no twin of the same name: the head's shared layers run once on the level
    # canvas (the twin runs them per level, as MMDetection does, named <layer>@<level>).
    for name, (dtype, d) in detkit.items():
        if name not in torch_rows:
            print(f"| {name} (all levels) | {dtype} | {d[0]:.3f} ({d[2]:.3f}) | - | {d[1]:.3f} ({d[3]:.3f}) | - |")
            for k in range(4):
                sums[k] += d[k]
    print(f"| sum | | {sums[0]:.2f} ({sums[2]:.2f}) | {sums[4]:.2f} ({sums[6]:.2f}) | {sums[1]:.2f} ({sums[3]:.2f}) | "
          f"{sums[5]:.2f} ({sums[7]:.2f}) |")


def read_config(path):
    """The merged config (_base_ files and their overrides resolved by detkit's own reader) as a dict."""
    out = run_shown([os.path.join(ROOT, "detkit"), "print-config", "--format=json", path], cwd=ROOT,
                    stdout=subprocess.PIPE)
    return json.loads(out.stdout)


def anchors_for(head_cfg, sizes):
    """MMDetection's AnchorGenerator (center offset 0) for feature maps of the given (h, w), level by level."""
    ag = head_cfg["anchor_generator"]
    out = []
    for stride, (h, w) in zip(ag["strides"], sizes):
        scales = torch.tensor([ag["octave_base_scale"] * 2 ** (i / ag["scales_per_octave"])
                               for i in range(ag["scales_per_octave"])])
        ratios = torch.tensor(ag["ratios"], dtype=torch.float32)
        h_ratios = torch.sqrt(ratios)
        w_ratios = 1 / h_ratios
        ws = (stride * w_ratios[:, None] * scales[None, :]).reshape(-1)
        hs = (stride * h_ratios[:, None] * scales[None, :]).reshape(-1)
        base = torch.stack([-0.5 * ws, -0.5 * hs, 0.5 * ws, 0.5 * hs], dim=-1)
        sx = torch.arange(0, w) * stride
        sy = torch.arange(0, h) * stride
        yy, xx = torch.meshgrid(sy, sx, indexing="ij")
        shifts = torch.stack([xx.reshape(-1), yy.reshape(-1), xx.reshape(-1), yy.reshape(-1)], dim=-1).float()
        out.append((base[None, :, :] + shifts[:, None, :]).reshape(-1, 4))
    return out


def load_batches(export, n):
    batches = []
    for i in range(n):
        img = torch.from_numpy(np.load(os.path.join(export, f"batch_{i}_images.npy")))
        gts = np.load(os.path.join(export, f"batch_{i}_gts.npy")).reshape(-1, 6)
        per_image = []
        for k in range(img.shape[0]):
            rows = gts[gts[:, 0] == k]
            per_image.append((torch.from_numpy(np.ascontiguousarray(rows[:, 2:6])),
                              torch.from_numpy(rows[:, 1].astype(np.int64))))
        batches.append((img, per_image))
    return batches


def run_torch(args, export, detkit, threads=None):
    """The twin's training on threads intra-op threads (default --threads): per-phase wall and CPU ms, losses."""
    torch.set_num_threads(threads or args.threads)
    torch.manual_seed(0)
    cfg = read_config(os.path.join(ROOT, args.config))
    head_cfg = cfg["model"]["bbox_head"]
    num_classes = head_cfg["num_classes"]
    topk = cfg["model"]["train_cfg"]["assigner"]["topk"]
    if topk != 9:
        raise ValueError("pytorch_bench.atss_assign is called with its default topk=9; the config has " + str(topk))
    net = Twin(export)
    opt_cfg = cfg["optimizer"]
    if opt_cfg["type"] != "AdamW":
        raise ValueError("the twin implements the AdamW optimizer of the shipped config; got " + opt_cfg["type"])
    opt = torch.optim.AdamW(net.parameters(), lr=opt_cfg["lr"], betas=tuple(opt_cfg.get("betas", (0.9, 0.999))),
                            eps=opt_cfg.get("eps", 1e-8), weight_decay=opt_cfg.get("weight_decay", 0.01))
    max_norm = cfg.get("optimizer_config", {}).get("grad_clip", {}).get("max_norm", 0)
    lrs = detkit["learning_rates"]
    batches = load_batches(export, args.batches)
    anchors = None
    times = {p: [] for p in PHASES}
    cpu = {p: [] for p in PHASES}
    losses = []
    for i in range(args.warmup + args.iters):
        c0, t0 = time.thread_time(), time.perf_counter()
        img, gts = batches[i % len(batches)]
        c1, t1 = time.thread_time(), time.perf_counter()
        outs = net(img)
        c2, t2 = time.thread_time(), time.perf_counter()
        levels = len(outs) // 3
        if anchors is None:
            per_level = anchors_for(head_cfg, [tuple(o.shape[2:]) for o in outs[:levels]])
            num_level = [a.shape[0] for a in per_level]
            anchors = torch.cat(per_level)
        leaves = [o.detach().requires_grad_(True) for o in outs]
        targets, num_pos = pb.atss_targets(anchors, num_level, gts, num_classes)
        terms = pb.atss_loss_terms(leaves[:levels], leaves[levels:2 * levels], leaves[2 * levels:], anchors,
                                   targets, num_pos, num_classes)
        loss = terms[0] + terms[1] + terms[2]
        loss.backward()
        c3, t3 = time.thread_time(), time.perf_counter()
        torch.autograd.backward(outs, [leaf.grad for leaf in leaves])
        c4, t4 = time.thread_time(), time.perf_counter()
        if max_norm > 0:
            torch.nn.utils.clip_grad_norm_(net.parameters(), max_norm)
        for g in opt.param_groups:
            g["lr"] = lrs[i] if i < len(lrs) else lrs[-1]
        opt.step()
        opt.zero_grad(set_to_none=True)
        c5, t5 = time.thread_time(), time.perf_counter()
        losses.append(loss.item())
        if i >= args.warmup:
            for p, (a, b) in zip(PHASES, [(t0, t1), (t1, t2), (t2, t3), (t3, t4), (t4, t5), (t0, t5)]):
                times[p].append((b - a) * 1e3)
            for p, (a, b) in zip(PHASES, [(c0, c1), (c1, c2), (c2, c3), (c3, c4), (c4, c5), (c0, c5)]):
                cpu[p].append((b - a) * 1e3)
    return times, cpu, losses


# ---------------------------------------------------------------------------- report

def compare_sides(args):
    """The sides --compare trains in every round, in this order: (label, what it means, how to run it).
    Every side has --threads cores' worth of compute threads; they differ in who gets them."""
    n = args.threads
    sides = [
        ("detkit as `detkit train` runs it", f"the wrapper's settings: libnd4j on 1 OpenMP thread (OMP_NUM_THREADS=1), "
         f"detkit's GroupNorm loops on the wrapper's default of one thread per core "
         f"(-Ddetkit.hostThreads={NPROC}), the head's per-image targets on the caller and the common pool "
         f"(one worker on two cores), the data loader thread beside",
         dict(omp_threads=1, host_threads=None)),
        ("detkit, everything on 1", "libnd4j on 1 OpenMP thread and GroupNorm loops on 1 (-Ddetkit.hostThreads=1: "
         "what the wrapper ran before it passed the property); targets and loader as above",
         dict(omp_threads=1, host_threads=1)),
        (f"detkit, libnd4j on {n}", f"a libnd4j pool of {n} OpenMP threads (OMP_WAIT_POLICY=PASSIVE) of which a "
         f"convolution gets all from detkit.ompMinWork multiply-adds on and every smaller call one (as shipped); "
         f"GroupNorm loops on {n}", dict(omp_threads=n)),
    ]
    if args.baseline:
        sides += [
            ("baseline as `detkit train` runs it", f"{args.baseline}: the wrapper's settings (above)",
             dict(omp_threads=1, host_threads=None, root=args.baseline)),
            (f"baseline, libnd4j on {n}", f"{args.baseline}: libnd4j on {n} OpenMP threads (PASSIVE) for every call, "
             f"GroupNorm loops on {n}", dict(omp_threads=n, root=args.baseline)),
        ]
    else:
        sides.append((f"detkit, libnd4j on {n}, every call", f"libnd4j on {n} OpenMP threads (PASSIVE) for every "
                      f"call (-Ddetkit.ompMinWork=0, as before that setting existed); GroupNorm loops on {n}",
                      dict(omp_threads=n, omp_min_work=0)))
    torch_threads = sorted({1, n})
    sides += [(f"PyTorch, {t} thread{'s' if t > 1 else ''}", f"torch.set_num_threads({t}) (intra-op); its data is "
               f"preloaded", dict(torch_threads=t)) for t in torch_threads]
    return sides


def run_compare(args, export):
    """--compare: every side of compare_sides trained once a round, rounds alternating; one table of each
    round's whole-iteration median (p90), and every detkit side against the faster PyTorch side of its round."""
    sides = compare_sides(args)
    rounds = []
    detkit_first = None
    for _ in range(args.rounds):
        r = {}
        for label, _, how in sides:
            load = loadavg()
            if "torch_threads" in how:
                times, cpu, _ = run_torch(args, export, detkit_first, threads=how["torch_threads"])
                r[label] = (load, times["total"], cpu["total"])
            else:
                out = run_detkit(args, export if how.get("root") is None else export + "-baseline", **how)
                if detkit_first is None and how.get("root") is None:
                    detkit_first = out
                r[label] = (load, out["phases_ms"]["total"], out["cpu_phases_ms"]["total"])
        rounds.append(r)
    labels = [s[0] for s in sides]
    torch_labels = [s[0] for s in sides if "torch_threads" in s[2]]
    print(f"## Training iteration, {args.config}: detkit vs PyTorch twin, {args.threads} cores a side\n")
    print(f"{args.iters} iterations after {args.warmup} warm-up a run; torch {torch.__version__}; nproc "
          f"{NPROC}; load average at the end {loadavg()}\n")
    print("Command: `bench/train_twin.py " + " ".join(sys.argv[1:]) + "`\n")
    print("Sides:\n")
    for label, meaning, _ in sides:
        print(f"- {label}: {meaning}")
    print("\nWhole iteration, wall ms, median (p90) {the training thread's CPU ms, median: all of PyTorch's compute "
          "on 1 thread; on more, and for detkit's other threads, the rest is not counted} [1-minute load average at "
          "the side's start]:\n")
    print("| round | " + " | ".join(labels) + " |")
    print("|---" * (len(labels) + 1) + "|")
    for i, r in enumerate(rounds):
        print(f"| {i + 1} | " + " | ".join(f"{statistics.median(r[k][1]):.2f} ({pct(r[k][1], 0.9):.2f}) "
                                           f"{{{statistics.median(r[k][2]):.2f}}} [{r[k][0].split()[0]}]"
                                           for k in labels) + " |")
    med = {k: statistics.median([statistics.median(r[k][1]) for r in rounds]) for k in labels}
    print("| median of the rounds' medians | " + " | ".join(f"{med[k]:.2f}" for k in labels) + " |")
    print("\nEach detkit side against the faster PyTorch side of the same round (median / median):\n")
    detkit_labels = [k for k in labels if k not in torch_labels]
    print("| round | faster PyTorch | " + " | ".join(detkit_labels) + " |")
    print("|---" * (len(detkit_labels) + 2) + "|")
    for i, r in enumerate(rounds):
        best = min(torch_labels, key=lambda k: statistics.median(r[k][1]))
        b = statistics.median(r[best][1])
        print(f"| {i + 1} | {best} {b:.2f} | " + " | ".join(f"{statistics.median(r[k][1]) / b:.2f}" for k in detkit_labels)
              + " |")
    with open(os.path.join(args.out, "twin-compare.json"), "w") as f:
        json.dump({"sides": [{"label": s[0], "meaning": s[1]} for s in sides],
                   "rounds": [{k: {"load": v[0], "total_ms": v[1], "cpu_total_ms": v[2]} for k, v in r.items()}
                              for r in rounds]}, f)



def pct(values, q):
    v = sorted(values)
    return v[max(0, min(len(v) - 1, int(np.ceil(q * len(v))) - 1))]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--config", default="tools/configs/atss_shapes.py")
    ap.add_argument("--threads", type=int, default=2, help="compute threads on both sides")
    ap.add_argument("--detkit-threads", type=int, default=0,
                    help="OMP_NUM_THREADS for detkit's libnd4j operations (default --threads); its own host loops "
                         "(GroupNorm) always get --threads (-Ddetkit.hostThreads)")
    ap.add_argument("--warmup", type=int, default=30)
    ap.add_argument("--iters", type=int, default=300)
    ap.add_argument("--batches", type=int, default=60, help="batches exported for PyTorch (cycled)")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "target", "twin"))
    ap.add_argument("--skip-build", action="store_true")
    ap.add_argument("--rounds", type=int, default=1,
                    help="train both sides this many times, alternating (detkit, [detkit per-level,] PyTorch), and "
                         "print each round's medians and p90 with the load average at each side's start")
    ap.add_argument("--per-level-too", action="store_true",
                    help="in every round also train detkit with its head in the per-level form "
                         "(-Ddetkit.perLevelHead=true)")
    ap.add_argument("--compare", action="store_true",
                    help="train, in every round: detkit as the detkit wrapper runs it (libnd4j on 1 OpenMP thread), "
                         "detkit with libnd4j on --threads (small calls on one thread, as shipped), the same with every "
                         "call on --threads, and PyTorch on 1 and on --threads threads; compare each detkit side with "
                         "the faster PyTorch side (see compare_sides)")
    ap.add_argument("--baseline", default=None,
                    help="with --compare: another checkout (built) whose detkit also runs, as the wrapper runs it and "
                         "with libnd4j on --threads, in every round (A/B of two builds under the same load)")
    ap.add_argument("--layers", type=int, default=0,
                    help="instead of training: time each layer alone, N calls a side (needs a previous run's export)")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    export = os.path.join(args.out, "export")
    if args.layers > 0:
        build_unless_skipped(args, ROOT)
        print_layers(args, detkit_layers(args), profile_layers(args, export))
        return
    if args.compare:
        run_compare(args, export)
        return
    load = {"start": loadavg()}
    detkit = run_detkit(args, export)
    load["after detkit"] = loadavg()
    times, torch_cpu, torch_losses = run_torch(args, export, detkit)
    load["end"] = loadavg()
    rounds = [{"detkit": (load["start"], detkit["phases_ms"]["total"]),
               "torch": (load["after detkit"], times["total"])}]
    if args.per_level_too:
        rounds[0]["detkit per-level"] = (loadavg(), run_detkit(args, export, per_level=True)["phases_ms"]["total"])
    for _ in range(1, args.rounds):
        r = {"detkit": (loadavg(), run_detkit(args, export)["phases_ms"]["total"])}
        if args.per_level_too:
            r["detkit per-level"] = (loadavg(), run_detkit(args, export, per_level=True)["phases_ms"]["total"])
        r["torch"] = (loadavg(), run_torch(args, export, detkit)[0]["total"])
        rounds.append(r)
    with open(os.path.join(export, "losses.json")) as f:
        detkit_first = json.load(f)

    dk = detkit["phases_ms"]
    print(f"## Training iteration, {args.config}: detkit vs PyTorch twin\n")
    print(f"{args.iters} iterations after {args.warmup} warm-up; threads: detkit "
          f"{args.detkit_threads or args.threads}, PyTorch {args.threads}; torch {torch.__version__}; "
          f"nproc {NPROC}; load average " + "; ".join(f"{k} {v}" for k, v in load.items()) + "\n")
    print("Command: `bench/train_twin.py " + " ".join(sys.argv[1:]) + "`\n")
    print("| phase | detkit median (p90) ms | PyTorch median (p90) ms | detkit / PyTorch |")
    print("|---|---|---|---|")
    for p in PHASES:
        d50, d90 = statistics.median(dk[p]), pct(dk[p], 0.9)
        t50, t90 = statistics.median(times[p]), pct(times[p], 0.9)
        ratio = d50 / t50 if t50 > 0 else float("nan")
        print(f"| {p} | {d50:.2f} ({d90:.2f}) | {t50:.2f} ({t90:.2f}) | {ratio:.2f} |")
    cpu = detkit["cpu_phases_ms"]
    print("\nCPU time of the training thread, median (p90) ms (with one compute thread a side it holds"
          " all the compute but detkit's data pipeline and is robust to a loaded machine; with more,"
          " the other threads' work is not counted):\n")
    print("| phase | detkit | PyTorch | detkit / PyTorch |")
    print("|---|---|---|---|")
    for p in PHASES:
        d50, t50 = statistics.median(cpu[p]), statistics.median(torch_cpu[p])
        ratio = d50 / t50 if t50 > 0 else float("nan")
        print(f"| {p} | {d50:.2f} ({pct(cpu[p], 0.9):.2f}) | {t50:.2f} ({pct(torch_cpu[p], 0.9):.2f}) | {ratio:.2f} |")
    if len(rounds) > 1 or args.per_level_too:
        sides = list(rounds[0].keys())
        print("\nWhole iteration per round (wall ms, median (p90); load average at each side's start in brackets;"
              " the tables above are round 1):\n")
        print("| round | " + " | ".join(sides) + " | detkit / PyTorch |")
        print("|---" * (len(sides) + 2) + "|")
        for i, r in enumerate(rounds):
            cells = [f"{statistics.median(r[k][1]):.2f} ({pct(r[k][1], 0.9):.2f}) [{r[k][0].split()[0]}]" for k in sides]
            ratio = statistics.median(r["detkit"][1]) / statistics.median(r["torch"][1])
            print(f"| {i + 1} | " + " | ".join(cells) + f" | {ratio:.2f} |")
        med = {k: statistics.median([statistics.median(r[k][1]) for r in rounds]) for k in sides}
        print("| median of the rounds' medians | " + " | ".join(f"{med[k]:.2f}" for k in sides)
              + f" | {med['detkit'] / med['torch']:.2f} |")
    print("\nFirst losses on the same initial weights and batches (detkit / PyTorch):")
    for i in range(min(5, len(detkit_first), len(torch_losses))):
        print(f"- iteration {i + 1}: {detkit_first[i]:.6f} / {torch_losses[i]:.6f}")
    with open(os.path.join(args.out, "twin.json"), "w") as f:
        json.dump({"load": load, "detkit": dk, "detkit_cpu": cpu, "torch": times, "torch_cpu": torch_cpu,
                   "torch_losses": torch_losses,
                   "detkit_first_losses": detkit_first,
                   "rounds": [{k: {"load": v[0], "total_ms": v[1]} for k, v in r.items()}
                              for r in rounds]}, f)


if __name__ == "__main__":
    main()
