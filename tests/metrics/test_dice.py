"""lvseg.metrics.dice: Dice per frame and pooled, empty-mask conventions, the bootstrap CI."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from lvseg.metrics.dice import Overlap, bootstrap_ci, dice, overlap, pooled_dice

masks = arrays(np.uint8, (12, 12), elements=st.integers(0, 1))


def test_hand_computed_dice():
    pred = np.zeros((4, 4), np.uint8)
    true = np.zeros((4, 4), np.uint8)
    pred[0, :3] = 1      # 3 pixels
    true[0, 1:] = 1      # 3 pixels, 2 shared
    assert overlap(pred, true) == Overlap(2, 3, 3)
    assert dice(pred, true) == pytest.approx(4 / 6)


@settings(max_examples=50, deadline=None, derandomize=True)
@given(masks, masks)
def test_dice_is_symmetric_and_bounded(a, b):
    assert dice(a, b) == pytest.approx(dice(b, a))
    assert 0.0 <= dice(a, b) <= 1.0


@settings(max_examples=30, deadline=None, derandomize=True)
@given(masks)
def test_identical_masks_score_one_and_complements_zero(a):
    assert dice(a, a) == 1.0
    if a.any() and not a.all():
        assert dice(a, 1 - a) == 0.0


def test_empty_mask_conventions():
    empty, full = np.zeros((3, 3)), np.ones((3, 3))
    assert dice(empty, empty) == 1.0      # both empty: perfect agreement
    assert dice(empty, full) == 0.0       # one empty: no overlap
    assert pooled_dice([Overlap(0, 0, 0)]) == 1.0


def test_pooled_dice_weights_frames_by_pixels_not_by_count():
    overlaps = [Overlap(90, 100, 100), Overlap(0, 10, 0)]
    assert pooled_dice(overlaps) == pytest.approx(180 / 210)
    assert np.mean([o.dice for o in overlaps]) == pytest.approx(0.45)
    np.testing.assert_allclose(pooled_dice(np.array([[90, 100, 100], [0, 10, 0]])), 180 / 210)


def test_shape_mismatch_is_an_error():
    with pytest.raises(ValueError, match="shapes differ"):
        overlap(np.zeros((2, 2)), np.zeros((3, 3)))


def test_bootstrap_ci_is_seeded_and_brackets_the_estimate():
    rng = np.random.default_rng(1)
    overlaps = [Overlap(int(i), int(i) + int(rng.integers(1, 20)), int(i) + int(rng.integers(1, 20)))
                for i in rng.integers(500, 1500, size=200)]
    lo, hi = bootstrap_ci(overlaps, samples=500, seed=3)
    assert lo < pooled_dice(overlaps) < hi
    assert (lo, hi) == bootstrap_ci(overlaps, samples=500, seed=3)
    assert hi - lo < 0.02


def test_bootstrap_of_nothing_is_nan():
    lo, hi = bootstrap_ci([])
    assert np.isnan(lo) and np.isnan(hi)
