#!/usr/bin/env python3
"""Checks bench/torch_heads.py against MMDetection's own golden cases (../shared/golden, or --golden):
for every GFLHead, FCOSHead and TOODHead loss case, the loss values and the gradient of every
output, element by element, within each case's tolerance. The benchmark's PyTorch side is only a
fair comparison if it computes what MMDetection computes; this is the evidence.

Usage: torch_heads_golden.py [--golden DIR]   (exit status 1 when a case differs)
"""

import argparse
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_heads import fcos_step, gfl_step, tood_step  # noqa: E402


class Case:
    def __init__(self, root, entry):
        self.root, self.entry = root, entry
        self.cfg = entry["config"]
        self.levels = len(entry["call"]["featmap_sizes"])
        self.images = len(entry["call"]["img_metas"])

    def arr(self, group, name):
        return torch.from_numpy(np.load(os.path.join(self.root, self.entry[group][name]["file"])))

    def maps(self, name):
        return [self.arr("inputs", f"{name}_l{l}") for l in range(self.levels)]

    def gts(self):
        return [(self.arr("inputs", f"gt_bboxes_img{j}"), self.arr("inputs", f"gt_labels_img{j}"))
                for j in range(self.images)]

    def anchors(self):
        levels = [self.arr("outputs", f"anchors_l{l}") for l in range(self.levels)]
        return torch.cat(levels), [a.shape[0] for a in levels]

    def inside(self):
        return [self.arr("outputs", f"aux_inside_flags_img{j}").bool() for j in range(self.images)]

    def strides(self):
        gen = self.cfg.get("anchor_generator")
        return tuple(gen["strides"] if gen else self.cfg["strides"])

    def expected_loss(self, name):
        out = self.entry["outputs"]
        if name in out:
            return out[name]["value"]
        return sum(out[f"{name}_l{l}"]["value"] for l in range(self.levels))


def run(case):
    """(losses {name: summed value}, {output name: [grad per level]}) of our torch code on the case."""
    c, keep = case.cfg, []
    n = c["num_classes"]
    comp = case.entry["component"]
    if comp == "GFLHead":
        anchors, num_level = case.anchors()
        losses, _, _ = gfl_step(case.maps("cls_scores"), case.maps("bbox_preds"), anchors, num_level, case.gts(),
                                case.inside(), c.get("reg_max", 16), case.strides(), n, keep, c["loss_cls"]["beta"],
                                c["loss_bbox"]["loss_weight"], c["loss_dfl"]["loss_weight"])
        names = ["cls_scores", "bbox_preds"]
    elif comp == "TOODHead":
        anchors, num_level = case.anchors()
        t = c["train_cfg"]
        losses, _, _ = tood_step(case.maps("cls_scores"), case.maps("bbox_preds"), anchors, num_level, case.gts(),
                                 case.entry["call"]["epoch"], case.inside(), t["initial_epoch"], t["alpha"],
                                 t["beta"], t["assigner"].get("topk", 13), case.strides(), n, keep)
        names = ["cls_scores", "bbox_preds"]
    else:
        ranges = c.get("regress_ranges", ((-1, 64), (64, 128), (128, 256), (256, 512), (512, 1e8)))
        losses, _, _ = fcos_step(case.maps("cls_scores"), case.maps("bbox_preds"), case.maps("centernesses"),
                                 case.gts(), case.strides(), ranges, c.get("center_sampling", False),
                                 c.get("norm_on_bbox", False), c["loss_bbox"]["type"] == "GIoULoss", n, keep)
        names = ["cls_scores", "bbox_preds", "centernesses"]
    return {k: sum(v) for k, v in losses.items()}, {name: [m.grad for m in lv] for name, lv in zip(names, keep)}


def check(case):
    tol = case.entry.get("tolerance", {"abs": 1e-5, "rel": 1e-4})
    losses, grads = run(case)
    bad = []
    for name, value in losses.items():
        want = case.expected_loss(name)
        if abs(value - want) > tol["abs"] + tol["rel"] * abs(want):
            bad.append(f"{name}: ours {value:.7g}, MMDetection {want:.7g}")
    for name, levels in grads.items():
        for l, g in enumerate(levels):
            want = np.load(os.path.join(case.root, case.entry["grads"][f"{name}_l{l}"]["file"]))
            if not np.allclose(g.numpy(), want, rtol=tol["rel"], atol=tol["abs"]):
                worst = np.abs(g.numpy() - want).max()
                bad.append(f"grad {name} level {l}: max difference {worst:.3g}")
    return bad


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--golden", default=os.path.join(here, "..", "..", "shared", "golden"))
    args = ap.parse_args()
    with open(os.path.join(args.golden, "manifest.json")) as f:
        manifest = json.load(f)
    failed = 0
    checked = 0
    for entry in manifest["cases"]:
        if (entry["component"] not in ("GFLHead", "FCOSHead", "TOODHead") or "loss" not in entry["call"]["method"]
                or "cls_scores_l0" not in entry["inputs"]):  # summary cases store no head outputs
            continue
        case = Case(args.golden, entry)
        bad = check(case)
        checked += 1
        failed += 1 if bad else 0
        print(f"{'ok  ' if not bad else 'FAIL'} {entry['id']}" + "".join(f"\n     {b}" for b in bad))
    print(f"{checked - failed} of {checked} golden head cases reproduced")
    sys.exit(1 if failed or not checked else 0)


if __name__ == "__main__":
    main()
