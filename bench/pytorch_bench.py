#!/usr/bin/env python3
"""PyTorch side of detkit's benchmark suite, and the side-by-side table.

Runs, on the inputs detkit's ExportInputs wrote (so both sides see the same numbers), the
computations the JMH suite measures, with PyTorch's and torchvision's own operators on the CPU:
box_iou, MMDetection's MaxIoUAssigner and ATSSAssigner algorithms written in torch ops,
sigmoid_focal_loss and generalized_box_iou_loss with autograd, MMDetection's multiclass_nms on
batched_nms, and the training steps of RetinaHead, ATSSHead, GFLHead, FCOSHead and TOODHead (both
phases) as MMDetection 2.x computes them, in torch ops with autograd (bench/torch_heads.py, checked
against MMDetection's golden cases by bench/torch_heads_golden.py). Checks that both sides computed
the same values, then reads JMH's JSON and prints Markdown tables: case, detkit and PyTorch median
and p90, speed-up; allocation per head step.

Usage: pytorch_bench.py --inputs DIR --jmh jmh-ops.json [jmh-heads.json ...] [--jmh-gc jmh-gc.json]
                        [--offheap offheap.txt] [--threads 2] [--warmup-s 2] [--measure-s 5] [--skip-torch]
"""

import argparse
import json
import os
import re
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
TORCH_IMPORT_ERROR = None
try:
    import torch
    import torch.nn.functional as F
    from torchvision.ops import batched_nms, box_iou, generalized_box_iou_loss, sigmoid_focal_loss

    # Re-exported for bench/train_twin.py, which imports the ATSS targets and loss from here.
    from torch_assigners import INF, NUM_CLASSES, atss_assign, max_iou_assign  # noqa: F401
    from torch_heads import atss_loss_terms, atss_targets  # noqa: F401
except ImportError as e:  # reported in the table instead of failing the whole run
    TORCH_IMPORT_ERROR = e
    NUM_CLASSES = 80

from head_cases import HEADS as HEAD_TITLES, HeadCases  # noqa: E402

# MMDetection's own RetinaHead and ATSSHead on this machine kind (the planning issue's figures):
# get_targets alone, and the whole loss() call, which runs get_targets itself (ms).
MMDET_OWN = {"retina": (188.0, 1340.0), "atss": (27.0, 74.0)}


# ---------------------------------------------------------------------------- timing

def measure(fn, warmup_s, measure_s, min_samples=5):
    """(median, minimum, 90th percentile) wall time of fn() in milliseconds, after warming up for
    warmup_s seconds."""
    end = time.perf_counter() + warmup_s
    fn()
    while time.perf_counter() < end:
        fn()
    samples = []
    end = time.perf_counter() + measure_s
    while time.perf_counter() < end or len(samples) < min_samples:
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(samples), min(samples), statistics.quantiles(samples, n=10, method="inclusive")[-1]


def memory_bandwidth_numpy(elements, repeats=20):
    """Single-thread numpy copy of `elements` float32 values: median and best (ms, GB/s counting read+write)."""
    src = np.random.default_rng(0).standard_normal(elements, dtype=np.float32)
    dst = np.empty_like(src)
    np.copyto(dst, src)
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        np.copyto(dst, src)
        samples.append(time.perf_counter() - t0)
    t = statistics.median(samples)
    b = min(samples)
    return t * 1e3, 2 * src.nbytes / t / 1e9, b * 1e3, 2 * src.nbytes / b / 1e9


# ---------------------------------------------------------------------------- inputs

class Inputs:
    def __init__(self, directory):
        self.dir = directory

    def np(self, name):
        return np.load(os.path.join(self.dir, name + ".npy"))

    def t(self, name):
        return torch.from_numpy(self.np(name))


# ---------------------------------------------------------------------------- losses and NMS

def focal_fwd_bwd(logits, labels, avg_factor, weight=None):
    x = logits.detach().requires_grad_(True)
    target = F.one_hot(labels, NUM_CLASSES + 1)[:, :NUM_CLASSES].to(x.dtype)
    loss = sigmoid_focal_loss(x, target, alpha=0.25, gamma=2.0, reduction="none")
    if weight is not None:
        loss = loss * weight[:, None]
    loss = loss.sum() / avg_factor
    loss.backward()
    return loss.item(), x.grad


def giou_fwd_bwd(pred, target):
    p = pred.detach().requires_grad_(True)
    loss = generalized_box_iou_loss(p, target, reduction="mean")
    loss.backward()
    return loss.item(), p.grad


def multiclass_nms(boxes, scores, score_thr=0.05, iou_thr=0.5, max_num=100):
    """MMDetection 2.x multiclass_nms with shared boxes, on torchvision's batched_nms."""
    n, c = scores.shape[0], scores.shape[1] - 1
    b = boxes[:, None].expand(n, c, 4).reshape(-1, 4)
    s = scores[:, :-1].reshape(-1)
    labels = torch.arange(c).view(1, -1).expand(n, c).reshape(-1)
    inds = torch.nonzero(s > score_thr).squeeze(1)
    b, s, labels = b[inds], s[inds], labels[inds]
    keep = batched_nms(b, s, labels, iou_thr)[:max_num]
    return torch.cat([b[keep], s[keep, None]], dim=1), labels[keep]


# ---------------------------------------------------------------------------- same results?

def torch_values(t, retina, atss, atss_levels, gts):
    """The operators' quantities DetkitValues writes, computed by the torch code (the heads': HeadCases.values)."""
    v = {}
    for n in (20, 100):
        g, gl = gts[n]
        v[f"bbox_overlaps_{n}_sum"] = box_iou(g, retina).double().sum().item()
        a, _, _ = max_iou_assign(retina, g, gl)
        v[f"maxiou_{n}_pos"] = int((a > 0).sum())
        v[f"maxiou_{n}_neg"] = int((a == 0).sum())
        a, _, _ = atss_assign(atss, atss_levels, g, gl)
        v[f"atss_{n}_pos"] = int((a > 0).sum())
    labels = t("focal_labels")
    value, grad = focal_fwd_bwd(t("focal_logits"), labels, float((labels < NUM_CLASSES).sum()))
    v["focal_value"] = value
    v["focal_grad_abs_sum"] = grad.double().abs().sum().item()
    v["giou_value"] = giou_fwd_bwd(t("giou_pred"), t("giou_target"))[0]
    dets, _ = multiclass_nms(t("nms_boxes"), t("nms_scores"))
    v["nms_kept"] = dets.shape[0]
    v["nms_score_sum"] = dets[:, 4].double().sum().item()
    return v


def compare_values(detkit, torch_v, rel_tol=1e-4):
    """Lines describing each quantity that differs; counts must match exactly."""
    bad = []
    for k, tv in torch_v.items():
        if k not in detkit:
            continue
        dv = detkit[k]
        if isinstance(tv, int):
            ok = dv == tv
        else:
            ok = abs(dv - tv) <= rel_tol * max(abs(tv), 1e-12)
        if not ok:
            bad.append(f"{k}: detkit {dv} vs PyTorch {tv}")
    return bad


# ---------------------------------------------------------------------------- JMH results

class Jmh:
    def __init__(self, paths):
        self.rows = []
        for path in paths if isinstance(paths, list) else [paths]:
            if path and os.path.exists(path):
                with open(path) as f:
                    self.rows.extend(json.load(f))

    def find(self, bench, **params):
        for r in self.rows:
            if not r["benchmark"].endswith("." + bench):
                continue
            p = r.get("params", {})
            if all(str(p.get(k)) == str(v) for k, v in params.items()):
                return r
        return None

    def median_ms(self, bench, **params):
        return self.percentile_ms(bench, "50.0", **params)

    def min_ms(self, bench, **params):
        return self.percentile_ms(bench, "0.0", **params)

    def percentile_ms(self, bench, pct, **params):
        r = self.find(bench, **params)
        if r is None:
            return None
        m = r["primaryMetric"]
        value = m.get("scorePercentiles", {}).get(pct, m["score"])
        return to_ms(value, m["scoreUnit"])

    def secondary(self, bench, metric, **params):
        r = self.find(bench, **params)
        if r is None:
            return None
        s = r.get("secondaryMetrics", {}).get(metric)
        return None if s is None else (s["score"], s["scoreUnit"])


def to_ms(value, unit):
    scale = {"s/op": 1e3, "ms/op": 1.0, "us/op": 1e-3, "ns/op": 1e-6}
    return value * scale[unit]


# ---------------------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--inputs", required=True)
    ap.add_argument("--jmh", required=True, nargs="+", help="JMH JSON result files")
    ap.add_argument("--jmh-gc")
    ap.add_argument("--offheap", help="OffHeapPerStep's output")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--warmup-s", type=float, default=2.0)
    ap.add_argument("--measure-s", type=float, default=5.0)
    ap.add_argument("--skip-torch", action="store_true")
    ap.add_argument("--only", help="substring: run only the cases whose name contains it")
    ap.add_argument("--no-ops", action="store_true", help="time no operator case (bench/run.sh with OPS=0)")
    ap.add_argument("--heads", default=",".join(HEAD_TITLES), help="comma list of the head cases to run")
    args = ap.parse_args()

    jmh = Jmh(args.jmh)
    gc = Jmh(args.jmh_gc)
    run_torch = not args.skip_torch and TORCH_IMPORT_ERROR is None
    if run_torch:
        torch.set_num_threads(args.threads)
        torch.manual_seed(0)
    inp = Inputs(args.inputs)

    cases = []  # (name, detkit ms, torch ms, target, note)

    def case(name, detkit, torch_fn, target, slow=False):
        """detkit: (JMH benchmark, params) of the case."""
        if args.only and args.only not in name or args.no_ops and not detkit[0].startswith("HeadBench."):
            return
        bench, params = detkit
        d_med, d_min = jmh.median_ms(bench, **params), jmh.min_ms(bench, **params)
        d_p90 = jmh.percentile_ms(bench, "90.0", **params)
        t_med = t_min = t_p90 = None
        if run_torch and torch_fn is not None:
            # Head steps take seconds: one warm-up call and three samples are enough to see the median.
            t_med, t_min, t_p90 = measure(torch_fn, 0 if slow else args.warmup_s, args.measure_s, 3 if slow else 5)
        cases.append((name, d_med, d_p90, t_med, t_p90, d_min, t_min, target))
        print(f"  {name}: detkit {fmt(d_med)} ms, torch {fmt(t_med)} ms", file=sys.stderr, flush=True)

    print(f"torch: {torch.__version__ if TORCH_IMPORT_ERROR is None else TORCH_IMPORT_ERROR}, "
          f"threads {args.threads}", file=sys.stderr)

    # Without torch the lambdas below are never called; the inputs are then None.
    t = inp.t if run_torch else (lambda name: None)
    retina = t("retina_anchors")
    atss = t("atss_anchors")
    atss_levels = [int(v) for v in inp.np("atss_num_level_anchors")]
    gts = {n: (t(f"gt{n}_boxes"), t(f"gt{n}_labels")) for n in (20, 100)}
    gts_b = {n: (t(f"gt{n}b_boxes"), t(f"gt{n}b_labels")) for n in (20, 100)}

    op_target = ">= 3x faster than PyTorch"
    for n in (20, 100):
        g, gl = gts[n]
        case(f"bbox_overlaps {n} gt x 182,403 anchors", ("BboxOverlapsBench.api", {"numGts": n}),
             (lambda g=g: box_iou(g, retina)), op_target)
    for n in (20, 100):
        g, gl = gts[n]
        case(f"MaxIoUAssigner {n} gt x 182,403 anchors", ("AssignerBench.maxIoU", {"numGts": n}),
             (lambda g=g, gl=gl: max_iou_assign(retina, g, gl)), op_target)
    for n in (20, 100):
        g, gl = gts[n]
        case(f"ATSSAssigner {n} gt x 20,267 anchors", ("AssignerBench.atss", {"numGts": n}),
             (lambda g=g, gl=gl: atss_assign(atss, atss_levels, g, gl)), op_target)

    if run_torch:
        logits = t("focal_logits")
        labels = t("focal_labels")
        num_pos = float((labels < NUM_CLASSES).sum())
        giou_p, giou_t = t("giou_pred"), t("giou_target")
        nms_b, nms_s = t("nms_boxes"), t("nms_scores")
    else:
        logits = labels = giou_p = giou_t = nms_b = nms_s = None
        num_pos = 1.0
    copy_ms = jmh.median_ms("MemoryBandwidthBench.copy")
    copy_min = jmh.min_ms("MemoryBandwidthBench.copy")
    focal_target = op_target + "; <= 3x a memory-speed pass" + (
        f" (3 x {copy_ms:.1f} = {3 * copy_ms:.1f} ms)" if copy_ms else "")
    case("FocalLoss fwd+grad 182,403 x 80", ("LossBench.focalLoss", {}),
         (lambda: focal_fwd_bwd(logits, labels, num_pos)), focal_target)
    case("GIoULoss fwd+grad 10,000 boxes", ("LossBench.giouLoss", {}),
         (lambda: giou_fwd_bwd(giou_p, giou_t)), op_target)
    case("multiclass_nms 1,000 x 80 classes", ("NmsBench.multiclassNms", {}),
         (lambda: multiclass_nms(nms_b, nms_s)), op_target)

    # Heads: the level maps are exported as [2, A*ch, H, W]; one image is the first of the batch.
    heads = HeadCases(args.inputs, retina, atss, atss_levels, [gts[20], gts_b[20]]) if run_torch else None
    for batch in (1, 2):
        for head in args.heads.split(","):
            title = HEAD_TITLES[head][0]
            key = {"head": head, "batch": batch}
            own = MMDET_OWN.get(head)
            if own:
                tgt_ms, loss_ms = own
                step_target = f"<= {loss_ms / 10:.1f} ms (MMDetection's own loss() {loss_ms:,.0f} ms / 10)"
                tgt_target = f"<= {tgt_ms / 10:.1f} ms (MMDetection {tgt_ms:.0f} ms / 10)"
                loss_target = (f"<= {(loss_ms - tgt_ms) / 10:.1f} ms (MMDetection {loss_ms:,.0f} - "
                               f"{tgt_ms:.0f} ms, / 10)")
            else:
                step_target = tgt_target = loss_target = ">= 10x faster than the PyTorch column"
            if jmh.find("HeadBench.targets", **key):
                case(f"{title} targets, batch {batch}", ("HeadBench.targets", key),
                     heads.targets(head, batch) if run_torch else None, tgt_target, slow=True)
            if jmh.find("HeadBench.loss", **key):
                case(f"{title} loss fwd+bwd, batch {batch}", ("HeadBench.loss", key),
                     heads.loss(head, batch) if run_torch else None, loss_target, slow=True)
            case(f"{title} targets+loss+grads, batch {batch}", ("HeadBench.step", key),
                 heads.step(head, batch) if run_torch else None, step_target, slow=True)
            if jmh.find("HeadBench.stepInWorkspace", **key):
                case(f"{title} targets+loss+grads in an ND4J workspace, batch {batch}",
                     ("HeadBench.stepInWorkspace", key), None, step_target, slow=True)

    # ---------------------------------------------------------------- same results?
    check = None
    values_path = os.path.join(args.inputs, "detkit_values.json")
    if run_torch and os.path.exists(values_path) and not args.only:
        with open(values_path) as f:
            detkit_values = json.load(f)
        tv = torch_values(t, retina, atss, atss_levels, gts)
        tv.update(heads.values(args.heads.split(",")))
        common = [k for k in tv if k in detkit_values]
        check = (len(common), compare_values(detkit_values, tv))

    # ---------------------------------------------------------------- the table
    print()
    print("| case | detkit median (p90) ms | PyTorch median (p90) ms | PyTorch / detkit (medians) "
          "| best of run: detkit / PyTorch (ms) | target |")
    print("| --- | ---: | ---: | ---: | ---: | --- |")
    for name, d, d90, p, p90, dmin, pmin, target in cases:
        ratio = f"{p / d:.2f}x" if d and p else "n/a"
        print(f"| {name} | {fmt(d)} ({fmt(d90)}) | {fmt(p)} ({fmt(p90)}) | {ratio} | {fmt(dmin)} / {fmt(pmin)} "
              f"| {target} |")
    print()
    print("PyTorch / detkit above 1 means detkit is faster. Medians are what the load gave; the best of a "
          "run is the closest to an idle machine. The PyTorch p90 of a head case comes from few samples "
          "(at least three, over 5 s).")
    variants = [("FocalLoss fwd+grad, scalar float64 path (-Ddetkit.simd=false)", "FocalLossScalarBench.focalLoss")]
    shown = [(label, jmh.median_ms(b), jmh.min_ms(b)) for label, b in variants if jmh.median_ms(b)]
    if shown:
        print()
        print("The same case without the Vector API (what a JVM without --add-modules jdk.incubator.vector runs), "
              "median / best (ms):")
        for label, med, best in shown:
            print(f"- {label}: {fmt(med)} / {fmt(best)}")
    print()
    if check:
        n_common, bad = check
        if bad:
            print(f"Results differ from PyTorch's in {len(bad)} of {n_common} quantities (relative tolerance 1e-4):")
            for line in bad:
                print(f"- {line}")
        else:
            print(f"All {n_common} checked quantities (loss values, gradient sums, positives, kept detections) "
                  "agree with PyTorch's within a relative 1e-4 (counts exactly).")
        print()
    elements = 182_403 * NUM_CLASSES
    mb = elements * 4 / 1e6
    scale_ms = jmh.median_ms("MemoryBandwidthBench.scale")
    print(f"Single-thread streaming bandwidth, {mb:.1f} MB read + {mb:.1f} MB written per pass:")
    if copy_ms:
        print(f"- Java System.arraycopy: median {copy_ms:.2f} ms = {2 * mb / copy_ms:.2f} GB/s; "
              f"best {copy_min:.2f} ms = {2 * mb / copy_min:.2f} GB/s")
    if scale_ms:
        print(f"- Java scale loop dst[i] = 0.5f * src[i]: {scale_ms:.2f} ms = {2 * mb / scale_ms:.2f} GB/s")
    np_ms, np_gbs, np_best, np_best_gbs = memory_bandwidth_numpy(elements)
    print(f"- numpy copyto: median {np_ms:.2f} ms = {np_gbs:.2f} GB/s; best {np_best:.2f} ms = {np_best_gbs:.2f} GB/s")
    print_allocation(gc, read_offheap(args.offheap))


def read_offheap(path):
    """OffHeapPerStep's lines: {(head, batch, in_workspace): (buffers, MB)}."""
    out = {}
    if path and os.path.exists(path):
        with open(path) as f:
            for line in f:
                m = re.match(r"offheap (\S+) batch (\d+)( in a workspace)?: (\d+) buffers, ([\d.]+) MB", line)
                if m:
                    out[(m.group(1), int(m.group(2)), bool(m.group(3)))] = (int(m.group(4)), float(m.group(5)))
    return out


def print_allocation(gc, offheap):
    """Allocation per steady-state step of every head case: Java heap (JMH -prof gc) and off-heap."""
    rows = []
    for head, (title, _, _) in HEAD_TITLES.items():
        for batch in (1, 2):
            heap = gc.secondary("HeadAllocationBench.step", "gc.alloc.rate.norm", head=head, batch=batch)
            plain, ws = offheap.get((head, batch, False)), offheap.get((head, batch, True))
            if heap or plain or ws:
                rows.append((title, batch, heap, plain, ws))
    if not rows:
        return
    print()
    print("Allocation per steady-state head step: Java heap (JMH -prof gc, gc.alloc.rate.norm) and ND4J off-heap "
          "buffers created (OffHeapPerStep), as usually called and inside an ND4J workspace:")
    print()
    print("| head step | batch | heap MB | off-heap MB (buffers) | off-heap in a workspace MB (buffers) |")
    print("| --- | ---: | ---: | ---: | ---: |")

    def mb(x):
        return "n/a" if x is None else f"{x[1]:.1f} ({x[0]})"

    for title, batch, heap, plain, ws in rows:
        print(f"| {title} | {batch} | {'n/a' if heap is None else f'{heap[0] / 1e6:.1f}'} | {mb(plain)} | {mb(ws)} |")


def fmt(v):
    if v is None:
        return "n/a"
    return f"{v:,.1f}" if v >= 10 else f"{v:.2f}"


if __name__ == "__main__":
    main()
