"""lvseg.geometry: the official mask rule, tracings from contours, volumes and landmark schemes."""

import math

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from skimage.draw import polygon as sk_polygon

from lvseg.geometry.landmarks import apex_point, flip_permutation, landmarks, parse_scheme
from lvseg.geometry.mask import (Tracing, disk_volume, seed_study_mask, shoelace_area, tracing_area, tracing_mask,
                                 tracing_polygon)
from tests.shapes import ellipse_tracing, ellipses


def test_polygon_follows_the_official_order():
    t = ellipse_tracing()
    xs, ys = tracing_polygon(t)
    assert len(xs) == 40
    np.testing.assert_array_equal(xs[:20], t.x1[1:])
    np.testing.assert_array_equal(xs[20:], t.x2[1:][::-1])
    np.testing.assert_array_equal(ys[20:], t.y2[1:][::-1])


def test_mask_is_pixel_identical_to_the_official_loader():
    t = ellipse_tracing(a=31.3, b=13.7, angle_deg=71.0)
    # The EchoNet loader, written out independently.
    x = np.concatenate((t.x1[1:], np.flip(t.x2[1:])))
    y = np.concatenate((t.y1[1:], np.flip(t.y2[1:])))
    r, c = sk_polygon(np.rint(y).astype(int), np.rint(x).astype(int), (112, 112))
    expected = np.zeros((112, 112), np.uint8)
    expected[r, c] = 1
    np.testing.assert_array_equal(tracing_mask(t), expected)


def test_mask_is_not_cv2_fillpoly():
    t = ellipse_tracing()
    xs, ys = tracing_polygon(t)
    filled = np.zeros((112, 112), np.uint8)
    cv2.fillPoly(filled, [np.stack([np.rint(xs), np.rint(ys)], 1).astype(np.int32)], 1)
    assert (filled != tracing_mask(t)).any()  # fillPoly includes the boundary: a different rule


def _closed_steps(xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each edge's (dx, dy) of the closed polygon."""
    return np.diff(np.r_[xs, xs[0]]), np.diff(np.r_[ys, ys[0]])


@settings(max_examples=40, deadline=None, derandomize=True)
@given(ellipses)
def test_mask_area_tracks_the_shoelace_area(t):
    """The loader rounds the vertices, then fills: by Pick's theorem the rounded polygon of area A holding B lattice
    points on its border has A - B/2 + 1 inside, so the mask counts between that and all A + B/2 + 1. (A bound on
    the unrounded area, half the perimeter, failed by 0.003 px on a thin ellipse: rounding moves the area too.)"""
    xs, ys = tracing_polygon(t)
    rx, ry = np.rint(xs), np.rint(ys)
    area = shoelace_area(rx, ry)
    border = sum(math.gcd(int(abs(dx)), int(abs(dy))) for dx, dy in zip(*_closed_steps(rx, ry)))
    assert area - border / 2 + 1 <= int(tracing_mask(t).sum()) <= area + border / 2 + 1
    perimeter = float(np.sum(np.hypot(*_closed_steps(xs, ys))))
    # each vertex moves up to 0.71 px, mostly in cancelling directions (0.21 x perimeter at most in 5,000 ellipses)
    assert abs(area - shoelace_area(xs, ys)) <= 0.5 * perimeter


def test_shoelace_area_of_a_unit_square():
    assert shoelace_area(np.array([0, 1, 1, 0.0]), np.array([0, 0, 1, 1.0])) == pytest.approx(1.0)


def test_tracing_rows_are_21_and_chords_perpendicular():
    t = ellipse_tracing()
    assert t.rows().shape == (21, 4)
    apex, base = t.long_axis
    axis = (base - apex) / np.linalg.norm(base - apex)
    chords = np.stack([t.x2[1:] - t.x1[1:], t.y2[1:] - t.y1[1:]], axis=1)
    np.testing.assert_allclose(chords @ axis, 0, atol=1e-9)


def test_disk_volume_approximates_the_prolate_spheroid():
    a, b = 30.0, 14.0
    t = ellipse_tracing(a=a, b=b)
    expected_ml = 4 / 3 * np.pi * a * b * b / 1000.0  # mm^3 -> mL with 1 mm per pixel
    assert disk_volume(t, mm_per_pixel=1.0) == pytest.approx(expected_ml, rel=0.02)
    assert disk_volume(t, mm_per_pixel=2.0) == pytest.approx(8 * disk_volume(t, 1.0))


def test_seed_study_mask_is_close_but_not_the_official_rule():
    t = ellipse_tracing()
    official, alternative = tracing_mask(t), seed_study_mask(t)
    inter = np.logical_and(official, alternative).sum()
    assert 2 * inter / (official.sum() + alternative.sum()) > 0.95


@pytest.mark.parametrize("scheme, k", [("seed6", 6), ("contour12", 12), ("contour16", 16), ("contour5", 5)])
def test_schemes_have_fixed_sizes(scheme, k):
    assert parse_scheme(scheme) == k
    assert landmarks(ellipse_tracing(), scheme).shape == (k, 2)


@pytest.mark.parametrize("bad", ["seed7", "contour", "contour2", "spline16"])
def test_unknown_schemes_are_refused(bad):
    with pytest.raises(ValueError, match="unknown landmark scheme"):
        parse_scheme(bad)


def test_contour_landmarks_start_at_the_apex_and_go_down_the_left_wall():
    t = ellipse_tracing(angle_deg=80)
    points = landmarks(t, "contour16")
    assert np.linalg.norm(points[0] - apex_point(t)) < 1.5
    assert points[1:8, 0].mean() < points[9:, 0].mean()  # image-left wall first
    gaps = np.linalg.norm(np.diff(np.r_[points, points[:1]], axis=0), axis=1)
    assert gaps.max() / gaps.min() < 1.3  # evenly spaced along the contour


def test_landmark_order_does_not_depend_on_which_wall_is_x1():
    t = ellipse_tracing()
    # Same long axis, chord endpoints swapped between the two walls.
    swapped = Tracing(np.r_[t.x1[0], t.x2[1:]], np.r_[t.y1[0], t.y2[1:]], np.r_[t.x2[0], t.x1[1:]],
                      np.r_[t.y2[0], t.y1[1:]])
    for scheme in ("contour12", "seed6"):
        np.testing.assert_allclose(landmarks(swapped, scheme), landmarks(t, scheme), atol=1e-6)


@pytest.mark.parametrize("scheme", ["contour12", "contour16", "seed6"])
def test_flip_permutation_maps_landmarks_of_the_mirrored_tracing(scheme):
    t = ellipse_tracing(angle_deg=70)
    mirrored = Tracing(111.0 - t.x1, t.y1, 111.0 - t.x2, t.y2)
    flipped_points = landmarks(t, scheme).copy()
    flipped_points[:, 0] = 111.0 - flipped_points[:, 0]
    np.testing.assert_allclose(flipped_points[flip_permutation(scheme)], landmarks(mirrored, scheme), atol=1e-6)


def test_seed6_points_are_extremes_of_the_contour():
    t = ellipse_tracing()
    points = landmarks(t, "seed6")
    xs, ys = tracing_polygon(t)
    assert points[0, 1] == pytest.approx(ys.min())  # topmost first
    assert ys.max() in points[:, 1]


def test_tracing_area_orders_phases():
    assert tracing_area(ellipse_tracing(a=30, b=15)) > tracing_area(ellipse_tracing(a=26, b=10))
