"""The base of the LV: the straight line experts close the cavity with, between the two mitral-annulus hinges.

The official tracing rule (lvseg.geometry.mask) fills the polygon X1[1:] + reversed X2[1:], so the polygon's
basal closing edge runs between the two endpoints of the most basal chord (the last row: chords go from
apex to base), each rounded with np.rint as the polygon filler rounds it. A mask that does not stop at
that edge runs through the valve into the left atrium: the half-plane beyond the base line (the side away
from the LV) is where such a leak lands, and the band just beyond the base is what a training loss can
weigh more.

A base line is stored as four numbers [x_left, y_left, x_right, y_right] (pixels; x = column, y = row,
integer = pixel centre), the image-left hinge first. Frames without a tracing (external CAMUS-like sets)
have no base line: functions here take one, callers pass None through as "no base".
"""

from __future__ import annotations

import numpy as np

from lvseg.frame import FRAME_SHAPE
from lvseg.geometry.mask import Tracing


def base_line(tracing: Tracing) -> np.ndarray:
    """[x_left, y_left, x_right, y_right] (float64) of the polygon's basal closing edge, image-left hinge first."""
    ends = np.rint(np.array([[tracing.x1[-1], tracing.y1[-1]], [tracing.x2[-1], tracing.y2[-1]]]))
    ends = ends[np.lexsort((ends[:, 1], ends[:, 0]))]  # by x, then y: one order for every tracing
    return ends.reshape(4).astype(np.float64)


def mask_centroid(mask: np.ndarray) -> np.ndarray | None:
    """(x, y) mean of a mask's nonzero pixels; None for an empty mask."""
    rows, cols = np.nonzero(np.asarray(mask))
    return None if len(rows) == 0 else np.array([cols.mean(), rows.mean()])


def _side(base: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Signed cross product (right - left) x (p - left): its sign says which side of the line p is on."""
    xl, yl, xr, yr = (float(v) for v in base)
    return (xr - xl) * (ys - yl) - (yr - yl) * (xs - xl)


def _grid(shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    ys, xs = np.mgrid[0:shape[0], 0:shape[1]]
    return xs.astype(np.float64), ys.astype(np.float64)


def beyond_base(base: np.ndarray, inside: np.ndarray, shape: tuple[int, int] = FRAME_SHAPE) -> np.ndarray:
    """Boolean (H, W): pixels strictly on the other side of the base line from ``inside`` (an (x, y) LV point).

    ``inside`` is the apex or the true mask's centroid (mask_centroid). Pixels whose centre lies on the line
    are not beyond. A degenerate base (both hinges on one pixel) or an ``inside`` on the line gives none.
    """
    base = np.asarray(base, np.float64)
    reference = float(_side(base, np.asarray(inside[0], np.float64), np.asarray(inside[1], np.float64)))
    if not np.all(np.isfinite(base)) or reference == 0.0 or not np.any(base[:2] != base[2:]):
        return np.zeros(shape, bool)
    xs, ys = _grid(shape)
    return _side(base, xs, ys) * np.sign(reference) < 0


def segment_distance(base: np.ndarray, shape: tuple[int, int] = FRAME_SHAPE) -> np.ndarray:
    """(H, W) distance in pixels from each pixel centre to the base segment (hinge to hinge)."""
    xl, yl, xr, yr = (float(v) for v in base)
    xs, ys = _grid(shape)
    dx, dy = xr - xl, yr - yl
    length2 = dx * dx + dy * dy
    t = np.zeros(shape) if length2 == 0 else np.clip(((xs - xl) * dx + (ys - yl) * dy) / length2, 0.0, 1.0)
    return np.hypot(xs - (xl + t * dx), ys - (yl + t * dy))


def base_band(base: np.ndarray | None, mask: np.ndarray, depth: float) -> np.ndarray:
    """Boolean (H, W): beyond the base line, within ``depth`` px of the base segment, outside the true mask.

    This is where a mask that runs through the valve leaks first; the LV side is the mask's centroid.
    No base (None or NaN) or an empty mask gives an empty band.
    """
    mask = np.asarray(mask) != 0
    inside = mask_centroid(mask)
    if base is None or inside is None or not np.all(np.isfinite(base)):
        return np.zeros(mask.shape, bool)
    return beyond_base(base, inside, mask.shape) & (segment_distance(base, mask.shape) <= depth) & ~mask
