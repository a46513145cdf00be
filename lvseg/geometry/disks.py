"""From a closed LV contour to an EchoNet-style tracing, the way sonographers' tracings are stored.

Row 0 is the long axis from the apex to the mitral-annulus midpoint; rows 1-20 are chords perpendicular
to it, apex to base, centred on 20 equal slabs of the axis (the disks of the method of disks), each
ending where its line leaves the contour. The synthetic generator makes its tracings with it and the
video analysis turns predicted masks into tracings with it, so both measure volumes by one rule.
"""

from __future__ import annotations

import numpy as np

from lvseg.geometry.mask import ROWS_PER_TRACING, Tracing

N_CHORDS = ROWS_PER_TRACING - 1


def outermost_crossings(contour: np.ndarray, origin: np.ndarray, u: np.ndarray,
                        levels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Outermost crossings of a closed polygon with the lines origin + level * u + s * n, n = (u_y, -u_x).

    Returns (largest s, smallest s) per level, all levels at once; -inf / inf where a line misses the
    polygon. A segment lying on a line does not count (its ends do).
    """
    proj = (np.asarray(contour, np.float64) - origin) @ np.array([[u[0], u[1]], [u[1], -u[0]]])  # along u, n
    step = np.empty_like(proj)
    step[:-1] = proj[1:] - proj[:-1]
    step[-1] = proj[0] - proj[-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = (levels[:, None] - proj[:, 0]) / step[:, 0]
    hit = (frac >= 0.0) & (frac <= 1.0)  # NaN / inf (segments parallel to the line) never hit
    at = proj[:, 1] + frac * step[:, 1]
    return np.where(hit, at, -np.inf).max(axis=1), np.where(hit, at, np.inf).min(axis=1)


def tracing_from_contour(contour: np.ndarray, apex: np.ndarray, base_mid: np.ndarray,
                         inset: float = 0.0) -> Tracing:
    """Tracing (21 rows) of a closed contour (N, 2) of (x, y) points, given its apex and base midpoint.

    With u the unit apex->base vector, (X1, Y1) lies on the +n side of the axis, n = (u_y, -u_x) in image
    coordinates (image-right when the axis points down), and (X2, Y2) on the -n side; every chord ends on
    the contour. ``inset`` moves the first and the last chord that far toward the middle (for pixel
    contours, whose flat ends a chord would only graze). Raises ValueError if a chord misses the contour.
    """
    apex, base_mid = np.asarray(apex, np.float64), np.asarray(base_mid, np.float64)
    axis = base_mid - apex
    length = float(np.hypot(axis[0], axis[1]))
    if not length > 0:
        raise ValueError("apex and base coincide")
    u = axis / length
    normal = np.array([u[1], -u[0]])
    along = length * (np.arange(N_CHORDS) + 0.5) / N_CHORDS
    along[0] += inset
    along[-1] -= inset
    far_pos, far_neg = outermost_crossings(contour, apex, u, along)
    missed = np.flatnonzero(~((far_pos > 0) & (far_neg < 0)))
    if len(missed):
        raise ValueError(f"chord {missed[0] + 1} does not cross the contour on both sides")
    centres = apex + along[:, None] * u
    rows = np.empty((N_CHORDS + 1, 4))
    rows[0] = apex[0], apex[1], base_mid[0], base_mid[1]
    rows[1:, :2] = centres + far_pos[:, None] * normal
    rows[1:, 2:] = centres + far_neg[:, None] * normal
    return Tracing.from_rows(rows)
