"""From an EchoNet tracing (21 rows: long axis + 20 chords) to the LV polygon, its mask, area and volume.

This module is the one home of the official mask rule; every stage imports it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from skimage.draw import polygon as fill_polygon

from lvseg.frame import FRAME_SHAPE

ROWS_PER_TRACING = 21


@dataclass(frozen=True)
class Tracing:
    """One traced frame as stored in VolumeTracings.csv: 21 rows of (X1, Y1, X2, Y2).

    Row 0 is the long axis (apex to mitral-annulus midpoint); rows 1-20 are the chords,
    apex to base, with (X1, Y1) on one wall and (X2, Y2) on the other.
    """

    x1: np.ndarray
    y1: np.ndarray
    x2: np.ndarray
    y2: np.ndarray

    @classmethod
    def from_rows(cls, rows: np.ndarray) -> "Tracing":
        """Build from an (N, 4) array of X1, Y1, X2, Y2 rows."""
        rows = np.asarray(rows, dtype=np.float64)
        return cls(rows[:, 0].copy(), rows[:, 1].copy(), rows[:, 2].copy(), rows[:, 3].copy())

    def rows(self) -> np.ndarray:
        return np.stack([self.x1, self.y1, self.x2, self.y2], axis=1)

    @property
    def long_axis(self) -> tuple[np.ndarray, np.ndarray]:
        """(apex, base midpoint) as (x, y) points, from row 0."""
        return np.array([self.x1[0], self.y1[0]]), np.array([self.x2[0], self.y2[0]])


def tracing_polygon(tracing: Tracing) -> tuple[np.ndarray, np.ndarray]:
    """The official polygon: drop the long-axis row, X1[1:] then X2[1:] reversed (likewise y)."""
    xs = np.concatenate([tracing.x1[1:], tracing.x2[1:][::-1]])
    ys = np.concatenate([tracing.y1[1:], tracing.y2[1:][::-1]])
    return xs, ys


def polygon_mask(xs: np.ndarray, ys: np.ndarray, shape: tuple[int, int] = FRAME_SHAPE) -> np.ndarray:
    """Fill a polygon exactly as the official EchoNet loader does: np.rint, then skimage.draw.polygon."""
    mask = np.zeros(shape, dtype=np.uint8)
    rr, cc = fill_polygon(np.rint(ys).astype(int), np.rint(xs).astype(int), shape=shape)
    mask[rr, cc] = 1
    return mask


def tracing_mask(tracing: Tracing, shape: tuple[int, int] = FRAME_SHAPE) -> np.ndarray:
    """The official LV mask (uint8 0/1) of a tracing; pixel-identical to the EchoNet loader."""
    xs, ys = tracing_polygon(tracing)
    return polygon_mask(xs, ys, shape)


def shoelace_area(xs: np.ndarray, ys: np.ndarray) -> float:
    """Unsigned polygon area in square pixels."""
    return 0.5 * abs(float(np.dot(xs, np.roll(ys, -1)) - np.dot(ys, np.roll(xs, -1))))


def tracing_area(tracing: Tracing) -> float:
    """Area of the official polygon; ED is the traced frame with the larger one."""
    return shoelace_area(*tracing_polygon(tracing))


def disk_volume(tracing: Tracing, mm_per_pixel: float) -> float:
    """Single-plane method of disks, in mL: sum over the 20 chords of pi (d/2)^2 * L/20.

    d is each chord's length and L the long-axis length, both converted to mm with
    ``mm_per_pixel``; 1 mL = 1000 mm^3.
    """
    apex, base = tracing.long_axis
    length = float(np.linalg.norm(base - apex)) * mm_per_pixel
    diameters = np.hypot(tracing.x2[1:] - tracing.x1[1:], tracing.y2[1:] - tracing.y1[1:]) * mm_per_pixel
    height = length / len(diameters)
    return float(np.sum(np.pi * (diameters / 2.0) ** 2 * height) / 1000.0)


def seed_study_mask(tracing: Tracing, shape: tuple[int, int] = FRAME_SHAPE) -> np.ndarray:
    """The seed study's alternative rule, for comparison only (NOT the official mask).

    All 40 chord endpoints are sorted clockwise about their centroid, the order is refined by a
    nearest-neighbour walk from the first point, and the result is filled as a polygon.
    """
    xs = np.concatenate([tracing.x1[1:], tracing.x2[1:]])
    ys = np.concatenate([tracing.y1[1:], tracing.y2[1:]])
    cx, cy = xs.mean(), ys.mean()
    order = list(np.argsort(-np.arctan2(ys - cy, xs - cx)))
    walk = [order.pop(0)]
    while order:
        last = walk[-1]
        dists = [np.hypot(xs[i] - xs[last], ys[i] - ys[last]) for i in order]
        walk.append(order.pop(int(np.argmin(dists))))
    return polygon_mask(xs[walk], ys[walk], shape)
