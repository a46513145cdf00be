"""Size bias of a predicted LV: the area ratio and the leak beyond the base, the one definition every stage uses.

Dice hides a mask that is systematically too large (a mask 15 % too big still scores about 0.93); the
ejection fraction does not, because it is a ratio of two such areas. Two per-frame numbers make the bias
visible:

  area ratio  |P| / |T|: 1.0 is unbiased, above 1 too large. None when the true mask is empty.
  base leak   |P n B n not T| / |T|, B the half-plane beyond the true base line (lvseg.geometry.base, the
              side away from the true mask's centroid): predicted LV drawn through the mitral valve into
              the atrium, as a share of the true LV. None without a base line (frames of external sets have
              masks but no tracing) or with an empty true mask.
"""

from __future__ import annotations

import numpy as np

from lvseg.geometry.base import beyond_base, mask_centroid


def area_ratio(pred_area: int, true_area: int) -> float | None:
    """Predicted over true LV area in pixels; None when there is no true area to compare with."""
    return None if true_area == 0 else float(pred_area) / float(true_area)


def base_leak(pred: np.ndarray, true: np.ndarray, base: np.ndarray | None) -> float | None:
    """Share of the true LV area that the prediction adds beyond the true base line (outside the true mask)."""
    pred, true = np.asarray(pred) != 0, np.asarray(true) != 0
    if pred.shape != true.shape:
        raise ValueError(f"mask shapes differ: {pred.shape} vs {true.shape}")
    inside = mask_centroid(true)
    if base is None or inside is None or not np.all(np.isfinite(base)):
        return None
    leak = pred & ~true & beyond_base(base, inside, true.shape)
    return float(np.count_nonzero(leak)) / float(np.count_nonzero(true))
