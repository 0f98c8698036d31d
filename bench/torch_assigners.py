"""MMDetection 2.x's box helpers and assigners written in torch operators (CPU), for the benchmark's
PyTorch side (bench/pytorch_bench.py) and the heads built on them (bench/torch_heads.py).

Each function follows the algorithm of the MMDetection function it is named after; the code is
ours. Boxes are float32 (x1, y1, x2, y2) rows.
"""

import torch
from torchvision.ops import box_iou

NUM_CLASSES = 80
INF = 100000000.0
# weight_reduce_loss adds float32's machine epsilon to a python avg_factor before dividing.
EPS32 = torch.finfo(torch.float32).eps


def bbox_overlaps(a, b, mode="iou", aligned=False, eps=1e-6):
    """mmdet's bbox_overlaps: IoU or GIoU, all pairs [n, k] or aligned rows [n], union and enclosing
    area floored at eps."""
    area_a = (a[..., 2] - a[..., 0]) * (a[..., 3] - a[..., 1])
    area_b = (b[..., 2] - b[..., 0]) * (b[..., 3] - b[..., 1])
    if aligned:
        lt = torch.max(a[..., :2], b[..., :2])
        rb = torch.min(a[..., 2:], b[..., 2:])
        union_extra = area_a + area_b
    else:
        lt = torch.max(a[:, None, :2], b[None, :, :2])
        rb = torch.min(a[:, None, 2:], b[None, :, 2:])
        union_extra = area_a[:, None] + area_b[None, :]
    wh = (rb - lt).clamp(min=0)
    overlap = wh[..., 0] * wh[..., 1]
    floor = overlap.new_tensor([eps])
    union = torch.max(union_extra - overlap, floor)
    ious = overlap / union
    if mode == "iou":
        return ious
    if aligned:
        e_lt = torch.min(a[..., :2], b[..., :2])
        e_rb = torch.max(a[..., 2:], b[..., 2:])
    else:
        e_lt = torch.min(a[:, None, :2], b[None, :, :2])
        e_rb = torch.max(a[:, None, 2:], b[None, :, 2:])
    e_wh = (e_rb - e_lt).clamp(min=0)
    enclose = torch.max(e_wh[..., 0] * e_wh[..., 1], floor)
    return ious - (enclose - union) / enclose


def giou_loss(pred, target, weight, avg_factor, loss_weight):
    """GIoULoss (eps 1e-6): loss_weight * sum(weight * (1 - GIoU)) / (avg_factor + eps32)."""
    loss = 1 - bbox_overlaps(pred, target, mode="giou", aligned=True)
    return loss_weight * (loss * weight).sum() / (avg_factor + EPS32)


def distance2bbox(points, distance):
    """Boxes from a point and its distances (left, top, right, bottom) to the sides, no clipping."""
    return torch.stack([points[:, 0] - distance[:, 0], points[:, 1] - distance[:, 1],
                        points[:, 0] + distance[:, 2], points[:, 1] + distance[:, 3]], -1)


def bbox2distance(points, bbox, max_dis, eps=0.1):
    """Distances from a point to the sides of a box, clamped to [0, max_dis - eps]."""
    d = torch.stack([points[:, 0] - bbox[:, 0], points[:, 1] - bbox[:, 1],
                     bbox[:, 2] - points[:, 0], bbox[:, 3] - points[:, 1]], -1)
    return d.clamp(min=0, max=max_dis - eps)


def centres(boxes):
    return torch.stack([(boxes[:, 0] + boxes[:, 2]) / 2, (boxes[:, 1] + boxes[:, 3]) / 2], -1)


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
    return assigned, max_overlaps, assigned_labels(assigned, gt_labels)


def assigned_labels(assigned, gt_labels):
    labels = torch.full(assigned.shape, -1, dtype=torch.long)
    pos = torch.nonzero(assigned > 0).squeeze(1)
    labels[pos] = gt_labels[assigned[pos] - 1]
    return labels


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
    assigned, max_ov, _ = pick_candidates(candidates, cand_ov >= thr[None, :], overlaps, anchors, gt)
    return assigned, max_ov, assigned_labels(assigned, gt_labels)


def pick_candidates(candidates, is_pos, overlaps, anchors, gt):
    """The step ATSS and the task-aligned assigner share: candidates [c, k] (anchor indices per gt)
    that passed is_pos and whose anchor centre lies inside the gt by more than 0.01 are positives;
    an anchor positive for several gts takes the gt of highest IoU (the first on ties).
    Returns (assigned 1-based / 0, that IoU or -INF, the gt index of every anchor)."""
    n, k = overlaps.shape
    cx = ((anchors[:, 0] + anchors[:, 2]) / 2.0)[candidates]
    cy = ((anchors[:, 1] + anchors[:, 3]) / 2.0)[candidates]
    inside = torch.stack([cx - gt[:, 0], cy - gt[:, 1], gt[:, 2] - cx, gt[:, 3] - cy], dim=1).min(dim=1)[0] > 0.01
    is_pos = is_pos & inside
    flat = (candidates + torch.arange(k)[None, :] * n).view(-1)
    ov_inf = torch.full((k * n,), -INF)
    index = flat[is_pos.view(-1)]
    ov_inf[index] = overlaps.t().contiguous().view(-1)[index]
    max_ov, argmax = ov_inf.view(k, n).t().max(dim=1)
    assigned = torch.zeros(n, dtype=torch.long)
    hit = max_ov != -INF
    assigned[hit] = argmax[hit] + 1
    return assigned, max_ov, argmax


def task_aligned_assign(scores, boxes, anchors, gt, gt_labels, alpha, beta, topk=13):
    """MMDetection 2.x TaskAlignedAssigner: the top-k predictions of each gt by
    score(gt label)^alpha * IoU(predicted box, gt)^beta whose ANCHOR centre lies inside the gt (by more
    than 0.01) become positives; a prediction claimed by several gts takes the one of highest IoU.
    scores [n, C] probabilities, boxes [n, 4] predicted boxes in pixels (both detached).

    Returns (assigned gt 1-based / 0, max_overlaps (-INF for negatives), labels, assign_metrics)."""
    n, k = scores.shape[0], gt.shape[0]
    overlaps = bbox_overlaps(boxes, gt)  # [n, k]
    metrics = scores[:, gt_labels] ** alpha * overlaps ** beta
    _, cand = metrics.topk(min(topk, n), dim=0, largest=True)  # [topk, k]
    assigned, max_ov, argmax = pick_candidates(cand, metrics[cand, torch.arange(k)] > 0, overlaps, anchors, gt)
    hit = assigned > 0
    assign_metrics = torch.zeros(n)
    assign_metrics[hit] = metrics[hit, argmax[hit]]
    return assigned, max_ov, assigned_labels(assigned, gt_labels), assign_metrics
