"""Landmarks back to a mask: a closed periodic spline through the points, filled by the official rule."""

from __future__ import annotations

import numpy as np
from scipy.interpolate import splev, splprep

from lvseg.frame import FRAME_SHAPE
from lvseg.geometry.mask import polygon_mask

SPLINE_SAMPLES = 400


def spline_contour(points: np.ndarray, samples: int = SPLINE_SAMPLES) -> np.ndarray:
    """(samples, 2) (x, y) points on a closed interpolating spline through (K, 2) landmarks.

    Raises ValueError when no spline fits (too few or coincident points).
    """
    points = np.asarray(points, dtype=np.float64)
    if len(points) < 3:
        raise ValueError("a closed spline needs at least 3 landmarks")
    closed = np.concatenate([points, points[:1]])
    degree = 3 if len(points) >= 4 else 2
    with np.errstate(all="raise"):
        try:
            tck, _ = splprep([closed[:, 0], closed[:, 1]], s=0, per=True, k=degree, quiet=2)
        except (ValueError, TypeError, FloatingPointError) as err:
            raise ValueError(f"spline fit failed: {err}") from err
    x, y = splev(np.linspace(0.0, 1.0, samples, endpoint=False), tck)
    return np.stack([x, y], axis=1)


def mask_from_landmarks(points: np.ndarray, shape: tuple[int, int] = FRAME_SHAPE) -> np.ndarray:
    """uint8 0/1 mask inside the spline through the landmarks; the polygon through them if the spline fails.

    Both paths fill with x as columns and y as rows (the study's fallback swapped them and produced
    transposed masks).
    """
    points = np.asarray(points, dtype=np.float64)
    if len(points) < 3 or not np.all(np.isfinite(points)):
        return np.zeros(shape, dtype=np.uint8)
    try:
        contour = spline_contour(points)
    except ValueError:
        contour = points
    return polygon_mask(contour[:, 0], contour[:, 1], shape)
