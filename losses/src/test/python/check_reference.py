#!/usr/bin/python3
"""Dev tool, run by hand: torch_reference.py against the seed snippets run directly.

    /usr/bin/python3 check_reference.py

Random inputs (saturated logits |x| up to 200 included), default options plus a few options the
seeds themselves take; prints the max absolute difference of loss and gradient per case.
The seed code is in seeds.py (the one copy, shared with the benchmark's PyTorch timings).
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from seeds import (BoundaryLoss, CCSLoss, DiceBCELoss, DiceLoss, FocalLoss,  # noqa: E402
                   IoULoss, active_contour_loss)


# ---- cases -----------------------------------------------------------------------------------
def logits(rng, shape):
    x = rng.normal(0, 3, shape).astype(np.float32)
    flat = x.reshape(-1)
    idx = rng.choice(flat.size, size=max(1, flat.size // 5), replace=False)
    flat[idx] = rng.choice([-200, -50, -30, 30, 50, 200], size=idx.size)   # saturated
    return x


def make_cases(rng):
    """(name, loss, options, inputs dict, differentiated name, seed callable)."""
    cases = []
    for k in range(4):
        shape = (3, 7) if k == 2 else (2, 1, 5, 6)
        x = logits(rng, shape)
        t = (rng.random(shape) < 0.4).astype(np.float32) if k != 1 else \
            rng.random(shape).astype(np.float32)                 # soft labels
        if k == 3:
            t = t.reshape(2, 5, 6)                               # a mask without the channel dimension
        for loss, seed in (("dice", DiceLoss()), ("bce-dice", DiceBCELoss()),
                           ("iou", IoULoss()), ("focal", FocalLoss())):
            cases.append(("%s#%d" % (loss, k), loss, {}, {"inputs": x, "targets": t}, "inputs",
                          lambda a, s=seed: s(a["inputs"], a["targets"])))
        cases.append(("dice-smooth0.5#%d" % k, "dice", {"smooth": 0.5},
                      {"inputs": x, "targets": t}, "inputs",
                      lambda a: DiceLoss()(a["inputs"], a["targets"], smooth=0.5)))
        cases.append(("focal-a.25g1.5#%d" % k, "focal", {"alpha": 0.25, "gamma": 1.5},
                      {"inputs": x, "targets": t}, "inputs",
                      lambda a: FocalLoss()(a["inputs"], a["targets"], alpha=0.25, gamma=1.5)))
    for k, shape in enumerate([(2, 3, 6, 7), (1, 1, 3, 3), (2, 2, 4, 9), (2, 1, 4, 5, 3)]):
        yp = rng.random(shape).astype(np.float32)
        yp[..., 0, :] = 0.5                       # flat rows: |dr + dc| = 0 somewhere
        yt = (rng.random(shape) < 0.5).astype(np.float32)
        for wgt in (10, 0.5):
            cases.append(("active-contour-w%s#%d" % (wgt, k), "active-contour",
                          {} if wgt == 10 else {"weight": wgt}, {"y_true": yt, "y_pred": yp},
                          "y_pred", lambda a, wgt=wgt: active_contour_loss(
                              a["y_true"], a["y_pred"], weight=wgt)))
    for k, (n, c, h, w, pad) in enumerate([(2, 3, 8, 9, 0), (3, 2, 6, 6, 2), (2, 4, 7, 5, 1)]):
        pred = rng.normal(0, 1, (n, c, h, w)).astype(np.float32)
        pred[0, :, :2, :2] = 1.0                     # ties in the pooling windows
        pred[-1, 0, -1, -1] = 200.0                  # one saturated pixel
        ii, jj = np.meshgrid(np.arange(h + 2 * pad), np.arange(w + 2 * pad), indexing="ij")
        gt = np.stack([(ii // 3 + jj // 4 + s) % (c + 2) - 1 for s in range(n)])  # -1, c clamp
        for th0, th in ((3, 5), (1, 3), (5, 7)):
            cases.append(("boundary-%d-%d#%d" % (th0, th, k), "boundary",
                          {} if (th0, th) == (3, 5) else {"theta0": th0, "theta": th},
                          {"pred": pred, "gt": gt}, "pred",
                          lambda a, th0=th0, th=th: BoundaryLoss(th0, th)(a["pred"], a["gt"])))
    for k in range(3):
        b, a_n, e, kc, m = 3, 40, 6, 4, 3
        xy = rng.uniform(0, 20, (b, a_n, 2))
        wh = rng.uniform(2, 8, (b, a_n, 2))
        anchors = np.concatenate([xy, xy + wh], axis=2).astype(np.float32)
        ann = np.full((b, m, 5), -1.0, dtype=np.float32)
        for i in range(b - (k == 0)):                # k == 0: last image has no annotation
            for j in range(m - i):                   # padding rows
                src = anchors[i, rng.integers(a_n)]
                ann[i, j, :4] = src + rng.normal(0, 0.7, 4).astype(np.float32)
                ann[i, j, 4] = rng.integers(kc)
        ann[0, 1] = ann[0, 0]                        # identical boxes: argmax tie
        ann[0, 1, 4] = (ann[0, 0, 4] + 1) % kc
        emb = rng.normal(0, 1, (b, a_n, e)).astype(np.float32)
        wts = rng.normal(0, 1, (e, kc)).astype(np.float32)
        inputs = {"anchors": anchors, "embeddings": emb, "weights": wts, "annotations": ann}
        for soft in (False, True):
            cases.append(("ccs-soft%s#%d" % (soft, k), "ccs", {"soft": True} if soft else {},
                          inputs, "embeddings", lambda a, soft=soft: CCSLoss(soft=soft)(
                              a["anchors"], a["embeddings"], a["weights"], a["annotations"])))
    return cases


def main():
    rng = np.random.default_rng(1234)
    cases = make_cases(rng)
    worst = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        dirs = []
        for i, (name, loss, opts, inputs, _, _) in enumerate(cases):
            d = os.path.join(tmp, "%03d" % i)
            os.mkdir(d)
            with open(os.path.join(d, "case.json"), "w") as fh:
                json.dump({"loss": loss, "options": opts}, fh)
            for nm, arr in inputs.items():
                np.save(os.path.join(d, nm + ".npy"), arr)
            dirs.append(d)
        subprocess.run([sys.executable, os.path.join(HERE, "torch_reference.py")] + dirs,
                       check=True)
        print("%-24s %11s %10s %11s %10s" % ("case", "loss", "|dloss|", "max|grad|", "max|dgrad|"))
        for d, (name, _, _, inputs, gname, seed) in zip(dirs, cases):
            if os.path.exists(os.path.join(d, "error.txt")):
                print("%-24s ERROR %s" % (name, open(os.path.join(d, "error.txt")).read().strip()))
                worst = float("inf")
                continue
            tensors = {k: torch.from_numpy(v.astype(np.float32)) for k, v in inputs.items()}
            tensors[gname].requires_grad_(True)
            expected = seed(tensors)
            expected.backward()
            grad = tensors[gname].grad.double().numpy()
            got = np.load(os.path.join(d, "expected_loss.npy"))
            got_grad = np.load(os.path.join(d, "expected_grad_%s.npy" % gname))
            dl = abs(float(got) - float(expected))
            dg = float(np.max(np.abs(got_grad - grad))) if grad.size else 0.0
            worst = max(worst, dl, dg)
            print("%-24s %11.6g %10.3g %11.3g %10.3g"
                  % (name, float(expected), dl, np.max(np.abs(grad)), dg))
    print("worst difference: %.3g" % worst)
    return 0 if worst <= 1e-6 else 1


if __name__ == "__main__":
    sys.exit(main())
