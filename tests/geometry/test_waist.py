"""The waist rule cuts an LV mask that runs into the atrium at the annulus, and leaves ventricles alone."""

import cv2
import numpy as np
import pytest

from lvseg.geometry.waist import WaistRule, cut_at_waist, find_waist, largest_component


def ventricle(angle: float = 0.0, half_width: int = 16, half_length: int = 32) -> np.ndarray:
    """A bullet-shaped LV, apex at the top, flat base at y = 80 (the tracing rule's straight closing edge)."""
    mask = np.zeros((112, 112), np.uint8)
    cv2.ellipse(mask, (56, 80), (half_width, 2 * half_length), 0, 180, 360, 1, -1)
    return rotate(mask, angle)


def atrium(angle: float = 0.0, neck: int = 10, radius: int = 17) -> np.ndarray:
    """An LA below the base: a neck (the annulus) of half-width ``neck`` into a round chamber."""
    mask = np.zeros((112, 112), np.uint8)
    cv2.rectangle(mask, (56 - neck, 79), (56 + neck, 86), 1, -1)
    cv2.circle(mask, (56, 86 + radius - 3), radius, 1, -1)
    return rotate(mask, angle)


def rotate(mask: np.ndarray, angle: float) -> np.ndarray:
    matrix = cv2.getRotationMatrix2D((56.0, 60.0), angle, 1.0)
    return cv2.warpAffine(mask, matrix, (112, 112), flags=cv2.INTER_NEAREST)


@pytest.mark.parametrize("angle", [0.0, 15.0, -20.0])
def test_a_ventricle_alone_is_unchanged(angle):
    lv = ventricle(angle)
    assert np.array_equal(cut_at_waist(lv), lv)


@pytest.mark.parametrize("angle", [0.0, 15.0, -20.0])
def test_a_leak_through_the_valve_is_cut_at_the_annulus(angle):
    lv, la = ventricle(angle), atrium(angle)
    leaky = lv | la
    assert leaky.sum() > 1.4 * lv.sum()  # the leak is large, as on real end-systolic frames
    cut = cut_at_waist(leaky)
    assert abs(int(cut.sum()) - int(lv.sum())) <= 0.05 * lv.sum()
    assert (cut & ~lv.astype(bool) & la.astype(bool)).sum() <= 0.05 * lv.sum()  # the atrium is gone
    assert (cut.astype(bool) & lv.astype(bool)).sum() >= 0.97 * lv.sum()       # the ventricle is kept


def test_a_narrow_stub_below_the_base_is_not_an_atrium():
    lv = ventricle()
    stub = lv.copy()
    stub[80:84, 50:62] = 1  # a few px below the base, narrower than it: no regrowth, no chamber
    assert np.array_equal(cut_at_waist(stub), stub)


def test_a_waist_needs_regrowth_beyond_it():
    widths = np.array([5, 10, 20, 30, 32, 30, 26, 22, 20, 20, 21, 21, 22, 22, 22, 22, 22, 20], float)
    assert find_waist(widths) is None  # widens again by 10 % only: an edge's staircase
    widths[10:17] = 30
    assert find_waist(widths) in (8, 9)


def test_islands_are_dropped_and_empty_masks_stay_empty():
    lv = ventricle()
    speck = lv.copy()
    speck[5:8, 5:8] = 1
    assert np.array_equal(cut_at_waist(speck), lv)
    empty = np.zeros((112, 112), np.uint8)
    assert not cut_at_waist(empty).any() and not largest_component(empty).any()


def test_a_stricter_rule_leaves_a_shallow_waist():
    leaky = ventricle() | atrium(neck=15, radius=16)
    assert cut_at_waist(leaky).sum() < leaky.sum()
    assert np.array_equal(cut_at_waist(leaky, WaistRule(narrowing=0.5)), leaky)
