#!/usr/bin/python3
"""Dev tool, run by hand: torch_reference.py against the seed snippets run directly.

    /usr/bin/python3 check_reference.py

Random inputs (saturated logits |x| up to 200 included), default options plus a few options the
seeds themselves take; prints the max absolute difference of loss and gradient per case.
The seed code below is pasted from shared/seeds (C_in -> c_in fixed; torchsight's Anchors.assign
and iou inlined), modernized only where PyTorch 1.13 requires it (F.sigmoid -> torch.sigmoid).
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))


# ---- seed 000 ------------------------------------------------------------------------------
class DiceLoss(nn.Module):
    def forward(self, inputs, targets, smooth=1):
        inputs = torch.sigmoid(inputs)
        inputs = inputs.view(-1)
        targets = targets.view(-1)
        intersection = (inputs * targets).sum()
        dice = (2. * intersection + smooth) / (inputs.sum() + targets.sum() + smooth)
        return 1 - dice


class DiceBCELoss(nn.Module):
    def forward(self, inputs, targets, smooth=1):
        inputs = torch.sigmoid(inputs)
        inputs = inputs.view(-1)
        targets = targets.view(-1)
        intersection = (inputs * targets).sum()
        dice_loss = 1 - (2. * intersection + smooth) / (inputs.sum() + targets.sum() + smooth)
        BCE = F.binary_cross_entropy(inputs, targets, reduction='mean')
        return BCE + dice_loss


class IoULoss(nn.Module):
    def forward(self, inputs, targets, smooth=1):
        inputs = torch.sigmoid(inputs)
        inputs = inputs.view(-1)
        targets = targets.view(-1)
        intersection = (inputs * targets).sum()
        total = (inputs + targets).sum()
        union = total - intersection
        IoU = (intersection + smooth) / (union + smooth)
        return 1 - IoU


class FocalLoss(nn.Module):
    def forward(self, inputs, targets, alpha=0.8, gamma=2, smooth=1):
        inputs = torch.sigmoid(inputs)
        inputs = inputs.view(-1)
        targets = targets.view(-1)
        BCE = F.binary_cross_entropy(inputs, targets, reduction='mean')
        BCE_EXP = torch.exp(-BCE)
        return alpha * (1 - BCE_EXP) ** gamma * BCE


def active_contour_loss(y_true, y_pred, weight=10):
    delta_r = y_pred[:, :, 1:, :] - y_pred[:, :, :-1, :]
    delta_c = y_pred[:, :, :, 1:] - y_pred[:, :, :, :-1]
    delta_r = delta_r[:, :, 1:, :-2] ** 2
    delta_c = delta_c[:, :, :-2, 1:] ** 2
    delta_pred = torch.abs(delta_r + delta_c)
    epsilon = 1e-8
    lenth = torch.mean(torch.sqrt(delta_pred + epsilon))
    c_in = torch.ones_like(y_pred)
    c_out = torch.zeros_like(y_pred)
    region_in = torch.mean(y_pred * (y_true - c_in) ** 2)
    region_out = torch.mean((1 - y_pred) * (y_true - c_out) ** 2)
    region = region_in + region_out
    return weight * lenth + region


class BoundaryLoss(nn.Module):
    def __init__(self, theta0=3, theta=5):
        super().__init__()
        self.theta0 = theta0
        self.theta = theta

    def crop(self, w, h, target):
        nt, ht, wt = target.size()
        offset_w, offset_h = (wt - w) // 2, (ht - h) // 2
        if offset_w > 0 and offset_h > 0:
            target = target[:, offset_h:-offset_h, offset_w:-offset_w]
        return target

    def to_one_hot(self, target, size):
        n, c, h, w = size
        ymask = torch.FloatTensor(size).zero_()
        new_target = torch.LongTensor(n, 1, h, w)
        new_target[:, 0, :, :] = torch.clamp(target.detach(), 0, c - 1)
        ymask.scatter_(1, new_target, 1.0)
        return torch.autograd.Variable(ymask)

    def forward(self, pred, gt):
        gt = torch.squeeze(gt)
        n, c, h, w = pred.shape
        log_p = F.log_softmax(pred, dim=1)
        pred = torch.softmax(pred, dim=1)
        gt = self.crop(w, h, gt)
        one_hot_gt = self.to_one_hot(gt, log_p.size())
        gt_b = F.max_pool2d(1 - one_hot_gt, kernel_size=self.theta0, stride=1,
                            padding=(self.theta0 - 1) // 2)
        gt_b -= 1 - one_hot_gt
        pred_b = F.max_pool2d(1 - pred, kernel_size=self.theta0, stride=1,
                              padding=(self.theta0 - 1) // 2)
        pred_b -= 1 - pred
        gt_b_ext = F.max_pool2d(gt_b, kernel_size=self.theta, stride=1,
                                padding=(self.theta - 1) // 2)
        pred_b_ext = F.max_pool2d(pred_b, kernel_size=self.theta, stride=1,
                                  padding=(self.theta - 1) // 2)
        gt_b = gt_b.view(n, c, -1)
        pred_b = pred_b.view(n, c, -1)
        gt_b_ext = gt_b_ext.view(n, c, -1)
        pred_b_ext = pred_b_ext.view(n, c, -1)
        P = torch.sum(pred_b * gt_b_ext, dim=2) / (torch.sum(pred_b, dim=2) + 1e-7)
        R = torch.sum(pred_b_ext * gt_b, dim=2) / (torch.sum(gt_b, dim=2) + 1e-7)
        BF1 = 2 * P * R / (P + R + 1e-7)
        return torch.mean(1 - BF1)


# ---- seed 001 (torchsight CCSLoss, with metrics.iou and Anchors.assign) ----------------------
def compute_iou(boxes, others):
    boxes_areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    others_areas = (others[:, 2] - others[:, 0]) * (others[:, 3] - others[:, 1])
    intersection_x1 = torch.max(boxes[:, 0].unsqueeze(dim=1), others[:, 0])
    intersection_y1 = torch.max(boxes[:, 1].unsqueeze(dim=1), others[:, 1])
    intersection_x2 = torch.min(boxes[:, 2].unsqueeze(dim=1), others[:, 2])
    intersection_y2 = torch.min(boxes[:, 3].unsqueeze(dim=1), others[:, 3])
    intersection_width = torch.clamp(intersection_x2 - intersection_x1, min=0)
    intersection_height = torch.clamp(intersection_y2 - intersection_y1, min=0)
    intersection_area = intersection_width * intersection_height
    union_area = torch.unsqueeze(boxes_areas, dim=1) + others_areas - intersection_area
    union_area = torch.clamp(union_area, min=1e-8)
    return intersection_area / union_area


def assign(anchors, annotations, thresholds):
    iou = compute_iou(anchors, annotations)
    iou_max, iou_argmax = iou.max(dim=1)
    assigned_annotations = annotations[iou_argmax, :]
    objects_mask = iou_max > thresholds['object']
    iou_objects = iou_max[objects_mask]
    background_mask = iou_max < thresholds['background']
    return assigned_annotations, objects_mask, background_mask, iou_objects


class CCSLoss(nn.Module):
    def __init__(self, iou_thresholds=None, soft=False):
        super().__init__()
        self.iou_thresholds = iou_thresholds or {'background': 0.4, 'object': 0.5}
        self.soft = soft

    def forward(self, anchors, embeddings, weights, annotations):
        original_weights = weights.detach()
        losses = []
        for i, anchors_i in enumerate(anchors):
            emb = embeddings[i]
            ann = annotations[i]
            w = original_weights.clone()
            ann = ann[ann[:, -1] != -1]
            if ann.shape[0] == 0:
                losses.append(emb.new_zeros(1).mean())
                continue
            assigned, selected, _, iou = assign(anchors_i, ann, self.iou_thresholds)
            if selected.sum() == 0:
                losses.append(emb.new_zeros(1).mean())
                continue
            emb = emb[selected]
            w = w[:, assigned[selected, -1].long()]
            emb = emb.unsqueeze(dim=1)
            w = w.t().unsqueeze(dim=2)
            loss = -1 * torch.matmul(emb, w).view(-1)
            loss /= emb.squeeze(dim=1).norm(dim=1)
            loss /= w.squeeze(dim=2).norm(dim=1)
            if self.soft:
                loss *= iou
            loss = (loss + 1) / 2
            losses.append(loss.mean())
        return torch.stack(losses).mean()


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
    for k in range(3):
        shape = (2, 1, 5, 6) if k < 2 else (3, 7)
        x = logits(rng, shape)
        t = (rng.random(shape) < 0.4).astype(np.float32) if k != 1 else \
            rng.random(shape).astype(np.float32)                 # soft labels
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
    for k, shape in enumerate([(2, 3, 6, 7), (1, 1, 3, 3), (2, 2, 4, 9)]):
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
