"""lvseg.metrics.area: area ratio and base leak on tiny hand-made masks, exact values."""

from __future__ import annotations

import numpy as np
import pytest

from lvseg.metrics.area import area_ratio, base_leak

BASE = np.array([2.0, 5.0, 7.0, 5.0])  # the true LV's bottom edge, rows 2-5 x columns 2-7


def masks() -> tuple[np.ndarray, np.ndarray]:
    true = np.zeros((10, 10), np.uint8)
    true[2:6, 2:8] = 1                  # 24 pixels, centroid above the base line
    pred = true.copy()
    pred[6:8, 3:7] = 1                  # 8 pixels through the base
    pred[0, 0] = 1                      # 1 pixel too many, but on the LV's side
    return pred, true


def test_area_ratio_is_predicted_over_true():
    pred, true = masks()
    assert area_ratio(int(pred.sum()), int(true.sum())) == pytest.approx(33 / 24)
    assert area_ratio(0, 24) == 0.0 and area_ratio(5, 0) is None


def test_base_leak_counts_only_pixels_beyond_the_true_base_and_outside_the_true_mask():
    pred, true = masks()
    assert base_leak(pred, true, BASE) == pytest.approx(8 / 24)
    pred[2:6, 2:4] = 0                  # missing LV changes nothing: the leak is about the extra beyond the base
    assert base_leak(pred, true, BASE) == pytest.approx(8 / 24)
    assert base_leak(true, true, BASE) == 0.0


def test_base_leak_is_null_without_a_base_or_a_true_lv():
    pred, true = masks()
    assert base_leak(pred, true, None) is None
    assert base_leak(pred, true, np.full(4, np.nan)) is None
    assert base_leak(pred, np.zeros_like(true), BASE) is None
    with pytest.raises(ValueError, match="shapes differ"):
        base_leak(pred[:5], true, BASE)
