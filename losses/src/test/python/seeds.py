#!/usr/bin/python3
"""The seed snippets of shared/seeds, runnable in PyTorch 1.13: the one copy that both
check_reference.py (the oracle torch_reference.py against the seeds) and the benchmark's
bench/python/time_torch.py (PyTorch's timings) import.

Pasted from the seeds with only what running them needs: active contour's C_in typo is c_in (the
intent, as in LOSSES.md), F.sigmoid is torch.sigmoid, and torchsight's metrics.iou and
Anchors.assign (which seed 001 imports) are written out as torchsight computes them.
"""
import torch
import torch.nn.functional as F
from torch import nn


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


# name: (callable, input names in Tornagrad's order, the differentiated input), default options.
LOSSES = {
    "dice": (DiceLoss(), ("inputs", "targets"), "inputs"),
    "bce-dice": (DiceBCELoss(), ("inputs", "targets"), "inputs"),
    "iou": (IoULoss(), ("inputs", "targets"), "inputs"),
    "focal": (FocalLoss(), ("inputs", "targets"), "inputs"),
    "active-contour": (active_contour_loss, ("y_true", "y_pred"), "y_pred"),
    "boundary": (BoundaryLoss(), ("pred", "gt"), "pred"),
    "ccs": (CCSLoss(), ("anchors", "embeddings", "weights", "annotations"), "embeddings"),
}
