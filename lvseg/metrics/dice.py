"""Dice, the one definition every stage uses.

Per frame: 2|P n T| / (|P| + |T|). Pooled (the official EchoNet figure): 2 sum|P n T| / (sum|P| + sum|T|)
over all pixels of all frames. When both masks are empty the frame agrees perfectly and scores 1.0;
when exactly one is empty it scores 0.0. The same convention holds for the pooled figure.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lvseg.metrics.bootstrap import percentile_ci, resample_indices


@dataclass(frozen=True)
class Overlap:
    """Pixel counts of one frame's prediction against its truth; Dice is computed from these."""

    intersection: int
    predicted: int
    true: int

    @property
    def dice(self) -> float:
        return _ratio(self.intersection, self.predicted + self.true)


def _ratio(intersection: float, total: float) -> float:
    return 1.0 if total == 0 else float(2.0 * intersection / total)


def overlap(pred: np.ndarray, true: np.ndarray) -> Overlap:
    """Counts for binary masks (any dtype; nonzero means LV)."""
    pred, true = np.asarray(pred) != 0, np.asarray(true) != 0
    if pred.shape != true.shape:
        raise ValueError(f"mask shapes differ: {pred.shape} vs {true.shape}")
    return Overlap(int(np.count_nonzero(pred & true)), int(np.count_nonzero(pred)), int(np.count_nonzero(true)))


def dice(pred: np.ndarray, true: np.ndarray) -> float:
    """Dice of one frame."""
    return overlap(pred, true).dice


def pooled_dice(overlaps: list[Overlap] | np.ndarray) -> float:
    """Dice pooled over all pixels of all frames, from Overlaps or an (N, 3) array of counts."""
    counts = _as_counts(overlaps)
    return _ratio(counts[:, 0].sum(), counts[:, 1].sum() + counts[:, 2].sum())


def _as_counts(overlaps: list[Overlap] | np.ndarray) -> np.ndarray:
    if isinstance(overlaps, np.ndarray):
        return overlaps.reshape(-1, 3).astype(np.float64)
    return np.array([[o.intersection, o.predicted, o.true] for o in overlaps], dtype=np.float64).reshape(-1, 3)


def bootstrap_ci(overlaps: list[Overlap] | np.ndarray, samples: int = 1000, seed: int = 0,
                 level: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap CI of the pooled Dice, resampling frames with replacement (seeded)."""
    counts = _as_counts(overlaps)
    if len(counts) == 0:
        return (float("nan"), float("nan"))
    idx = resample_indices(len(counts), samples, seed)
    inter = counts[idx, 0].sum(axis=1)
    total = counts[idx, 1].sum(axis=1) + counts[idx, 2].sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        values = np.where(total == 0, 1.0, 2.0 * inter / np.where(total == 0, 1, total))
    return percentile_ci(values, level)
