"""The seeded percentile bootstrap every reported CI uses (Dice over frames, EF agreement over videos)."""

from __future__ import annotations

import numpy as np


def resample_indices(n: int, samples: int, seed: int) -> np.ndarray:
    """(samples, n) indices drawn with replacement from range(n), the same for the same seed."""
    return np.random.default_rng(seed).integers(0, n, size=(samples, n))


def percentile_ci(values: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """The central ``level`` interval of bootstrap ``values`` (NaN resamples ignored)."""
    alpha = 100.0 * (1.0 - level) / 2.0
    low, high = np.nanpercentile(values, [alpha, 100.0 - alpha])
    return float(low), float(high)
