"""lvseg.geometry.disks: chords end ON the contour, on the documented sides, for asymmetric shapes too.

A sign error once mirrored every chord about the long axis: lengths and volumes stayed right (so EF did),
but the tracing's polygon was the contour's mirror image, i.e. wrong labels for any asymmetric LV.
"""

from __future__ import annotations

import numpy as np

from lvseg.geometry.disks import tracing_from_contour
from lvseg.geometry.mask import tracing_mask


def lopsided(bulge: float = 2.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A contour whose image-right half is ``bulge`` times wider than its left, axis straight down."""
    th = np.linspace(0, 2 * np.pi, 400, endpoint=False)
    along, across = 20 * np.cos(th), 10 * np.sin(th)
    across = np.where(across > 0, across * bulge, across)
    contour = np.stack([50 + across, 30 + along], axis=1)  # (x, y): x = column
    return contour, np.array([50.0, 10.0]), np.array([50.0, 50.0])


def distance_to_polyline(points: np.ndarray, contour: np.ndarray) -> np.ndarray:
    a, b = contour, np.roll(contour, -1, axis=0)
    ab = b - a
    t = np.clip(np.einsum("pkd,kd->pk", points[:, None] - a[None], ab) / np.einsum("kd,kd->k", ab, ab), 0, 1)
    nearest = a[None] + t[..., None] * ab[None]
    return np.linalg.norm(points[:, None] - nearest, axis=2).min(axis=1)


def test_chord_ends_lie_on_the_contour_on_their_documented_sides():
    contour, apex, base = lopsided()
    t = tracing_from_contour(contour, apex, base)
    ends = np.concatenate([np.stack([t.x1[1:], t.y1[1:]], 1), np.stack([t.x2[1:], t.y2[1:]], 1)])
    assert distance_to_polyline(ends, contour).max() < 1e-6
    # the axis points down (u = (0, 1)), so n = (u_y, -u_x) = (1, 0): X1 is the image-right (wide) wall
    assert np.all(t.x1[1:] > 50) and np.all(t.x2[1:] < 50)
    assert t.x1[10] - 50 > 1.8 * (50 - t.x2[10])


def test_the_tracing_mask_covers_the_shape_not_its_mirror_image():
    contour, apex, base = lopsided()
    mask = tracing_mask(tracing_from_contour(contour, apex, base))
    rows, cols = np.nonzero(mask)
    assert cols.max() > 65 and cols.min() > 38  # the wide side reaches x ~ 70, the narrow one only x ~ 40


def test_a_chord_that_misses_the_contour_is_an_error():
    import pytest

    contour, apex, base = lopsided()
    with pytest.raises(ValueError, match="chord 1"):
        tracing_from_contour(contour, apex - np.array([0.0, 40.0]), base)  # the first chords lie above the shape
