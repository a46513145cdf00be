"""lvseg.geometry.base: the base line of a hand-made tracing, the half-plane beyond it and the band the loss weighs."""

from __future__ import annotations

import numpy as np

from lvseg.geometry.base import base_band, base_line, beyond_base, mask_centroid, segment_distance
from lvseg.geometry.mask import Tracing, tracing_mask, tracing_polygon


def hand_tracing() -> Tracing:
    """Apex (50, 10) at the top, 20 chords down to the base at y = 89.6; X1 on the image-RIGHT wall."""
    ys = 10.0 + 3.98 * np.arange(1, 21)
    half = np.linspace(2.0, 20.4, 20)
    rows = [[50.0, 10.0, 50.0, 90.0]] + [[50.0 + h, y, 50.0 - h, y] for h, y in zip(half, ys)]
    return Tracing.from_rows(np.array(rows))


def test_base_line_is_the_rounded_most_basal_chord_image_left_first():
    tracing = hand_tracing()
    # the last chord runs from (70.4, 89.6) on the right wall to (29.6, 89.6) on the left one
    np.testing.assert_array_equal(base_line(tracing), [30.0, 90.0, 70.0, 90.0])
    # ... and it is the polygon's basal closing edge: X1's last vertex followed by X2's last vertex
    xs, ys = tracing_polygon(tracing)
    edge = {(float(np.rint(xs[i])), float(np.rint(ys[i]))) for i in (19, 20)}
    assert edge == {(30.0, 90.0), (70.0, 90.0)}


def test_base_line_order_does_not_depend_on_which_wall_is_x1():
    tracing = hand_tracing()
    swapped = Tracing(tracing.x2, tracing.y2, tracing.x1, tracing.y1)
    np.testing.assert_array_equal(base_line(swapped), base_line(tracing))


def test_beyond_base_is_the_half_plane_away_from_the_lv():
    base = np.array([30.0, 90.0, 70.0, 90.0])
    beyond = beyond_base(base, np.array([50.0, 50.0]), (112, 112))
    assert not beyond[:91].any() and beyond[91:].all()  # row 90 lies on the line: not beyond
    np.testing.assert_array_equal(beyond_base(base, np.array([50.0, 100.0]), (112, 112)), ~beyond & (
        np.arange(112)[:, None] != 90))  # seen from the other side: the other half-plane
    tilted = beyond_base(np.array([0.0, 0.0, 10.0, 10.0]), np.array([0.0, 10.0]), (12, 12))
    rows, cols = np.mgrid[0:12, 0:12]
    np.testing.assert_array_equal(tilted, rows < cols)
    assert tilted.sum() == 66


def test_no_half_plane_without_a_line_or_a_side():
    assert not beyond_base(np.array([5.0, 5.0, 5.0, 5.0]), np.array([0.0, 0.0]), (12, 12)).any()
    assert not beyond_base(np.array([0.0, 0.0, 10.0, 10.0]), np.array([3.0, 3.0]), (12, 12)).any()
    assert not beyond_base(np.array([np.nan, 0.0, 10.0, 10.0]), np.array([0.0, 10.0]), (12, 12)).any()


def test_the_official_mask_never_reaches_beyond_its_base():
    tracing = hand_tracing()
    mask = tracing_mask(tracing)
    beyond = beyond_base(base_line(tracing), mask_centroid(mask))
    assert mask.sum() > 1000 and not (beyond & (mask != 0)).any()
    assert mask[90, 30:71].all()  # the closing edge itself belongs to the LV


def test_band_is_beyond_the_base_within_depth_of_the_segment_and_outside_the_mask():
    mask = np.zeros((112, 112), np.uint8)
    mask[20:91, 30:71] = 1
    band = base_band(np.array([30.0, 90.0, 70.0, 90.0]), mask, depth=5.0)
    # rows 91-95 under the segment (5 x 41) plus the two quarter discs at the hinges (15 pixels each)
    assert band.sum() == 5 * 41 + 2 * 15
    assert band[95, 30] and band[95, 70] and not band[96, 50] and band[93, 26] and not band[94, 26]
    assert not (band & (mask != 0)).any()
    assert segment_distance(np.array([30.0, 90.0, 70.0, 90.0]))[93, 26] == 5.0


def test_no_band_without_a_base_or_a_mask():
    mask = np.zeros((112, 112), np.uint8)
    mask[20:91, 30:71] = 1
    assert not base_band(None, mask, 25.0).any()
    assert not base_band(np.full(4, np.nan), mask, 25.0).any()
    assert not base_band(np.array([30.0, 90.0, 70.0, 90.0]), np.zeros_like(mask), 25.0).any()
    assert mask_centroid(np.zeros_like(mask)) is None
