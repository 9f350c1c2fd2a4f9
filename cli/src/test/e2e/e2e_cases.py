#!/usr/bin/python3
"""Helper of e2e.sh: writes the end-to-end cases and checks ./tornagrad eval's output.

    e2e_cases.py make WORK_DIR            writes WORK_DIR/<case>/{case.json, <input>.npy}, prints
                                          one line per case: NAME<TAB>LOSS<TAB>input names<TAB>options
    e2e_cases.py check CASE_DIR           compares CASE_DIR/stdout.txt (eval's JSON) and the
                                          gradient files it names with torch_reference.py's
                                          expected_*.npy; prints one line, exits 1 on a mismatch

Tolerances are the parity suite's (PyTorchParityTest): every loss element within 1e-4 relative
plus 1e-6 absolute; each gradient's max absolute error <= 1e-4 * max |reference gradient|
(1e-12 when the reference gradient is all zero).
"""
import json
import os
import sys

import numpy as np

LOSS_RTOL, LOSS_ATOL, GRAD_RTOL, GRAD_ZERO_FLOOR = 1e-4, 1e-6, 1e-4, 1e-12
DIFFERENTIATED = {"dice": "inputs", "bce-dice": "inputs", "iou": "inputs", "focal": "inputs",
                  "active-contour": "y_pred", "boundary": "pred", "ccs": "embeddings"}


def f32(a):
    return np.ascontiguousarray(np.asarray(a, dtype=np.float32))


def region(rng, shape=(2, 1, 8, 8), scale=3.0, soft=False):
    x = rng.normal(size=shape) * scale
    t = rng.random(shape) if soft else (rng.random(shape) > 0.5)
    return {"inputs": f32(x), "targets": f32(t)}


def multiclass(rng, n=2, c=3, hw=(6, 6)):
    return {"inputs": f32(rng.normal(size=(n, c) + hw) * 2),
            "targets": f32(rng.integers(0, c, size=(n,) + hw))}


def active_contour(rng, shape=(2, 2, 8, 8)):
    return {"y_true": f32(rng.random(shape) > 0.5), "y_pred": f32(rng.uniform(0.02, 0.98, size=shape))}


def boundary(rng, n=2, c=3, hw=12):
    yy, xx = np.mgrid[:hw, :hw]
    gt = np.zeros((n, hw, hw))
    for i in range(n):     # blobs, so that there are boundaries to match
        cy, cx = rng.integers(3, hw - 3, size=2)
        gt[i][(yy - cy) ** 2 + (xx - cx) ** 2 <= 9] = 1 + i % (c - 1)
    return {"pred": f32(rng.normal(size=(n, c, hw, hw)) * 2), "gt": f32(gt)}


def ccs(rng, b=2, a=24, e=5, k=3, m=3):
    ann = -np.ones((b, m, 5))
    anchors = np.zeros((b, a, 4))
    for i in range(b):
        real = m - i
        for j in range(real):
            x, y = rng.uniform(0, 40, size=2)
            w, h = rng.uniform(6, 16, size=2)
            ann[i, j] = [x, y, x + w, y + h, rng.integers(0, k)]
        for j in range(a):
            if j % 2 == 0:     # a jittered copy of an annotation: often selected
                anchors[i, j] = ann[i, rng.integers(0, real), :4] + rng.uniform(-1.5, 1.5, size=4)
            else:
                x, y = rng.uniform(0, 40, size=2)
                anchors[i, j] = [x, y, x + rng.uniform(4, 16), y + rng.uniform(4, 16)]
    return {"anchors": f32(anchors), "embeddings": f32(rng.normal(size=(b, a, e))),
            "weights": f32(rng.normal(size=(e, k))), "annotations": f32(ann)}


def cases():
    rng = np.random.default_rng(20240611)
    return [
        ("dice", "dice", {}, region(rng)),
        ("dice-saturated", "dice", {}, region(rng, scale=40.0)),
        ("dice-multiclass-none", "dice", {"mode": "multiclass", "per_image": "true", "reduction": "none"},
         multiclass(rng)),
        ("bce-dice", "bce-dice", {}, region(rng)),
        ("bce-dice-soft", "bce-dice", {}, region(rng, soft=True)),
        ("iou", "iou", {}, region(rng)),
        ("iou-multilabel", "iou", {"mode": "multilabel", "class_weights": "1,0.5"}, region(rng, shape=(2, 2, 6, 6))),
        ("focal", "focal", {}, region(rng)),
        ("focal-per-element", "focal", {"variant": "per-element", "alpha": "0.25", "gamma": "2"}, region(rng)),
        ("active-contour", "active-contour", {}, active_contour(rng)),
        ("active-contour-weight", "active-contour", {"weight": "3"}, active_contour(rng)),
        ("boundary", "boundary", {}, boundary(rng)),
        ("boundary-none", "boundary", {"reduction": "none", "theta0": "3", "theta": "3"}, boundary(rng)),
        ("ccs", "ccs", {}, ccs(rng)),
        ("ccs-soft", "ccs", {"soft": "true", "reduction": "sum"}, ccs(rng)),
    ]


def make(work):
    for name, loss, options, arrays in cases():
        d = os.path.join(work, name)
        os.makedirs(d)
        with open(os.path.join(d, "case.json"), "w") as fh:
            json.dump({"loss": loss, "options": options}, fh)
        for input_name, array in arrays.items():
            np.save(os.path.join(d, input_name + ".npy"), array)
        opts = " ".join("%s=%s" % kv for kv in options.items())
        print("\t".join([name, loss, " ".join(arrays), opts]))


def check(case_dir):
    with open(os.path.join(case_dir, "case.json")) as fh:
        loss = json.load(fh)["loss"]
    if os.path.exists(os.path.join(case_dir, "error.txt")):
        with open(os.path.join(case_dir, "error.txt")) as fh:
            return "the reference rejected the case: " + fh.read().strip()
    with open(os.path.join(case_dir, "stdout.txt")) as fh:
        lines = fh.read().splitlines()
    if len(lines) != 1:
        return "expected exactly one line on stdout, got %d" % len(lines)
    out = json.loads(lines[0])
    if out.get("loss") != loss or not isinstance(out.get("backend"), str):
        return "expected loss %r and a backend in %s" % (loss, lines[0])
    expected = np.load(os.path.join(case_dir, "expected_loss.npy"))
    value = np.asarray(out["value"], dtype=np.float64)
    shape = tuple(out.get("shape", ()))
    if value.shape != expected.shape or shape != expected.shape:
        return "loss shape: expected %s, got value %s with \"shape\" %s" % (expected.shape, value.shape, shape)
    diff = np.abs(value - expected)
    bad = ~(diff <= LOSS_RTOL * np.abs(expected) + LOSS_ATOL)
    if bad.any():
        return "loss: expected %s within 1e-4 rel + 1e-6, got %s" % (expected.tolist(), value.tolist())
    grad_name = DIFFERENTIATED[loss]
    if set(out.get("grads", {})) != {grad_name}:
        return "grads: expected exactly {%r: path}, got %s" % (grad_name, out.get("grads"))
    grad = np.load(out["grads"][grad_name])
    ref = np.load(os.path.join(case_dir, "expected_grad_%s.npy" % grad_name))
    if grad.dtype != np.float32:
        return "gradient file: expected float32, got %s" % grad.dtype
    if grad.shape != np.load(os.path.join(case_dir, grad_name + ".npy")).shape:
        return "gradient shape: expected the input's %s, got %s" % (ref.shape, grad.shape)
    scale = float(np.abs(ref).max()) if ref.size else 0.0
    worst = float(np.abs(grad.astype(np.float64) - ref).max()) if ref.size else 0.0
    allowed = GRAD_RTOL * scale if scale > 0 else GRAD_ZERO_FLOOR
    if not worst <= allowed:
        return "gradient of %s: expected max abs error <= %.3g, got %.3g" % (grad_name, allowed, worst)
    return None


def main(argv):
    if len(argv) == 3 and argv[1] == "make":
        make(argv[2])
        return 0
    if len(argv) == 3 and argv[1] == "check":
        problem = check(argv[2])
        print("ok" if problem is None else problem)
        return 0 if problem is None else 1
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
