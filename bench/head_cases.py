"""The benchmark's head cases on the PyTorch side (bench/pytorch_bench.py): for each head of
detkit's HeadBench, the exported level maps and, per batch, callables for the whole step (targets,
losses, backward: MMDetection's loss() call), the targets alone and the loss from precomputed
targets where the port separates them, and the step's values for the cross-check with detkit."""

import os

import numpy as np

try:  # the table is printed without PyTorch too (--skip-torch); only the cases need it
    import torch
    import torch_heads as th
except ImportError:
    torch = th = None

NUM_CLASSES = 80

# key: (title, exported maps, outputs in HeadOutputs order)
HEADS = {
    "retina": ("RetinaHead", "retina", ("cls", "reg")),
    "atss": ("ATSSHead", "atss", ("cls", "reg", "ctr")),
    "gfl": ("GFLHead", "gfl", ("cls", "reg")),
    "fcos": ("FCOSHead", "fcos", ("cls", "reg", "ctr")),
    "tood": ("TOODHead, task-aligned phase", "tood", ("cls", "reg")),
    "tood_initial": ("TOODHead, ATSS phase", "tood", ("cls", "reg")),
}
OUTPUT_NAMES = {"cls": "cls_scores", "reg": "bbox_preds", "ctr": "centernesses"}
TOOD_INITIAL_EPOCH = 4


class HeadCases:
    """The exported inputs of every head: anchors, level maps [2, ch, H, W] (a batch of one is the
    first image), the two images' ground truth."""

    def __init__(self, inputs_dir, retina, atss, atss_levels, images):
        self.retina, self.atss, self.atss_levels, self.images = retina, atss, atss_levels, images
        self.maps = {}
        for key, (_, prefix, outputs) in HEADS.items():
            self.maps[key] = {o: [torch.from_numpy(np.load(os.path.join(inputs_dir, f"{prefix}_{o}_l{l}.npy")))
                                  for l in range(5)] for o in outputs}

    def levels(self, head, batch):
        return [[m[:batch].contiguous() for m in self.maps[head][o]] for o in HEADS[head][2]]

    def step(self, head, batch):
        """A callable running the whole step; it returns (losses {name: [per level]}, gradient sums, positives)."""
        images = self.images[:batch]
        lv = self.levels(head, batch)
        if head == "retina":
            return lambda: self._anchor_step(th.retina_targets(self.retina, images),
                                             lambda t, n: th.retina_loss(*lv, t, n))
        if head == "atss":
            return lambda: self._anchor_step(th.atss_targets(self.atss, self.atss_levels, images),
                                             lambda t, n: th.atss_loss(*lv, self.atss, t, n))
        if head == "gfl":
            return lambda: th.gfl_step(*lv, self.atss, self.atss_levels, images)
        if head == "fcos":
            return lambda: th.fcos_step(*lv, images)
        epoch = TOOD_INITIAL_EPOCH if head == "tood" else 0
        return lambda: th.tood_step(*lv, self.atss, self.atss_levels, images, epoch)

    @staticmethod
    def _anchor_step(targets_and_pos, loss):
        targets, num_pos = targets_and_pos
        losses, grads = loss(targets, num_pos)
        return ({k: [v] for k, v in losses.items()}, grads,
                int(sum(int((t[0] < NUM_CLASSES).sum()) for t in targets)))

    def targets(self, head, batch):
        """A callable computing the targets alone, or None where detkit does not time them apart."""
        images = self.images[:batch]
        if head == "retina":
            return lambda: th.retina_targets(self.retina, images)
        if head == "atss":
            return lambda: th.atss_targets(self.atss, self.atss_levels, images)
        if head == "gfl":
            return lambda: th.gfl_targets(self.atss, self.atss_levels, images)
        if head == "fcos":
            points = th.fcos_points([m.shape[2:] for m in self.maps["fcos"]["cls"]])
            return lambda: th.fcos_targets(points, images)
        return None

    def loss(self, head, batch):
        """A callable computing losses and gradients from targets computed once, or None."""
        lv = self.levels(head, batch)
        t = self.targets(head, batch)
        if head == "retina":
            tg, n = t()
            return lambda: th.retina_loss(*lv, tg, n)
        if head == "atss":
            tg, n = t()
            return lambda: th.atss_loss(*lv, self.atss, tg, n)
        if head == "gfl":
            tg = t()
            return lambda: th.gfl_step(*lv, self.atss, self.atss_levels, self.images[:batch], targets=tg)
        return None

    def values(self, heads):
        """What DetkitValues records for each of `heads` and batch: loss sums, gradient sums, positives."""
        v = {}
        for head in heads:
            outputs = HEADS[head][2]
            for batch in (1, 2):
                losses, grads, pos = self.step(head, batch)()
                prefix = f"{head}_b{batch}_"
                v.update({prefix + k: float(sum(x)) for k, x in losses.items()})
                v.update({f"{prefix}grad_abs_sum_{OUTPUT_NAMES[o]}": g for o, g in zip(outputs, grads)})
                v[prefix + "num_pos"] = pos
        return v
