#!/usr/bin/env python3
"""PyTorch side of detkit's benchmark suite, and the side-by-side table.

Runs, on the inputs detkit's ExportInputs wrote (so both sides see the same numbers), the
computations the JMH suite measures, with PyTorch's and torchvision's own operators on the CPU:
box_iou, MMDetection's MaxIoUAssigner and ATSSAssigner algorithms written in torch ops,
sigmoid_focal_loss and generalized_box_iou_loss with autograd, MMDetection's multiclass_nms on
batched_nms, and RetinaHead / ATSSHead targets plus loss forward and backward. Then reads JMH's
JSON and prints one Markdown table: case, detkit median, PyTorch median, speed-up.

Usage: pytorch_bench.py --inputs DIR --jmh jmh-ops.json [jmh-heads.json ...] [--jmh-gc jmh-gc.json] [--threads 2]
                        [--warmup-s 2] [--measure-s 5] [--skip-torch]
"""

import argparse
import json
import math
import os
import statistics
import sys
import time

import numpy as np

TORCH_IMPORT_ERROR = None
try:
    import torch
    import torch.nn.functional as F
    from torchvision.ops import batched_nms, box_iou, generalized_box_iou_loss, sigmoid_focal_loss
except ImportError as e:  # reported in the table instead of failing the whole run
    TORCH_IMPORT_ERROR = e

NUM_CLASSES = 80
INF = 100000000.0


# ---------------------------------------------------------------------------- timing

def measure(fn, warmup_s, measure_s, min_samples=5):
    """(median, minimum) wall time of fn() in milliseconds, after warming up for warmup_s seconds."""
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
    return statistics.median(samples), min(samples)


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


# ---------------------------------------------------------------------------- assigners in torch ops

def max_iou_assign(anchors, gt, gt_labels, pos_thr=0.5, neg_thr=0.4, min_pos_iou=0.0):
    """MMDetection 2.x MaxIoUAssigner (gt_max_assign_all, match_low_quality) on torch ops."""
    overlaps = box_iou(gt, anchors)  # [K, N]
    n = anchors.shape[0]
    max_overlaps, argmax = overlaps.max(dim=0)
    gt_max, _ = overlaps.max(dim=1)
    assigned = torch.full((n,), -1, dtype=torch.long)
    assigned[(max_overlaps >= 0) & (max_overlaps < neg_thr)] = 0
    pos = max_overlaps >= pos_thr
    assigned[pos] = argmax[pos] + 1
    for i in range(gt.shape[0]):
        if gt_max[i] >= min_pos_iou:
            assigned[overlaps[i, :] == gt_max[i]] = i + 1
    labels = torch.full((n,), -1, dtype=torch.long)
    pos_inds = torch.nonzero(assigned > 0).squeeze(1)
    labels[pos_inds] = gt_labels[assigned[pos_inds] - 1]
    return assigned, max_overlaps, labels


def atss_assign(anchors, num_level, gt, gt_labels, topk=9):
    """MMDetection 2.x ATSSAssigner (no DDOD alpha, no ignore boxes) on torch ops."""
    n, k = anchors.shape[0], gt.shape[0]
    overlaps = box_iou(anchors, gt)  # [N, K]
    gt_c = torch.stack(((gt[:, 0] + gt[:, 2]) / 2.0, (gt[:, 1] + gt[:, 3]) / 2.0), dim=1)
    acx = (anchors[:, 0] + anchors[:, 2]) / 2.0
    acy = (anchors[:, 1] + anchors[:, 3]) / 2.0
    a_c = torch.stack((acx, acy), dim=1)
    distances = (a_c[:, None, :] - gt_c[None, :, :]).pow(2).sum(-1).sqrt()
    candidates = []
    start = 0
    for per_level in num_level:
        end = start + per_level
        _, idx = distances[start:end].topk(min(topk, per_level), dim=0, largest=False)
        candidates.append(idx + start)
        start = end
    candidates = torch.cat(candidates, dim=0)  # [L*topk, K]
    cand_ov = overlaps[candidates, torch.arange(k)]
    thr = cand_ov.mean(0) + cand_ov.std(0)
    is_pos = cand_ov >= thr[None, :]
    cx = acx[candidates]
    cy = acy[candidates]
    inside = torch.stack([cx - gt[:, 0], cy - gt[:, 1], gt[:, 2] - cx, gt[:, 3] - cy], dim=1).min(dim=1)[0] > 0.01
    is_pos = is_pos & inside
    flat = (candidates + torch.arange(k)[None, :] * n).view(-1)
    ov_inf = torch.full((k * n,), -INF)
    index = flat[is_pos.view(-1)]
    ov_inf[index] = overlaps.t().contiguous().view(-1)[index]
    ov_inf = ov_inf.view(k, n).t()
    max_ov, argmax = ov_inf.max(dim=1)
    assigned = torch.zeros(n, dtype=torch.long)
    hit = max_ov != -INF
    assigned[hit] = argmax[hit] + 1
    labels = torch.full((n,), -1, dtype=torch.long)
    pos_inds = torch.nonzero(assigned > 0).squeeze(1)
    labels[pos_inds] = gt_labels[assigned[pos_inds] - 1]
    return assigned, max_ov, labels


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


# ---------------------------------------------------------------------------- heads

def encode_deltas(anchors, gt, stds):
    """DeltaXYWHBBoxCoder.encode with zero means."""
    px = (anchors[:, 0] + anchors[:, 2]) * 0.5
    py = (anchors[:, 1] + anchors[:, 3]) * 0.5
    pw = anchors[:, 2] - anchors[:, 0]
    ph = anchors[:, 3] - anchors[:, 1]
    gx = (gt[:, 0] + gt[:, 2]) * 0.5
    gy = (gt[:, 1] + gt[:, 3]) * 0.5
    gw = gt[:, 2] - gt[:, 0]
    gh = gt[:, 3] - gt[:, 1]
    d = torch.stack([(gx - px) / pw, (gy - py) / ph, torch.log(gw / pw), torch.log(gh / ph)], dim=-1)
    return d / d.new_tensor(stds)


def decode_deltas(anchors, deltas, stds, max_shape=None, wh_ratio_clip=16 / 1000):
    """DeltaXYWHBBoxCoder.decode with zero means (no clipping to the image, as the heads' losses use it)."""
    d = deltas * deltas.new_tensor(stds)
    max_ratio = abs(math.log(wh_ratio_clip))
    dw = d[:, 2].clamp(min=-max_ratio, max=max_ratio)
    dh = d[:, 3].clamp(min=-max_ratio, max=max_ratio)
    px = (anchors[:, 0] + anchors[:, 2]) * 0.5
    py = (anchors[:, 1] + anchors[:, 3]) * 0.5
    pw = anchors[:, 2] - anchors[:, 0]
    ph = anchors[:, 3] - anchors[:, 1]
    gw = pw * dw.exp()
    gh = ph * dh.exp()
    gx = px + pw * d[:, 0]
    gy = py + ph * d[:, 1]
    return torch.stack([gx - gw * 0.5, gy - gh * 0.5, gx + gw * 0.5, gy + gh * 0.5], dim=-1)


def flatten_levels(level_maps, channels):
    """[B, A*ch, H, W] per level -> [B, sum(H*W*A), ch], MMDetection's permute(0, 2, 3, 1)."""
    return torch.cat([m.permute(0, 2, 3, 1).reshape(m.shape[0], -1, channels) for m in level_maps], dim=1)


def retina_targets(anchors, gts):
    """AnchorHead.get_targets with MaxIoUAssigner and the PseudoSampler (all anchors valid and inside)."""
    out = []
    num_pos = 0
    for gt, gl in gts:
        assigned, _, labels_a = max_iou_assign(anchors, gt, gl)
        n = anchors.shape[0]
        pos = torch.nonzero(assigned > 0).squeeze(1)
        neg = torch.nonzero(assigned == 0).squeeze(1)
        labels = torch.full((n,), NUM_CLASSES, dtype=torch.long)
        labels[pos] = labels_a[pos]
        label_w = torch.zeros(n)
        label_w[pos] = 1.0
        label_w[neg] = 1.0
        bbox_t = torch.zeros(n, 4)
        bbox_w = torch.zeros(n, 4)
        bbox_t[pos] = encode_deltas(anchors[pos], gt[assigned[pos] - 1], (1.0, 1.0, 1.0, 1.0))
        bbox_w[pos] = 1.0
        num_pos += pos.numel()
        out.append((labels, label_w, bbox_t, bbox_w))
    return out, max(num_pos, 1)


def retina_loss(cls_levels, reg_levels, targets, num_pos):
    """RetinaHead loss: FocalLoss on every anchor and L1 on deltas, backward to the level maps."""
    cls_in = [c.detach().requires_grad_(True) for c in cls_levels]
    reg_in = [r.detach().requires_grad_(True) for r in reg_levels]
    cls = flatten_levels(cls_in, NUM_CLASSES).reshape(-1, NUM_CLASSES)
    reg = flatten_levels(reg_in, 4).reshape(-1, 4)
    labels = torch.cat([t[0] for t in targets])
    label_w = torch.cat([t[1] for t in targets])
    bbox_t = torch.cat([t[2] for t in targets])
    bbox_w = torch.cat([t[3] for t in targets])
    onehot = F.one_hot(labels, NUM_CLASSES + 1)[:, :NUM_CLASSES].to(cls.dtype)
    loss_cls = (sigmoid_focal_loss(cls, onehot, alpha=0.25, gamma=2.0, reduction="none")
                * label_w[:, None]).sum() / num_pos
    loss_bbox = ((reg - bbox_t).abs() * bbox_w).sum() / num_pos
    (loss_cls + loss_bbox).backward()
    return loss_cls.item(), loss_bbox.item()


ATSS_STDS = (0.1, 0.1, 0.2, 0.2)


def atss_targets(anchors, num_level, gts, num_classes=None):
    num_classes = NUM_CLASSES if num_classes is None else num_classes
    out = []
    num_pos = 0
    for gt, gl in gts:
        assigned, _, labels_a = atss_assign(anchors, num_level, gt, gl)
        n = anchors.shape[0]
        pos = torch.nonzero(assigned > 0).squeeze(1)
        neg = torch.nonzero(assigned == 0).squeeze(1)
        labels = torch.full((n,), num_classes, dtype=torch.long)
        labels[pos] = labels_a[pos]
        label_w = torch.zeros(n)
        label_w[pos] = 1.0
        label_w[neg] = 1.0
        bbox_t = torch.zeros(n, 4)
        bbox_t[pos] = encode_deltas(anchors[pos], gt[assigned[pos] - 1], ATSS_STDS)
        num_pos += pos.numel()
        out.append((labels, label_w, bbox_t))
    return out, max(num_pos, 1)


def atss_loss_terms(cls_levels, reg_levels, ctr_levels, anchors, targets, num_pos, num_classes=None):
    """ATSSHead loss terms (loss_cls, loss_bbox, loss_centerness) as tensors on the given level maps:
    FocalLoss, GIoULoss (weight 2) on decoded boxes weighted by centerness, BCE centerness.
    bench/train_twin.py trains a network through it."""
    num_classes = NUM_CLASSES if num_classes is None else num_classes
    b = cls_levels[0].shape[0]
    cls = flatten_levels(cls_levels, num_classes).reshape(-1, num_classes)
    reg = flatten_levels(reg_levels, 4).reshape(-1, 4)
    ctr = flatten_levels(ctr_levels, 1).reshape(-1)
    anc = anchors.repeat(b, 1)
    labels = torch.cat([t[0] for t in targets])
    label_w = torch.cat([t[1] for t in targets])
    bbox_t = torch.cat([t[2] for t in targets])
    onehot = F.one_hot(labels, num_classes + 1)[:, :num_classes].to(cls.dtype)
    loss_cls = (sigmoid_focal_loss(cls, onehot, alpha=0.25, gamma=2.0, reduction="none")
                * label_w[:, None]).sum() / num_pos
    pos = torch.nonzero(labels < num_classes).squeeze(1)
    pa = anc[pos]
    gt_boxes = decode_deltas(pa, bbox_t[pos], ATSS_STDS)
    cx = (pa[:, 0] + pa[:, 2]) / 2
    cy = (pa[:, 1] + pa[:, 3]) / 2
    lr = torch.stack([cx - gt_boxes[:, 0], gt_boxes[:, 2] - cx], dim=1)
    tb = torch.stack([cy - gt_boxes[:, 1], gt_boxes[:, 3] - cy], dim=1)
    ctr_t = torch.sqrt((lr.min(dim=-1)[0] / lr.max(dim=-1)[0]) * (tb.min(dim=-1)[0] / tb.max(dim=-1)[0]))
    pred_boxes = decode_deltas(pa, reg[pos], ATSS_STDS)
    loss_bbox = 2.0 * (generalized_box_iou_loss(pred_boxes, gt_boxes, reduction="none") * ctr_t).sum() \
        / max(ctr_t.sum().item(), 1.0)
    loss_ctr = F.binary_cross_entropy_with_logits(ctr[pos], ctr_t, reduction="sum") / num_pos
    return loss_cls, loss_bbox, loss_ctr


def atss_loss(cls_levels, reg_levels, ctr_levels, anchors, targets, num_pos):
    """ATSSHead loss (atss_loss_terms), backward to the level maps."""
    cls_in = [c.detach().requires_grad_(True) for c in cls_levels]
    reg_in = [r.detach().requires_grad_(True) for r in reg_levels]
    ctr_in = [c.detach().requires_grad_(True) for c in ctr_levels]
    loss_cls, loss_bbox, loss_ctr = atss_loss_terms(cls_in, reg_in, ctr_in, anchors, targets, num_pos)
    (loss_cls + loss_bbox + loss_ctr).backward()
    return loss_cls.item(), loss_bbox.item(), loss_ctr.item()


# ---------------------------------------------------------------------------- same results?

def torch_values(t, np_, retina, atss, atss_levels, gts, gts_b, maps):
    """The quantities DetkitValues writes, computed by the torch code above."""
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
    for batch in (1, 2):
        images = [gts[20], gts_b[20]][:batch]
        m = {k: [x[:batch].contiguous() for x in lv] for k, lv in maps["retina"].items()}
        tg, npos = retina_targets(retina, images)
        c, b = retina_loss(m["cls"], m["reg"], tg, npos)
        v.update({f"retina_b{batch}_loss_cls": c, f"retina_b{batch}_loss_bbox": b, f"retina_b{batch}_num_pos": npos})
        m = {k: [x[:batch].contiguous() for x in lv] for k, lv in maps["atss"].items()}
        tg, npos = atss_targets(atss, atss_levels, images)
        c, b, ctr = atss_loss(m["cls"], m["reg"], m["ctr"], atss, tg, npos)
        v.update({f"atss_b{batch}_loss_cls": c, f"atss_b{batch}_loss_bbox": b,
                  f"atss_b{batch}_loss_centerness": ctr, f"atss_b{batch}_num_pos": npos})
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
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--warmup-s", type=float, default=2.0)
    ap.add_argument("--measure-s", type=float, default=5.0)
    ap.add_argument("--skip-torch", action="store_true")
    ap.add_argument("--only", help="substring: run only the cases whose name contains it")
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
        if args.only and args.only not in name:
            return
        bench, params = detkit
        d_med, d_min = jmh.median_ms(bench, **params), jmh.min_ms(bench, **params)
        t_med = t_min = None
        if run_torch and torch_fn is not None:
            # Head steps take seconds: one warm-up call and three samples are enough to see the median.
            t_med, t_min = measure(torch_fn, 0 if slow else args.warmup_s, args.measure_s, 3 if slow else 5)
        cases.append((name, d_med, t_med, d_min, t_min, target))
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
    head_specs = [("retina", 9), ("atss", 1)]
    maps = {}
    if run_torch:
        for head, a in head_specs:
            maps[head] = {}
            for kind, ch in (("cls", NUM_CLASSES), ("reg", 4), ("ctr", 1)):
                lv = []
                for l in range(5):
                    path = os.path.join(args.inputs, f"{head}_{kind}_l{l}.npy")
                    if os.path.exists(path):
                        lv.append(torch.from_numpy(np.load(path)))
                maps[head][kind] = lv
    mmdet = {"retina": (188.0, 1340.0), "atss": (27.0, 74.0)}
    for batch in (1, 2):
        images = [gts[20], gts_b[20]][:batch]
        for head, _ in head_specs:
            title = "RetinaHead" if head == "retina" else "ATSSHead"
            tgt_ms, loss_ms = mmdet[head]
            have = run_torch and maps[head]["cls"]
            if head == "retina":
                tf = (lambda images=images: retina_targets(retina, images))
                if have:
                    cls = [m[:batch].contiguous() for m in maps[head]["cls"]]
                    reg = [m[:batch].contiguous() for m in maps[head]["reg"]]
                    tg, npos = retina_targets(retina, images)
                    lf = (lambda cls=cls, reg=reg, tg=tg, npos=npos: retina_loss(cls, reg, tg, npos))
                    both = (lambda cls=cls, reg=reg, images=images: retina_loss(cls, reg, *retina_targets(retina, images)))
            else:
                tf = (lambda images=images: atss_targets(atss, atss_levels, images))
                if have:
                    cls = [m[:batch].contiguous() for m in maps[head]["cls"]]
                    reg = [m[:batch].contiguous() for m in maps[head]["reg"]]
                    ctr = [m[:batch].contiguous() for m in maps[head]["ctr"]]
                    tg, npos = atss_targets(atss, atss_levels, images)
                    lf = (lambda cls=cls, reg=reg, ctr=ctr, tg=tg, npos=npos: atss_loss(cls, reg, ctr, atss, tg, npos))
                    both = (lambda cls=cls, reg=reg, ctr=ctr, images=images:
                            atss_loss(cls, reg, ctr, atss, *atss_targets(atss, atss_levels, images)))
            if not have:
                lf = both = None
            head_target = (f"<= {(tgt_ms + loss_ms) / 10:.1f} ms (10x faster than MMDetection's "
                           f"{tgt_ms:.0f} + {loss_ms:,.0f} ms)")
            case(f"{title} targets, batch {batch}", ("HeadBench.targets", {"head": head, "batch": batch}),
                 tf if run_torch else None, f"<= {tgt_ms / 10:.1f} ms (MMDetection {tgt_ms:.0f} ms / 10)", slow=True)
            case(f"{title} loss fwd+bwd, batch {batch}", ("HeadBench.loss", {"head": head, "batch": batch}),
                 lf, f"<= {loss_ms / 10:.1f} ms (MMDetection {loss_ms:,.0f} ms / 10)", slow=True)
            case(f"{title} targets+loss+grads, batch {batch}", ("HeadBench.step", {"head": head, "batch": batch}),
                 both, head_target, slow=True)
            case(f"{title} targets+loss+grads in an ND4J workspace, batch {batch}",
                 ("HeadBench.stepInWorkspace", {"head": head, "batch": batch}), None, head_target, slow=True)

    # ---------------------------------------------------------------- same results?
    check = None
    values_path = os.path.join(args.inputs, "detkit_values.json")
    if run_torch and os.path.exists(values_path) and not args.only:
        with open(values_path) as f:
            detkit_values = json.load(f)
        tv = torch_values(t, inp.np, retina, atss, atss_levels, gts, gts_b, maps)
        common = [k for k in tv if k in detkit_values]
        check = (len(common), compare_values(detkit_values, tv))

    # ---------------------------------------------------------------- the table
    print()
    print("| case | detkit median (ms) | PyTorch median (ms) | PyTorch / detkit | best of run: detkit / PyTorch (ms) "
          "| target |")
    print("| --- | ---: | ---: | ---: | ---: | --- |")
    for name, d, p, dmin, pmin, target in cases:
        ratio = f"{p / d:.2f}x" if d and p else "n/a"
        print(f"| {name} | {fmt(d)} | {fmt(p)} | {ratio} | {fmt(dmin)} / {fmt(pmin)} | {target} |")
    print()
    print("PyTorch / detkit above 1 means detkit is faster. Medians are what the load gave; the best of a "
          "run is the closest to an idle machine.")
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
    allocs = []
    for head in ("retina", "atss"):
        for batch in (1, 2):
            a = gc.secondary("HeadAllocationBench.step", "gc.alloc.rate.norm", head=head, batch=batch)
            if a:
                allocs.append((head, batch, a))
    if allocs:
        print()
        print("Java-heap allocation per steady-state head step (JMH -prof gc, gc.alloc.rate.norm; "
              "ND4J's off-heap buffers are not counted):")
        for head, batch, (v, unit) in allocs:
            print(f"- {head} batch {batch}: {v / 1e6:.1f} MB/op ({unit})")


def fmt(v):
    if v is None:
        return "n/a"
    return f"{v:,.1f}" if v >= 10 else f"{v:.2f}"


if __name__ == "__main__":
    main()
