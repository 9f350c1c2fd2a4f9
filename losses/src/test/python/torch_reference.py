#!/usr/bin/python3
"""PyTorch reference (the oracle) for Tornagrad's loss parity tests.

Usage: /usr/bin/python3 torch_reference.py CASE_DIR [CASE_DIR ...]

Each CASE_DIR holds ``case.json`` = {"loss": NAME, "options": {...}} and one ``<name>.npy`` per
input. NAME is one of dice, bce-dice, iou, focal, active-contour, boundary, ccs; the option keys
are the snake_case keys of docs/loss-options.md (an absent key takes its default). Written into
CASE_DIR:
  expected_loss.npy          float64, the loss (0-d, or the reduction=none shape)
  expected_grad_<name>.npy   float64, d(loss.sum())/d(input) for each differentiated input
  error.txt                  one line, instead of the above, when the case raises
Outputs of an earlier run in CASE_DIR are removed first. Exit status 0 unless misused.

Everything is computed in float32 with PyTorch's own operations, written from
docs/loss-options.md and shared/LOSSES.md (section numbers below refer to LOSSES.md). With default
options each loss equals its seed snippet; check_reference.py verifies that.
"""
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

F32 = torch.float32
OUTPUT_PREFIXES = ("expected_loss", "expected_grad_")


# --------------------------------------------------------------------------------------------
# Options
# --------------------------------------------------------------------------------------------

class Options:
    """Typed access to a case's options; unknown keys are an error (they are likely typos)."""

    def __init__(self, raw, allowed):
        raw = {k: v for k, v in (raw or {}).items() if v is not None}
        unknown = sorted(set(raw) - set(allowed))
        if unknown:
            raise ValueError("unknown option(s) %s; allowed: %s" % (unknown, sorted(allowed)))
        self.raw = raw

    def boolean(self, key, default):
        v = self.raw.get(key, default)
        if isinstance(v, str) and v.lower() in ("true", "false"):
            return v.lower() == "true"
        if not isinstance(v, bool):
            raise ValueError("option %s must be a boolean, got %r" % (key, v))
        return v

    def number(self, key, default, lo=None, hi=None):
        v = self.raw.get(key, default)
        if isinstance(v, bool) or not isinstance(v, (int, float, str)):
            raise ValueError("option %s must be a number, got %r" % (key, v))
        v = float(v)
        if math.isnan(v) or (lo is not None and v < lo) or (hi is not None and v > hi):
            raise ValueError("option %s = %r is outside [%s, %s]" % (key, v, lo, hi))
        return v

    def integer(self, key, default, lo=None):
        v = self.raw.get(key, default)
        if v is None:
            return None
        f = self.number(key, v)
        if f != int(f):
            raise ValueError("option %s must be an integer, got %r" % (key, v))
        if lo is not None and f < lo:
            raise ValueError("option %s = %d must be >= %d" % (key, int(f), lo))
        return int(f)

    def choice(self, key, default, choices):
        v = self.raw.get(key, default)
        if v not in choices:
            raise ValueError("option %s must be one of %s, got %r" % (key, list(choices), v))
        return v

    def number_list(self, key):
        """A list option (JSON list, or the CLI's comma-separated string); None when absent."""
        v = self.raw.get(key)
        if v is None:
            return None
        if isinstance(v, str):
            v = v.split(",") if v.strip() else []
            if any(not s.strip() for s in v):   # as the Java Options: "1,,2" is no list of two
                raise ValueError("option %s has an empty element, got %r" % (key, self.raw.get(key)))
        if not isinstance(v, (list, tuple)) or not v:
            raise ValueError("option %s must be a non-empty list, got %r" % (key, v))
        return [float(s) for s in v]


REDUCTIONS = ("mean", "sum", "none")


def reduce_terms(terms, reduction):
    """reduction mean / sum / none over a tensor of equally weighted terms."""
    if reduction == "mean":
        return terms.mean()
    if reduction == "sum":
        return terms.sum()
    return terms


def to_f32(array, requires_grad=False):
    t = torch.from_numpy(np.ascontiguousarray(np.asarray(array, dtype=np.float32)))
    return t.requires_grad_(requires_grad)


def integral_labels(values, what):
    """Checks that a float64 array holds integers; returns it as int64."""
    values = np.asarray(values, dtype=np.float64)
    if not np.all(np.isfinite(values)) or np.any(values != np.floor(values)):
        raise ValueError("%s must be integral" % what)
    return values.astype(np.int64)


# --------------------------------------------------------------------------------------------
# Region losses: dice, iou, bce-dice, focal (loss-options.md "Region losses"; LOSSES.md 1-4)
# --------------------------------------------------------------------------------------------

REGION_COMMON = ("from_logits", "mode", "ignore_index", "include_background", "classes",
                 "class_weights", "per_image", "reduction")
SMOOTHING = ("smooth", "smooth_numerator", "smooth_denominator", "eps")
FOCAL = ("variant", "alpha", "gamma")


class Groups:
    """The groups of loss-options.md, laid out as (R, K, L) tensors.

    R indexes images (per_image) or is 1, K indexes classes (1 in binary mode), L the elements of
    a group. P are probabilities, T targets (ignored elements set to 0), M the 0/1 mask of
    non-ignored elements. ``kept`` are the class indices whose terms count (ascending) and
    ``weights`` the class weights (K,). ``out_shape`` tells how reduction=none is shaped.
    """

    def __init__(self, P, T, M, kept, weights, out_shape):
        self.P, self.T, self.M = P, T, M
        self.kept, self.weights, self.out_shape = kept, weights, out_shape
        self.n = M.sum(dim=2)          # (R, K) element count of each group
        self.nonempty = self.n > 0

    def sum(self, values):
        """Per-group sum over the non-ignored elements: (R, K, L) -> (R, K)."""
        return (values * self.M).sum(dim=2)

    def mean(self, values):
        """Per-group mean over the non-ignored elements; 0 for an empty group."""
        return self.sum(values) / self.n.clamp_min(1.0)

    def safe_denominator(self, den):
        """An empty group's term is dropped; give it denominator 1 so no NaN reaches autograd."""
        return torch.where(self.nonempty, den, torch.ones_like(den))


def build_groups(arrays, opts, leaves):
    """Probabilities, targets, ignore mask and class selection (loss-options.md table)."""
    mode = opts.choice("mode", "binary", ("binary", "multilabel", "multiclass"))
    from_logits = opts.boolean("from_logits", True)
    ignore_index = opts.integer("ignore_index", None)
    per_image = opts.boolean("per_image", False)
    include_background = opts.boolean("include_background", True)
    classes = opts.number_list("classes")
    class_weights = opts.number_list("class_weights")

    x = leaves["inputs"] = to_f32(arrays["inputs"], requires_grad=True)
    targets = np.asarray(arrays["targets"])
    if x.dim() < 1 or x.numel() == 0:
        raise ValueError("inputs must have at least one dimension and one element")
    if not from_logits:
        xv = x.detach()
        if bool(((xv < 0) | (xv > 1) | torch.isnan(xv)).any()):
            raise ValueError("from_logits=false: inputs must be probabilities in [0, 1]")

    if mode == "multiclass":
        if x.dim() < 2:
            raise ValueError("multiclass: inputs must be (N, C, *), got %s" % (tuple(x.shape),))
        n_img, n_cls = x.shape[0], x.shape[1]
        want = (n_img,) + tuple(x.shape[2:])
        if targets.shape != want:
            raise ValueError("multiclass: targets must have shape %s, got %s" % (want, targets.shape))
        labels = np.asarray(targets, dtype=np.float64)
        valid = np.ones(labels.shape, dtype=bool) if ignore_index is None else labels != ignore_index
        labels = integral_labels(np.where(valid, labels, 0.0), "multiclass targets")
        if np.any((labels < 0) | (labels >= n_cls)):
            raise ValueError("multiclass: target labels must lie in [0, %d]" % (n_cls - 1))
        p = torch.softmax(x, dim=1) if from_logits else x
        t = F.one_hot(torch.from_numpy(labels), n_cls).movedim(-1, 1).to(F32)
        m = torch.from_numpy(valid).unsqueeze(1).expand_as(t).to(F32)
    else:
        def without_ones(shape):
            return tuple(d for d in shape if d != 1)
        # binary flattens both, as the seed does: a mask may leave out (or add) dimensions of size 1
        fits = targets.shape == tuple(x.shape) or \
            (mode == "binary" and without_ones(targets.shape) == without_ones(tuple(x.shape)))
        if not fits:
            raise ValueError("targets shape %s differs from inputs shape %s"
                             % (targets.shape, tuple(x.shape)))
        t = to_f32(targets.reshape(tuple(x.shape)))
        valid = torch.ones_like(t, dtype=torch.bool) if ignore_index is None \
            else t != float(ignore_index)
        if bool(((t < 0) | (t > 1) | torch.isnan(t))[valid].any()):
            raise ValueError("targets must lie in [0, 1] (except ignore_index)")
        t = torch.where(valid, t, torch.zeros_like(t))
        m = valid.to(F32)
        p = torch.sigmoid(x) if from_logits else x
        if mode == "multilabel" and x.dim() < 2:
            raise ValueError("multilabel: inputs must be (N, C, *), got %s" % (tuple(x.shape),))
        n_img = x.shape[0]
        n_cls = x.shape[1] if mode == "multilabel" else 1

    if mode == "binary":
        if classes is not None or class_weights is not None or not include_background:
            raise ValueError("classes, class_weights and include_background=false need "
                             "mode multilabel or multiclass")
        rows = n_img if per_image else 1
        P, T, M = (v.reshape(rows, 1, -1) for v in (p, t, m))
        return Groups(P, T, M, [0], torch.ones(1), (n_img,) if per_image else ())

    # multilabel / multiclass: one group per class c over (N, *), or per (n, c) with per_image
    def layout(v):
        v = v.reshape(n_img, n_cls, -1)
        return v if per_image else v.transpose(0, 1).reshape(1, n_cls, -1)
    P, T, M = layout(p), layout(t), layout(m)

    kept = set(range(n_cls))
    if classes is not None:
        kept = set()
        for c in classes:
            if c != int(c) or not 0 <= c < n_cls:
                raise ValueError("classes: %r is not a class index in [0, %d]" % (c, n_cls - 1))
            kept.add(int(c))
    if not include_background:
        kept.discard(0)
    if not kept:
        raise ValueError("no class left to compute the loss on")
    kept = sorted(kept)
    if class_weights is None:
        weights = torch.ones(n_cls)
    else:
        if len(class_weights) != n_cls or any(not w >= 0 for w in class_weights):
            raise ValueError("class_weights must be %d numbers >= 0" % n_cls)
        weights = torch.tensor(class_weights, dtype=F32)
    out_shape = (n_img, len(kept)) if per_image else (len(kept),)
    return Groups(P, T, M, kept, weights, out_shape)


def reduce_region(terms, groups, reduction):
    """Weighted reduction of the (R, K) per-group terms (loss-options.md `reduction`).

    Empty groups and classes not kept are dropped; none gives w_k l_k (0 for an empty group).
    mean with no kept term (or kept weights summing to 0) is 0.
    """
    kept = torch.tensor(groups.kept)
    nonempty = groups.nonempty[:, kept]
    w = groups.weights[kept].unsqueeze(0)
    weighted = torch.where(nonempty, w * terms[:, kept], torch.zeros(()))
    if reduction == "none":
        return weighted.reshape(groups.out_shape)
    total = weighted.sum()
    if reduction == "sum":
        return total
    weight_sum = (w * nonempty).sum()
    if float(weight_sum) <= 0:
        return torch.zeros(())
    return total / weight_sum


def smoothing(opts):
    """smooth (default 1) sets both smooth_numerator and smooth_denominator; eps default 0."""
    smooth = opts.number("smooth", 1.0, lo=0.0)
    return (opts.number("smooth_numerator", smooth, lo=0.0),
            opts.number("smooth_denominator", smooth, lo=0.0),
            opts.number("eps", 0.0, lo=0.0))


def dice_terms(g, opts):
    """l = 1 - (2 I + smooth_numerator) / max(S + smooth_denominator, eps)  (LOSSES.md 1)."""
    sn, sd, eps = smoothing(opts)
    inter = g.sum(g.P * g.T)
    total = g.sum(g.P) + g.sum(g.T)
    den = g.safe_denominator((total + sd).clamp_min(eps))
    return 1 - (2.0 * inter + sn) / den


def iou_terms(g, opts):
    """l = 1 - (I + smooth_numerator) / max(U + smooth_denominator, eps), U = sum(p + t) - I
    (LOSSES.md 3)."""
    sn, sd, eps = smoothing(opts)
    inter = g.sum(g.P * g.T)
    union = g.sum(g.P + g.T) - inter
    den = g.safe_denominator((union + sd).clamp_min(eps))
    return 1 - (inter + sn) / den


def mean_bce(g):
    """(1/n_k) sum bce(p, t) with PyTorch's own binary_cross_entropy: the log clamp at -100 and
    the backward (p - t) / max(p (1 - p), 1e-12)."""
    return g.mean(F.binary_cross_entropy(g.P, g.T, reduction="none"))


def bce_dice_terms(g, opts):
    """l = mean BCE + dice term (LOSSES.md 2)."""
    return mean_bce(g) + dice_terms(g, opts)


def focal_terms(g, opts):
    """variant seed: alpha (1 - exp(-b))^gamma b, b = mean BCE (LOSSES.md 4);
    variant per-element (loss-options.md): mean of alpha_t (1 - p_t)^gamma bce(p, t), with
    PyTorch's own binary_cross_entropy, as torchvision's sigmoid_focal_loss writes it."""
    variant = opts.choice("variant", "seed", ("seed", "per-element"))
    alpha = opts.number("alpha", 0.8, lo=0.0, hi=1.0)
    gamma = opts.number("gamma", 2.0, lo=0.0)
    if variant == "seed":
        b = mean_bce(g)
        return alpha * (1 - torch.exp(-b)) ** gamma * b
    P, T = g.P, g.T
    p_t = P * T + (1 - P) * (1 - T)
    alpha_t = alpha * T + (1 - alpha) * (1 - T)
    bce = F.binary_cross_entropy(P, T, reduction="none")
    return g.mean(alpha_t * (1 - p_t) ** gamma * bce)


REGION_TERMS = {"dice": dice_terms, "iou": iou_terms, "bce-dice": bce_dice_terms,
                "focal": focal_terms}


def region_loss(name):
    """The loss function of one region loss: build the groups, compute the terms, reduce."""
    def compute(arrays, opts, leaves):
        reduction = opts.choice("reduction", "mean", REDUCTIONS)
        groups = build_groups(arrays, opts, leaves)
        terms = REGION_TERMS[name](groups, opts)
        return reduce_region(terms, groups, reduction)
    return compute


# --------------------------------------------------------------------------------------------
# Active contour (loss-options.md "active-contour"; LOSSES.md 5)
# --------------------------------------------------------------------------------------------

def active_contour_loss(arrays, opts, leaves):
    """weight * mean(sqrt(|dr + dc| + 1e-8)) + mean(y_pred (y_true - 1)^2)
    + mean((1 - y_pred) y_true^2), dr/dc the cropped squared finite differences."""
    weight = opts.number("weight", 10.0, lo=0.0)
    y_true = to_f32(arrays["y_true"])
    y_pred = leaves["y_pred"] = to_f32(arrays["y_pred"], requires_grad=True)
    # the seed slices dims 2 and 3 only: (B, C, H, W, ...) with trailing dimensions runs as well
    if y_pred.dim() < 4 or tuple(y_true.shape) != tuple(y_pred.shape):
        raise ValueError("y_true and y_pred must both be (B, C, H, W, ...), got %s and %s"
                         % (tuple(y_true.shape), tuple(y_pred.shape)))
    if y_pred.shape[2] < 3 or y_pred.shape[3] < 3:
        raise ValueError("active-contour needs H, W >= 3, got %s" % (tuple(y_pred.shape),))
    for name, t in (("y_pred", y_pred.detach()), ("y_true", y_true)):   # probabilities and a mask
        if not bool(((t >= 0) & (t <= 1)).all()):
            raise ValueError("active-contour %s must lie in [0, 1]" % name)
    dr = y_pred[:, :, 1:, :] - y_pred[:, :, :-1, :]
    dc = y_pred[:, :, :, 1:] - y_pred[:, :, :, :-1]
    dr = dr[:, :, 1:, :-2] ** 2
    dc = dc[:, :, :-2, 1:] ** 2
    length = torch.mean(torch.sqrt(torch.abs(dr + dc) + 1e-8))
    region_in = torch.mean(y_pred * (y_true - 1.0) ** 2)
    region_out = torch.mean((1 - y_pred) * y_true ** 2)
    return weight * length + (region_in + region_out)


# --------------------------------------------------------------------------------------------
# Boundary (loss-options.md "boundary"; LOSSES.md 6)
# --------------------------------------------------------------------------------------------

def boundary_loss(arrays, opts, leaves):
    """Per (n, c): 1 - BF1 of the softmax boundary map vs the one-hot label boundary map."""
    theta0 = opts.integer("theta0", 3, lo=1)
    theta = opts.integer("theta", 5, lo=1)
    if theta0 % 2 == 0 or theta % 2 == 0:
        raise ValueError("theta0 and theta must be odd")
    reduction = opts.choice("reduction", "mean", REDUCTIONS)
    pred = leaves["pred"] = to_f32(arrays["pred"], requires_grad=True)
    if pred.dim() != 4:
        raise ValueError("pred must be (N, C, H, W), got %s" % (tuple(pred.shape),))
    n, c, h, w = pred.shape

    gt = np.asarray(arrays["gt"], dtype=np.float64)
    if gt.ndim == 4 and gt.shape[1] == 1:      # the seed's squeeze, meant for the channel only
        gt = gt[:, 0]
    if gt.ndim != 3:
        raise ValueError("gt must be (N, H, W) or (N, 1, H, W), got %s" % (gt.shape,))
    ht, wt = gt.shape[1], gt.shape[2]
    off_w, off_h = (wt - w) // 2, (ht - h) // 2     # the seed's central crop
    if off_w > 0 and off_h > 0:
        gt = gt[:, off_h:ht - off_h, off_w:wt - off_w]
    if gt.shape != (n, h, w):
        raise ValueError("gt of shape %s cannot be cropped to %s"
                         % (np.asarray(arrays["gt"]).shape, (n, h, w)))
    labels = np.clip(integral_labels(gt, "gt labels"), 0, c - 1)
    one_hot = F.one_hot(torch.from_numpy(labels), c).movedim(-1, 1).to(F32)

    def pool(t, k):
        return F.max_pool2d(t, kernel_size=k, stride=1, padding=(k - 1) // 2)

    p = torch.softmax(pred, dim=1)
    gt_b = pool(1 - one_hot, theta0) - (1 - one_hot)
    pred_b = pool(1 - p, theta0) - (1 - p)
    gt_b_ext = pool(gt_b, theta)
    pred_b_ext = pool(pred_b, theta)
    gt_b, pred_b, gt_b_ext, pred_b_ext = (v.reshape(n, c, -1)
                                          for v in (gt_b, pred_b, gt_b_ext, pred_b_ext))
    precision = torch.sum(pred_b * gt_b_ext, dim=2) / (torch.sum(pred_b, dim=2) + 1e-7)
    recall = torch.sum(pred_b_ext * gt_b, dim=2) / (torch.sum(gt_b, dim=2) + 1e-7)
    bf1 = 2 * precision * recall / (precision + recall + 1e-7)
    return reduce_terms(1 - bf1, reduction)


# --------------------------------------------------------------------------------------------
# CCS (loss-options.md "ccs"; LOSSES.md 7)
# --------------------------------------------------------------------------------------------

def box_iou(boxes, others):
    """IoU of every box with every other box (x1, y1, x2, y2), union clamped at 1e-8."""
    area_b = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    area_o = (others[:, 2] - others[:, 0]) * (others[:, 3] - others[:, 1])
    ix1 = torch.max(boxes[:, 0].unsqueeze(1), others[:, 0])
    iy1 = torch.max(boxes[:, 1].unsqueeze(1), others[:, 1])
    ix2 = torch.min(boxes[:, 2].unsqueeze(1), others[:, 2])
    iy2 = torch.min(boxes[:, 3].unsqueeze(1), others[:, 3])
    inter = torch.clamp(ix2 - ix1, min=0) * torch.clamp(iy2 - iy1, min=0)
    union = torch.clamp(area_b.unsqueeze(1) + area_o - inter, min=1e-8)
    return inter / union


def ccs_loss(arrays, opts, leaves):
    """Per image: the mean over the anchors whose best IoU is > iou_object of
    (-cos(embedding, weights[:, label]) [* IoU with soft] + 1) / 2; 0 for an image without
    annotation or without selected anchor. Then reduced over the images."""
    soft = opts.boolean("soft", False)
    iou_object = opts.number("iou_object", 0.5, lo=0.0, hi=1.0)
    if "iou_background" in opts.raw:  # checked when given (default 0.4); it selects no term
        opts.number("iou_background", 0.4, lo=0.0, hi=iou_object)
    reduction = opts.choice("reduction", "mean", REDUCTIONS)
    anchors = to_f32(arrays["anchors"])
    embeddings = leaves["embeddings"] = to_f32(arrays["embeddings"], requires_grad=True)
    weights = to_f32(arrays["weights"])          # detached: no gradient flows into them
    annotations = np.asarray(arrays["annotations"], dtype=np.float32)
    b = anchors.shape[0] if anchors.dim() == 3 else -1
    if (anchors.dim() != 3 or anchors.shape[2] != 4 or embeddings.dim() != 3
            or tuple(embeddings.shape[:2]) != tuple(anchors.shape[:2]) or weights.dim() != 2
            or weights.shape[0] != embeddings.shape[2] or annotations.ndim != 3
            or annotations.shape[0] != b or annotations.shape[2] != 5):
        raise ValueError("ccs shapes: anchors (B, A, 4), embeddings (B, A, E), weights (E, K), "
                         "annotations (B, M, 5); got %s %s %s %s"
                         % (tuple(anchors.shape), tuple(embeddings.shape),
                            tuple(weights.shape), annotations.shape))
    n_cls = weights.shape[1]
    losses = []
    for i in range(b):
        ann = annotations[i][annotations[i][:, 4] != -1]
        if ann.shape[0] == 0:
            losses.append(torch.zeros(()))
            continue
        labels = integral_labels(ann[:, 4], "annotation labels")
        if np.any((labels < 0) | (labels >= n_cls)):
            raise ValueError("annotation labels must lie in [0, %d] or be -1" % (n_cls - 1))
        iou = box_iou(anchors[i], torch.from_numpy(ann[:, :4]))
        best = torch.from_numpy(np.argmax(iou.numpy(), axis=1))   # ties: first annotation
        best_iou = iou[torch.arange(iou.shape[0]), best]
        selected = best_iou > iou_object
        if not bool(selected.any()):
            losses.append(torch.zeros(()))
            continue
        e = embeddings[i][selected]                                       # (S, E)
        w = weights[:, torch.from_numpy(labels)[best[selected]]].t()      # (S, E)
        loss = -(e * w).sum(dim=1)
        loss = loss / e.norm(dim=1)
        loss = loss / w.norm(dim=1)
        if soft:
            loss = loss * best_iou[selected]
        losses.append(((loss + 1) / 2).mean())
    return reduce_terms(torch.stack(losses), reduction)


# --------------------------------------------------------------------------------------------
# Cases
# --------------------------------------------------------------------------------------------

LOSSES = {
    # name: (loss function, input names, differentiated inputs, allowed option keys)
    "dice": (region_loss("dice"), ("inputs", "targets"), ("inputs",), REGION_COMMON + SMOOTHING),
    "iou": (region_loss("iou"), ("inputs", "targets"), ("inputs",), REGION_COMMON + SMOOTHING),
    "bce-dice": (region_loss("bce-dice"), ("inputs", "targets"), ("inputs",),
                 REGION_COMMON + SMOOTHING),
    "focal": (region_loss("focal"), ("inputs", "targets"), ("inputs",), REGION_COMMON + FOCAL),
    "active-contour": (active_contour_loss, ("y_true", "y_pred"), ("y_pred",), ("weight",)),
    "boundary": (boundary_loss, ("pred", "gt"), ("pred",), ("theta0", "theta", "reduction")),
    "ccs": (ccs_loss, ("anchors", "embeddings", "weights", "annotations"), ("embeddings",),
            ("soft", "iou_object", "iou_background", "reduction")),
}


def clear_outputs(case_dir, keep_error=False):
    """Removes expected_*.npy (and error.txt unless keep_error) left by an earlier run."""
    for f in os.listdir(case_dir):
        if (f == "error.txt" and not keep_error) or (
                f.startswith(OUTPUT_PREFIXES) and f.endswith(".npy")):
            os.remove(os.path.join(case_dir, f))


def run_case(case_dir):
    """Computes one case and writes its expected_*.npy files."""
    with open(os.path.join(case_dir, "case.json")) as fh:
        case = json.load(fh)
    name = case.get("loss")
    if name not in LOSSES:
        raise ValueError("unknown loss %r; expected one of %s" % (name, sorted(LOSSES)))
    fn, input_names, grad_names, allowed = LOSSES[name]
    opts = Options(case.get("options"), allowed)
    arrays = {}
    for nm in input_names:
        path = os.path.join(case_dir, nm + ".npy")
        if not os.path.exists(path):
            raise ValueError("missing input %s.npy" % nm)
        arrays[nm] = np.load(path, allow_pickle=False)
    leaves = {}
    loss = fn(arrays, opts, leaves)
    if loss.requires_grad:
        loss.sum().backward()
    np.save(os.path.join(case_dir, "expected_loss.npy"),
            loss.detach().to(torch.float64).numpy())
    for nm in grad_names:
        leaf = leaves[nm]
        grad = leaf.grad if leaf.grad is not None else torch.zeros_like(leaf)
        np.save(os.path.join(case_dir, "expected_grad_%s.npy" % nm),
                grad.to(torch.float64).numpy())


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        sys.stderr.write("usage: %s CASE_DIR [CASE_DIR ...]\n" % argv[0])
        return 2
    torch.set_num_threads(1)     # reproducible summation order
    status = 0
    for case_dir in argv[1:]:
        if not os.path.isdir(case_dir):
            sys.stderr.write("%s: not a directory\n" % case_dir)
            status = 2
            continue
        clear_outputs(case_dir)
        try:
            run_case(case_dir)
        except Exception as exc:  # the case's error is the expected result
            message = " ".join(("%s: %s" % (type(exc).__name__, exc)).split())
            with open(os.path.join(case_dir, "error.txt"), "w") as fh:
                fh.write(message + "\n")
            clear_outputs(case_dir, keep_error=True)   # no partial results
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
