"""From a model's raw output to a mask: the one rule shared by export, evaluation and analysis.

Mask models output one sigmoid channel: LV where probability > 0.5 (no shape step: the waist cut of
lvseg.geometry.waist was measured as one and left out, see there; ``waist:M`` specs apply it on request,
lvseg.inference.waist_cut). Landmark models output one
heatmap per landmark: peaks are decoded with sub-pixel precision and a closed spline through them is
filled. A landmark prediction fails (empty mask, ``ok`` False) when any peak is below
``min_confidence``: a missing landmark cannot be guessed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lvseg.geometry.heatmaps import decode_heatmaps
from lvseg.geometry.spline import mask_from_landmarks

MODEL_KINDS = ("mask", "landmarks")
MASK_THRESHOLD = 0.5
MIN_LANDMARK_CONFIDENCE = 0.1


@dataclass(frozen=True)
class Segmentation:
    mask: np.ndarray                      # uint8 (H, W) 0/1
    landmarks: np.ndarray | None = None   # (K, 2) (x, y), landmark models only
    confidence: np.ndarray | None = None  # (K,), landmark models only
    ok: bool = True


def threshold_mask(probability: np.ndarray) -> np.ndarray:
    """uint8 0/1: LV where the mask model's probability exceeds MASK_THRESHOLD."""
    return (np.asarray(probability) > MASK_THRESHOLD).astype(np.uint8)


def segment(kind: str, output: np.ndarray, min_confidence: float = MIN_LANDMARK_CONFIDENCE) -> Segmentation:
    """One frame's output (H, W, C) float in [0, 1] -> Segmentation. ``kind`` is 'mask' or 'landmarks'."""
    output = np.asarray(output, dtype=np.float32)
    if output.ndim == 2:
        output = output[:, :, None]
    if kind == "mask":
        return Segmentation(threshold_mask(output[:, :, 0]))
    if kind != "landmarks":
        raise ValueError(f"unknown model kind {kind!r}")
    points, confidence = decode_heatmaps(output)
    if confidence.min() < min_confidence:
        return Segmentation(np.zeros(output.shape[:2], np.uint8), points, confidence, ok=False)
    return Segmentation(mask_from_landmarks(points, output.shape[:2]), points, confidence)
