#!/usr/bin/python3
"""The seven losses as their PyTorch seed snippets (shared/seeds), for timing against Tornagrad.

Written from the snippets as they are, with only what is needed to run them: active contour's
C_in typo is c_in (the intent, as in LOSSES.md), the boundary loss's one-hot takes long labels
directly, and CCS's Anchors.assign is written out as torchsight computes it (box IoU with the
union clamped at 1e-8, each anchor's best annotation, selected when the IoU is > 0.5).
"""
import torch
import torch.nn.functional as F


def dice(inputs, targets, smooth=1):
    inputs = torch.sigmoid(inputs)
    inputs = inputs.view(-1)
    targets = targets.view(-1)
    intersection = (inputs * targets).sum()
    dice = (2. * intersection + smooth) / (inputs.sum() + targets.sum() + smooth)
    return 1 - dice


def bce_dice(inputs, targets, smooth=1):
    inputs = torch.sigmoid(inputs)
    inputs = inputs.view(-1)
    targets = targets.view(-1)
    intersection = (inputs * targets).sum()
    dice_loss = 1 - (2. * intersection + smooth) / (inputs.sum() + targets.sum() + smooth)
    bce = F.binary_cross_entropy(inputs, targets, reduction='mean')
    return bce + dice_loss


def iou(inputs, targets, smooth=1):
    inputs = torch.sigmoid(inputs)
    inputs = inputs.view(-1)
    targets = targets.view(-1)
    intersection = (inputs * targets).sum()
    total = (inputs + targets).sum()
    union = total - intersection
    return 1 - (intersection + smooth) / (union + smooth)


def focal(inputs, targets, alpha=0.8, gamma=2, smooth=1):
    inputs = torch.sigmoid(inputs)
    inputs = inputs.view(-1)
    targets = targets.view(-1)
    bce = F.binary_cross_entropy(inputs, targets, reduction='mean')
    bce_exp = torch.exp(-bce)
    return alpha * (1 - bce_exp) ** gamma * bce


def active_contour(y_true, y_pred, weight=10):
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
    return weight * lenth + region_in + region_out


def boundary(pred, gt, theta0=3, theta=5):
    gt = torch.squeeze(gt)
    n, c, h, w = pred.shape
    log_p = F.log_softmax(pred, dim=1)
    pred = torch.softmax(pred, dim=1)
    nt, ht, wt = gt.size()
    offset_w, offset_h = (wt - w) // 2, (ht - h) // 2
    if offset_w > 0 and offset_h > 0:
        gt = gt[:, offset_h:-offset_h, offset_w:-offset_w]
    one_hot_gt = torch.zeros(log_p.size())
    one_hot_gt.scatter_(1, torch.clamp(gt.detach(), 0, c - 1).long().unsqueeze(1), 1.0)
    gt_b = F.max_pool2d(1 - one_hot_gt, kernel_size=theta0, stride=1, padding=(theta0 - 1) // 2)
    gt_b -= 1 - one_hot_gt
    pred_b = F.max_pool2d(1 - pred, kernel_size=theta0, stride=1, padding=(theta0 - 1) // 2)
    pred_b -= 1 - pred
    gt_b_ext = F.max_pool2d(gt_b, kernel_size=theta, stride=1, padding=(theta - 1) // 2)
    pred_b_ext = F.max_pool2d(pred_b, kernel_size=theta, stride=1, padding=(theta - 1) // 2)
    gt_b = gt_b.view(n, c, -1)
    pred_b = pred_b.view(n, c, -1)
    gt_b_ext = gt_b_ext.view(n, c, -1)
    pred_b_ext = pred_b_ext.view(n, c, -1)
    p = torch.sum(pred_b * gt_b_ext, dim=2) / (torch.sum(pred_b, dim=2) + 1e-7)
    r = torch.sum(pred_b_ext * gt_b, dim=2) / (torch.sum(gt_b, dim=2) + 1e-7)
    bf1 = 2 * p * r / (p + r + 1e-7)
    return torch.mean(1 - bf1)


def _box_iou(boxes, others):
    area_b = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    area_o = (others[:, 2] - others[:, 0]) * (others[:, 3] - others[:, 1])
    ix1 = torch.max(boxes[:, 0].unsqueeze(1), others[:, 0])
    iy1 = torch.max(boxes[:, 1].unsqueeze(1), others[:, 1])
    ix2 = torch.min(boxes[:, 2].unsqueeze(1), others[:, 2])
    iy2 = torch.min(boxes[:, 3].unsqueeze(1), others[:, 3])
    inter = torch.clamp(ix2 - ix1, min=0) * torch.clamp(iy2 - iy1, min=0)
    union = torch.clamp(area_b.unsqueeze(1) + area_o - inter, min=1e-8)
    return inter / union


def ccs(anchors, embeddings, weights, annotations, iou_object=0.5, soft=False):
    original_weights = weights.detach()
    batch_embeddings = embeddings
    losses = []
    for i, anchors_i in enumerate(anchors):
        embeddings_i = batch_embeddings[i]
        annotations_i = annotations[i]
        w = original_weights.clone()
        annotations_i = annotations_i[annotations_i[:, -1] != -1]
        if annotations_i.shape[0] == 0:
            losses.append(embeddings_i.new_zeros(1).mean())
            continue
        iou_all = _box_iou(anchors_i, annotations_i[:, :4])
        iou_max, argmax = iou_all.max(dim=1)
        assigned = annotations_i[argmax]
        selected = iou_max > iou_object
        if selected.sum() == 0:
            losses.append(embeddings_i.new_zeros(1).mean())
            continue
        e = embeddings_i[selected]
        w = w[:, assigned[selected, -1].long()]
        e = e.unsqueeze(dim=1)
        w = w.t().unsqueeze(dim=2)
        loss = -1 * torch.matmul(e, w).view(-1)
        loss /= e.squeeze(dim=1).norm(dim=1)
        loss /= w.squeeze(dim=2).norm(dim=1)
        if soft:
            loss *= iou_max[selected]
        loss = (loss + 1) / 2
        losses.append(loss.mean())
    return torch.stack(losses).mean()


# name: (function, input names in the Java order, differentiated input)
LOSSES = {
    "dice": (dice, ("inputs", "targets"), "inputs"),
    "bce-dice": (bce_dice, ("inputs", "targets"), "inputs"),
    "iou": (iou, ("inputs", "targets"), "inputs"),
    "focal": (focal, ("inputs", "targets"), "inputs"),
    "active-contour": (active_contour, ("y_true", "y_pred"), "y_pred"),
    "boundary": (boundary, ("pred", "gt"), "pred"),
    "ccs": (ccs, ("anchors", "embeddings", "weights", "annotations"), "embeddings"),
}
