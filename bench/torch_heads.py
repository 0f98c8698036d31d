"""MMDetection 2.x's dense-head training steps written in torch operators with autograd (CPU): the
targets (get_targets) and the losses of RetinaHead, ATSSHead, GFLHead, FCOSHead and TOODHead, whose
backward gives the gradient of the total loss with respect to every level map. The benchmark
(bench/pytorch_bench.py) times them against detkit's HeadBench; bench/torch_heads_golden.py checks
them against MMDetection's own golden cases; bench/train_twin.py trains a network through the ATSS
loss. The code is ours; the algorithms are MMDetection's (see each function).

Level maps are NCHW [B, A*ch, H, W]; rows are flattened as MMDetection does (permute(0, 2, 3, 1)).
Per image, targets are computed over all priors; `inside` (optional, one bool mask per image) marks
the anchors inside the image, as MMDetection's valid and inside flags do (None: all of them).
"""

import math

import torch
import torch.nn.functional as F
from torchvision.ops import sigmoid_focal_loss

from torch_assigners import (EPS32, INF, NUM_CLASSES, atss_assign, bbox2distance, bbox_overlaps, centres,
                             distance2bbox, giou_loss, max_iou_assign, task_aligned_assign)

ATSS_STDS = (0.1, 0.1, 0.2, 0.2)
STRIDES = (8, 16, 32, 64, 128)


# ---------------------------------------------------------------------------- shared pieces

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


def decode_deltas(anchors, deltas, stds, wh_ratio_clip=16 / 1000):
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


def level_rows(level_map, channels):
    """One level [B, A*ch, H, W] -> [B*H*W*A, ch], images first (MMDetection's loss_single rows)."""
    return level_map.permute(0, 2, 3, 1).reshape(-1, channels)


def leaves(levels):
    """Detached copies of the level maps that collect gradients."""
    return [m.detach().requires_grad_(True) for m in levels]


def anchor_targets(anchors, num_level, gts, assign, inside=None, num_classes=NUM_CLASSES, encode_stds=None):
    """AnchorHead/ATSSHead._get_target_single with the PseudoSampler, for every image: labels
    (num_classes for negatives and outside anchors), label weights (1 for positives and negatives),
    box targets (the assigned gt box, or its deltas with encode_stds). assign(anchors, num_level,
    gt, labels) gives (assigned 1-based, _, labels). Returns (per image (labels, label_weights,
    bbox_targets, assigned)), num_total_pos = sum over images of max(#positives, 1))."""
    out = []
    num_pos = 0
    n = anchors.shape[0]
    for i, (gt, gl) in enumerate(gts):
        mask = torch.ones(n, dtype=torch.bool) if inside is None else inside[i]
        idx = torch.nonzero(mask).squeeze(1)
        lv = None if num_level is None else [int(mask[s:s + c].sum()) for s, c in zip(level_starts(num_level),
                                                                                      num_level)]
        a_in, _, labels_in = assign(anchors[idx], lv, gt, gl)
        assigned = torch.zeros(n, dtype=torch.long)
        assigned[idx] = a_in
        pos = idx[a_in > 0]
        neg = idx[a_in == 0]
        labels = torch.full((n,), num_classes, dtype=torch.long)
        labels[pos] = labels_in[a_in > 0]
        label_w = torch.zeros(n)
        label_w[pos] = 1.0
        label_w[neg] = 1.0
        bbox_t = torch.zeros(n, 4)
        matched = gt[assigned[pos] - 1]
        bbox_t[pos] = matched if encode_stds is None else encode_deltas(anchors[pos], matched, encode_stds)
        num_pos += max(pos.numel(), 1)
        out.append((labels, label_w, bbox_t, assigned))
    return out, num_pos


def level_starts(num_level):
    starts, s = [], 0
    for c in num_level:
        starts.append(s)
        s += c
    return starts


def level_slice(targets, index, start, count):
    """Item `index` of every image's targets, rows [start, start+count), images concatenated."""
    return torch.cat([t[index][start:start + count] for t in targets])


def atss_centerness(anchors, gt_boxes):
    """ATSSHead.centerness_target: sqrt(min/max of the anchor centre's left/right and top/bottom distances)."""
    cx = (anchors[:, 0] + anchors[:, 2]) / 2
    cy = (anchors[:, 1] + anchors[:, 3]) / 2
    lr = torch.stack([cx - gt_boxes[:, 0], gt_boxes[:, 2] - cx], dim=1)
    tb = torch.stack([cy - gt_boxes[:, 1], gt_boxes[:, 3] - cy], dim=1)
    return torch.sqrt((lr.min(dim=-1)[0] / lr.max(dim=-1)[0]) * (tb.min(dim=-1)[0] / tb.max(dim=-1)[0]))


def one_hot(labels, num_classes, dtype):
    return F.one_hot(labels, num_classes + 1)[:, :num_classes].to(dtype)


def quality_focal(pred, labels, score, beta=2.0, activated=False):
    """QualityFocalLoss per row (summed over classes): every element is pushed towards 0 with weight
    p^beta; each positive's element of its own class towards its soft score with weight
    |score - p|^beta. `activated`: pred holds probabilities (TOOD), else logits (GFL)."""
    p = pred if activated else pred.sigmoid()
    bce = F.binary_cross_entropy if activated else F.binary_cross_entropy_with_logits
    loss = bce(pred, torch.zeros_like(pred), reduction="none") * p.pow(beta)
    pos = torch.nonzero((labels >= 0) & (labels < pred.shape[1])).squeeze(1)
    pl = labels[pos]
    loss[pos, pl] = bce(pred[pos, pl], score[pos], reduction="none") * (score[pos] - p[pos, pl]).abs().pow(beta)
    return loss.sum(dim=1)


def focal_on_probs(prob, labels, num_classes, gamma=2.0, alpha=0.25):
    """FocalLoss(activated=True) per element: BCE on probabilities (log clamped at -100 by torch)."""
    t = one_hot(labels, num_classes, prob.dtype)
    pt = (1 - prob) * t + prob * (1 - t)
    w = (alpha * t + (1 - alpha) * (1 - t)) * pt.pow(gamma)
    return F.binary_cross_entropy(prob, t, reduction="none") * w


# ---------------------------------------------------------------------------- RetinaHead, ATSSHead

def retina_targets(anchors, gts):
    """AnchorHead.get_targets with MaxIoUAssigner and the PseudoSampler (all anchors valid and inside)."""
    out, num_pos = anchor_targets(anchors, None, gts, lambda a, _, g, gl: max_iou_assign(a, g, gl),
                                  encode_stds=(1.0, 1.0, 1.0, 1.0))
    return [(l, w, b) for l, w, b, _ in out], num_pos


def retina_loss(cls_levels, reg_levels, targets, num_pos):
    """RetinaHead loss: FocalLoss on every anchor and L1 on deltas, backward to the level maps."""
    cls_in, reg_in = leaves(cls_levels), leaves(reg_levels)
    cls = flatten_levels(cls_in, NUM_CLASSES).reshape(-1, NUM_CLASSES)
    reg = flatten_levels(reg_in, 4).reshape(-1, 4)
    labels, label_w, bbox_t = (torch.cat([t[i] for t in targets]) for i in range(3))
    bbox_w = (labels < NUM_CLASSES).float()[:, None].expand(-1, 4)
    loss_cls = (sigmoid_focal_loss(cls, one_hot(labels, NUM_CLASSES, cls.dtype), alpha=0.25, gamma=2.0,
                                   reduction="none") * label_w[:, None]).sum() / num_pos
    loss_bbox = ((reg - bbox_t).abs() * bbox_w).sum() / num_pos
    (loss_cls + loss_bbox).backward()
    return {"loss_cls": loss_cls.item(), "loss_bbox": loss_bbox.item()}, grads(cls_in, reg_in)


def atss_targets(anchors, num_level, gts, num_classes=None):
    """ATSSHead.get_targets (ATSSAssigner top 9, deltas with ATSS's stds); bench/train_twin.py uses it."""
    num_classes = NUM_CLASSES if num_classes is None else num_classes
    out, num_pos = anchor_targets(anchors, num_level, gts, atss_assign, num_classes=num_classes,
                                  encode_stds=ATSS_STDS)
    return [(l, w, b) for l, w, b, _ in out], num_pos


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
    labels, label_w, bbox_t = (torch.cat([t[i] for t in targets]) for i in range(3))
    loss_cls = (sigmoid_focal_loss(cls, one_hot(labels, num_classes, cls.dtype), alpha=0.25, gamma=2.0,
                                   reduction="none") * label_w[:, None]).sum() / num_pos
    pos = torch.nonzero(labels < num_classes).squeeze(1)
    pa = anc[pos]
    gt_boxes = decode_deltas(pa, bbox_t[pos], ATSS_STDS)
    ctr_t = atss_centerness(pa, gt_boxes)
    pred_boxes = decode_deltas(pa, reg[pos], ATSS_STDS)
    loss_bbox = giou_loss(pred_boxes, gt_boxes, ctr_t, 1.0, 2.0) / max(ctr_t.sum().item(), 1.0)
    loss_ctr = F.binary_cross_entropy_with_logits(ctr[pos], ctr_t, reduction="sum") / num_pos
    return loss_cls, loss_bbox, loss_ctr


def atss_loss(cls_levels, reg_levels, ctr_levels, anchors, targets, num_pos):
    """ATSSHead loss (atss_loss_terms), backward to the level maps."""
    cls_in, reg_in, ctr_in = leaves(cls_levels), leaves(reg_levels), leaves(ctr_levels)
    loss_cls, loss_bbox, loss_ctr = atss_loss_terms(cls_in, reg_in, ctr_in, anchors, targets, num_pos)
    (loss_cls + loss_bbox + loss_ctr).backward()
    return ({"loss_cls": loss_cls.item(), "loss_bbox": loss_bbox.item(), "loss_centerness": loss_ctr.item()},
            grads(cls_in, reg_in, ctr_in))


def grads(*outputs):
    """The gradient sums of each output's levels: (sum |g| per output) in cls, reg, ctr order."""
    return [sum(m.grad.double().abs().sum().item() for m in levels) for levels in outputs]


# ---------------------------------------------------------------------------- GFLHead

def gfl_step(cls_levels, reg_levels, anchors, num_level, gts, inside=None, reg_max=16, strides=STRIDES,
             num_classes=NUM_CLASSES, keep=None, beta=2.0, bbox_weight=2.0, dfl_weight=0.25, targets=None):
    """GFLHead.loss: ATSS targets with the gt boxes as box targets; per level QualityFocalLoss on the
    IoU of the decoded prediction (soft targets), GIoU (weight bbox_weight) and DistributionFocalLoss
    (weight dfl_weight) on the Integral of the predicted distributions, both weighted by the best class score and
    divided by the batch's sum of those weights. `targets`: gfl_targets' result, computed before (None:
    computed here). Returns (loss dict of per-level lists, gradient sums, number of positives)."""
    targets, num_total_pos = targets or gfl_targets(anchors, num_level, gts, inside, num_classes)
    cls_in, reg_in = leaves_into(cls_levels, keep), leaves_into(reg_levels, keep)
    num_samples = max(float(num_total_pos), 1.0)
    bins = reg_max + 1
    project = torch.linspace(0, reg_max, bins)
    b = cls_levels[0].shape[0]
    out = {"loss_cls": [], "loss_bbox": [], "loss_dfl": []}
    weight_sums = []
    for level, start in enumerate(level_starts(num_level)):
        count, s = num_level[level], strides[level]
        cls = level_rows(cls_in[level], num_classes)
        reg = level_rows(reg_in[level], 4 * bins)
        anc = anchors[start:start + count].repeat(b, 1)
        labels = level_slice(targets, 0, start, count)
        label_w = level_slice(targets, 1, start, count)
        bbox_t = level_slice(targets, 2, start, count)
        pos = torch.nonzero((labels >= 0) & (labels < num_classes)).squeeze(1)
        score = torch.zeros(labels.shape)
        if pos.numel() > 0:
            centre = centres(anc[pos]) / s
            weight = cls.detach().sigmoid().max(dim=1)[0][pos]
            dist = F.softmax(reg[pos].reshape(-1, bins), dim=1) @ project
            pred_box = distance2bbox(centre, dist.reshape(-1, 4))
            target_box = bbox_t[pos] / s
            score[pos] = bbox_overlaps(pred_box.detach(), target_box, aligned=True)
            loss_bbox = giou_loss(pred_box, target_box, weight, 1.0, bbox_weight)
            corners = bbox2distance(centre, target_box, reg_max).reshape(-1)
            left = corners.long()
            dfl = (F.cross_entropy(reg[pos].reshape(-1, bins), left, reduction="none") * ((left + 1).float() - corners)
                   + F.cross_entropy(reg[pos].reshape(-1, bins), left + 1, reduction="none")
                   * (corners - left.float()))
            loss_dfl = dfl_weight * (dfl * weight[:, None].expand(-1, 4).reshape(-1)).sum() / (4.0 + EPS32)
            weight_sum = weight.sum()
        else:
            loss_bbox = loss_dfl = reg.sum() * 0
            weight_sum = torch.tensor(0.0)
        loss_cls = (quality_focal(cls, labels, score, beta) * label_w).sum() / (num_samples + EPS32)
        out["loss_cls"].append(loss_cls)
        out["loss_bbox"].append(loss_bbox)
        out["loss_dfl"].append(loss_dfl)
        weight_sums.append(weight_sum)
    avg = max(sum(weight_sums).item(), 1.0)
    out["loss_bbox"] = [x / avg for x in out["loss_bbox"]]
    out["loss_dfl"] = [x / avg for x in out["loss_dfl"]]
    return (*finish(out, cls_in, reg_in), count_pos(targets, num_classes))


def gfl_targets(anchors, num_level, gts, inside=None, num_classes=NUM_CLASSES):
    """GFLHead.get_targets: ATSS assignment, the assigned gt boxes (pixels) as box targets."""
    return anchor_targets(anchors, num_level, gts, atss_assign, inside, num_classes)


def finish(losses, *outputs):
    """Backward of the sum of every loss; the losses as floats per level, and the gradient sums.
    The level maps' gradients stay on `outputs` (their `.grad`) for callers that keep them."""
    sum(sum(v) for v in losses.values()).backward()
    return {k: [x.item() for x in v] for k, v in losses.items()}, grads(*outputs)


def leaves_into(levels, keep):
    """leaves(levels), also appended to `keep` (a list, or None) so a caller can read their gradients."""
    out = leaves(levels)
    if keep is not None:
        keep.append(out)
    return out


def count_pos(targets, num_classes):
    return int(sum(int((t[0] < num_classes).sum()) for t in targets))


# ---------------------------------------------------------------------------- FCOSHead

FCOS_RANGES = ((-1, 64), (64, 128), (128, 256), (256, 512), (512, INF))


def fcos_points(featmap_sizes, strides=STRIDES, offset=0.5):
    """MlvlPointGenerator: ((j + offset) * s, (i + offset) * s) per cell, row-major."""
    pts = []
    for (h, w), s in zip(featmap_sizes, strides):
        ys, xs = torch.meshgrid(torch.arange(h, dtype=torch.float32), torch.arange(w, dtype=torch.float32),
                                indexing="ij")
        pts.append(torch.stack([(xs.reshape(-1) + offset) * s, (ys.reshape(-1) + offset) * s], -1))
    return pts


def fcos_targets(points, gts, ranges=FCOS_RANGES, strides=STRIDES, center_sampling=True, radius=1.5,
                 norm_on_bbox=True, num_classes=NUM_CLASSES):
    """FCOSHead.get_targets: per point, among the gts that contain it (or, with center sampling, whose
    centre box of radius * stride clipped to the gt contains it) and whose largest side distance lies
    in the level's regress range, the one of smallest area; distances (l, t, r, b), in stride units
    with norm_on_bbox. Returns per level (labels, bbox_targets) with the images concatenated."""
    num_points = [p.shape[0] for p in points]
    all_points = torch.cat(points)
    rng = torch.cat([p.new_tensor(r)[None].expand(p.shape[0], 2) for p, r in zip(points, ranges)])
    pt_stride = torch.cat([p.new_full((p.shape[0],), s * radius) for p, s in zip(points, strides)])
    per_image = []
    for gt, gl in gts:
        n, k = all_points.shape[0], gt.shape[0]
        areas = ((gt[:, 2] - gt[:, 0]) * (gt[:, 3] - gt[:, 1]))[None].repeat(n, 1)
        g = gt[None].expand(n, k, 4)
        xs = all_points[:, 0, None].expand(n, k)
        ys = all_points[:, 1, None].expand(n, k)
        box_t = torch.stack((xs - g[..., 0], ys - g[..., 1], g[..., 2] - xs, g[..., 3] - ys), -1)
        if center_sampling:
            cx = (g[..., 0] + g[..., 2]) / 2
            cy = (g[..., 1] + g[..., 3]) / 2
            st = pt_stride[:, None].expand(n, k)
            x0 = torch.where(cx - st > g[..., 0], cx - st, g[..., 0])
            y0 = torch.where(cy - st > g[..., 1], cy - st, g[..., 1])
            x1 = torch.where(cx + st > g[..., 2], g[..., 2], cx + st)
            y1 = torch.where(cy + st > g[..., 3], g[..., 3], cy + st)
            inside = torch.stack((xs - x0, ys - y0, x1 - xs, y1 - ys), -1).min(-1)[0] > 0
        else:
            inside = box_t.min(-1)[0] > 0
        reach = box_t.max(-1)[0]
        in_range = (reach >= rng[:, None, 0]) & (reach <= rng[:, None, 1])
        areas[~inside] = INF
        areas[~in_range] = INF
        min_area, which = areas.min(dim=1)
        labels = gl[which]
        labels[min_area == INF] = num_classes
        per_image.append((labels.split(num_points), box_t[torch.arange(n), which].split(num_points)))
    out = []
    for level in range(len(points)):
        bt = torch.cat([img[1][level] for img in per_image])
        out.append((torch.cat([img[0][level] for img in per_image]), bt / strides[level] if norm_on_bbox else bt))
    return out


def fcos_step(cls_levels, reg_levels, ctr_levels, gts, strides=STRIDES, ranges=FCOS_RANGES, center_sampling=True,
              norm_on_bbox=True, giou=True, num_classes=NUM_CLASSES, keep=None):
    """FCOSHead.loss over all levels and images at once: FocalLoss on every point (avg factor
    max(#pos, 1)); GIoU (IoU with giou=False) of the distances decoded around the points, weighted
    by the centerness targets and averaged by their sum; BCE of the centerness logits against the
    centerness targets. Returns (loss dict, gradient sums, number of positives)."""
    b = cls_levels[0].shape[0]
    points = fcos_points([m.shape[2:] for m in cls_levels], strides)
    targets = fcos_targets(points, gts, ranges, strides, center_sampling, norm_on_bbox=norm_on_bbox,
                           num_classes=num_classes)
    cls_in, reg_in, ctr_in = (leaves_into(m, keep) for m in (cls_levels, reg_levels, ctr_levels))
    cls = torch.cat([level_rows(m, num_classes) for m in cls_in])
    reg = torch.cat([level_rows(m, 4) for m in reg_in])
    ctr = torch.cat([level_rows(m, 1) for m in ctr_in]).reshape(-1)
    labels = torch.cat([t[0] for t in targets])
    bbox_t = torch.cat([t[1] for t in targets])
    all_points = torch.cat([p.repeat(b, 1) for p in points])
    pos = torch.nonzero((labels >= 0) & (labels < num_classes)).reshape(-1)
    num_pos = max(float(pos.numel()), 1.0)
    loss_cls = sigmoid_focal_loss(cls, one_hot(labels, num_classes, cls.dtype), alpha=0.25, gamma=2.0,
                                  reduction="sum") / (num_pos + EPS32)
    pos_t = bbox_t[pos]
    lr, tb = pos_t[:, [0, 2]], pos_t[:, [1, 3]]
    ctr_t = torch.sqrt((lr.min(-1)[0] / lr.max(-1)[0]) * (tb.min(-1)[0] / tb.max(-1)[0]))
    denorm = max(ctr_t.sum().item(), 1e-6)
    pred_box = distance2bbox(all_points[pos], reg[pos])
    target_box = distance2bbox(all_points[pos], pos_t)
    if giou:
        loss_bbox = giou_loss(pred_box, target_box, ctr_t, denorm, 1.0)
    else:
        iou = bbox_overlaps(pred_box, target_box, aligned=True).clamp(min=1e-6)
        loss_bbox = (-iou.log() * ctr_t).sum() / (denorm + EPS32)
    loss_ctr = F.binary_cross_entropy_with_logits(ctr[pos], ctr_t, reduction="sum") / (num_pos + EPS32)
    losses = {"loss_cls": [loss_cls], "loss_bbox": [loss_bbox], "loss_centerness": [loss_ctr]}
    return (*finish(losses, cls_in, reg_in, ctr_in), int(pos.numel()))


# ---------------------------------------------------------------------------- TOODHead

def tood_step(cls_levels, reg_levels, anchors, num_level, gts, epoch, inside=None, initial_epoch=4, alpha=1,
              beta=6, topk=13, strides=STRIDES, num_classes=NUM_CLASSES, keep=None):
    """TOODHead.loss in `epoch`: cls_levels hold probabilities, reg_levels boxes in stride units.
    Before initial_epoch: ATSS targets, FocalLoss on probabilities, GIoU weighted by ATSS's
    centerness. Afterwards: TaskAlignedAssigner on the predictions (boxes times the stride), each
    positive's soft target its alignment metric normalised per gt (to the gt's best IoU),
    QualityFocalLoss on probabilities, GIoU weighted by those targets. Every level's loss_cls is
    divided by the batch's sum of alignment targets, loss_bbox by the sum of its weights (each at
    least 1). Returns (loss dict of per-level lists, gradient sums, number of positives)."""
    b = cls_levels[0].shape[0]
    cls_in, reg_in = leaves_into(cls_levels, keep), leaves_into(reg_levels, keep)
    aligned = epoch >= initial_epoch
    if aligned:
        with torch.no_grad():
            scores = flatten_levels(cls_in, num_classes)
            boxes = torch.cat([r.permute(0, 2, 3, 1).reshape(b, -1, 4) * s for r, s in zip(reg_in, strides)], 1)
        targets = tood_aligned_targets(scores, boxes, anchors, gts, inside, alpha, beta, topk, num_classes)
    else:
        base, _ = anchor_targets(anchors, num_level, gts, atss_assign, inside, num_classes)
        targets = [(l, w, bt, (l < num_classes).float()) for l, w, bt, _ in base]
    out = {"loss_cls": [], "loss_bbox": []}
    cls_factors, bbox_factors = [], []
    for level, start in enumerate(level_starts(num_level)):
        count, s = num_level[level], strides[level]
        cls = level_rows(cls_in[level], num_classes)
        reg = level_rows(reg_in[level], 4)
        anc = anchors[start:start + count].repeat(b, 1)
        labels, label_w, bbox_t, metrics = (level_slice(targets, i, start, count) for i in range(4))
        if aligned:
            loss_cls = (quality_focal(cls, labels, metrics, activated=True) * label_w).sum() / (1.0 + EPS32)
        else:
            loss_cls = (focal_on_probs(cls, labels, num_classes) * label_w[:, None]).sum() / (1.0 + EPS32)
        pos = torch.nonzero((labels >= 0) & (labels < num_classes)).squeeze(1)
        if pos.numel() > 0:
            weight = metrics[pos] if aligned else atss_centerness(anc[pos], bbox_t[pos])
            loss_bbox = giou_loss(reg[pos], bbox_t[pos] / s, weight, 1.0, 2.0)
            bbox_factors.append(weight.sum())
        else:
            loss_bbox = reg.sum() * 0
            bbox_factors.append(torch.tensor(0.0))
        cls_factors.append(metrics.sum())
        out["loss_cls"].append(loss_cls)
        out["loss_bbox"].append(loss_bbox)
    cls_avg = max(sum(cls_factors).item(), 1.0)
    bbox_avg = max(sum(bbox_factors).item(), 1.0)
    out["loss_cls"] = [x / cls_avg for x in out["loss_cls"]]
    out["loss_bbox"] = [x / bbox_avg for x in out["loss_bbox"]]
    return (*finish(out, cls_in, reg_in), count_pos(targets, num_classes))


def tood_aligned_targets(scores, boxes, anchors, gts, inside, alpha, beta, topk, num_classes):
    """TOODHead._get_target_single in the alignment phase, per image: (labels, label_weights, gt
    boxes, normalised alignment metrics)."""
    out = []
    n = anchors.shape[0]
    for i, (gt, gl) in enumerate(gts):
        mask = torch.ones(n, dtype=torch.bool) if inside is None else inside[i]
        idx = torch.nonzero(mask).squeeze(1)
        a_in, ious, labels_in, metric_in = task_aligned_assign(scores[i][idx], boxes[i][idx], anchors[idx], gt, gl,
                                                               alpha, beta, topk)
        labels = torch.full((n,), num_classes, dtype=torch.long)
        label_w = torch.zeros(n)
        label_w[idx] = 1.0
        bbox_t = torch.zeros(n, 4)
        norm = torch.zeros(n)
        pos_in = torch.nonzero(a_in > 0).squeeze(1)
        pos = idx[pos_in]
        labels[pos] = labels_in[pos_in]
        bbox_t[pos] = gt[a_in[pos_in] - 1]
        for g in torch.unique(a_in[pos_in]):
            mine = pos_in[a_in[pos_in] == g]
            m = metric_in[mine]
            norm[idx[mine]] = m / (m.max() + 10e-8) * ious[mine].max()
        out.append((labels, label_w, bbox_t, norm))
    return out
