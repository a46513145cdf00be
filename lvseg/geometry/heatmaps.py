"""Gaussian landmark heatmaps, and their inverse with sub-pixel precision.

One channel per landmark, value exp(-d^2 / 2 sigma^2) with peak 1 at the landmark (the study used
sigma = 5 px). Heatmaps are stored as uint8 (value * 255) in the records; decoding works on either.
"""

from __future__ import annotations

import numpy as np

from lvseg.frame import FRAME_SHAPE

DEFAULT_SIGMA = 5.0
HEATMAP_SCALE = 255.0  # stored uint8 value = round(HEATMAP_SCALE * v): training targets are stored / HEATMAP_SCALE


def render_heatmaps(points: np.ndarray, shape: tuple[int, int] = FRAME_SHAPE,
                    sigma: float = DEFAULT_SIGMA) -> np.ndarray:
    """(H, W, K) float32 heatmaps for (K, 2) points given as (x, y)."""
    points = np.asarray(points, dtype=np.float64)
    rows = np.arange(shape[0], dtype=np.float64)[:, None, None]
    cols = np.arange(shape[1], dtype=np.float64)[None, :, None]
    d2 = (cols - points[:, 0]) ** 2 + (rows - points[:, 1]) ** 2
    return np.exp(-d2 / (2.0 * sigma**2)).astype(np.float32)


def quantize_heatmaps(heatmaps: np.ndarray) -> np.ndarray:
    """Float heatmaps in [0, 1] to the uint8 storage form."""
    return np.rint(np.clip(heatmaps, 0.0, 1.0) * HEATMAP_SCALE).astype(np.uint8)


def _parabola_offset(left: float, centre: float, right: float) -> float:
    """Vertex offset of a parabola through log-values at -1, 0, +1: exact for a Gaussian peak."""
    left, centre, right = (np.log(max(v, 1e-6)) for v in (left, centre, right))
    denom = left - 2.0 * centre + right
    if denom >= 0:  # flat or not a maximum: keep the integer peak
        return 0.0
    return float(np.clip(0.5 * (left - right) / denom, -0.5, 0.5))


def decode_heatmaps(heatmaps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(H, W, K) heatmaps -> ((K, 2) float (x, y) points, (K,) confidences in [0, 1]).

    The integer argmax is refined by a log-parabola fit along each axis, which recovers the centre
    of a Gaussian exactly; the confidence is the peak value (uint8 input is rescaled to [0, 1]).
    """
    hm = np.asarray(heatmaps, dtype=np.float64)
    if heatmaps.dtype == np.uint8:
        hm = hm / HEATMAP_SCALE
    h, w, k = hm.shape
    points = np.zeros((k, 2))
    confidence = np.zeros(k)
    for c in range(k):
        channel = hm[:, :, c]
        r, col = np.unravel_index(int(np.argmax(channel)), (h, w))
        peak = channel[r, col]
        dx = _parabola_offset(channel[r, col - 1], peak, channel[r, col + 1]) if 0 < col < w - 1 else 0.0
        dy = _parabola_offset(channel[r - 1, col], peak, channel[r + 1, col]) if 0 < r < h - 1 else 0.0
        points[c] = (col + dx, r + dy)
        confidence[c] = float(np.clip(peak, 0.0, 1.0))
    return points, confidence
