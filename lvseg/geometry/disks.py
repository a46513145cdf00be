"""From a closed LV contour to an EchoNet-style tracing, the way sonographers' tracings are stored.

Row 0 is the long axis from the apex to the mitral-annulus midpoint; rows 1-20 are chords perpendicular
to it, apex to base, centred on 20 equal slabs of the axis (the disks of the method of disks), each
ending where its line meets the contour. Used by the synthetic generator and by tests.
"""

from __future__ import annotations

import numpy as np

from lvseg.geometry.mask import ROWS_PER_TRACING, Tracing

N_CHORDS = ROWS_PER_TRACING - 1


def _line_hits(contour: np.ndarray, origin: np.ndarray, direction: np.ndarray) -> np.ndarray:
    """Signed distances along ``direction`` where the line through ``origin`` crosses the closed contour."""
    a = contour
    b = np.roll(contour, -1, axis=0)
    seg = b - a
    cross = direction[0] * seg[:, 1] - direction[1] * seg[:, 0]
    ok = np.abs(cross) > 1e-12
    rel = a - origin
    # origin + s*direction = a + t*seg  ->  solve for s and t
    t = np.where(ok, (direction[0] * rel[:, 1] - direction[1] * rel[:, 0]) / np.where(ok, -cross, 1), -1)
    s = np.where(ok, (rel[:, 0] * seg[:, 1] - rel[:, 1] * seg[:, 0]) / np.where(ok, cross, 1), 0)
    hit = ok & (t >= 0) & (t <= 1)
    return s[hit]


def tracing_from_contour(contour: np.ndarray, apex: np.ndarray, base_mid: np.ndarray) -> Tracing:
    """Tracing (21 rows) of a closed contour (N, 2) of (x, y) points, given its apex and base midpoint.

    With u the unit apex->base vector, (X1, Y1) lies on the +n side of the axis, n = (u_y, -u_x) in image
    coordinates, and (X2, Y2) on the -n side. Raises ValueError if a chord line misses the contour.
    """
    contour = np.asarray(contour, dtype=np.float64)
    apex, base_mid = np.asarray(apex, float), np.asarray(base_mid, float)
    axis = base_mid - apex
    length = float(np.linalg.norm(axis))
    if length == 0:
        raise ValueError("apex and base coincide")
    u = axis / length
    normal = np.array([u[1], -u[0]])  # screen-left of the apex->base direction when y points down
    rows = [(apex[0], apex[1], base_mid[0], base_mid[1])]
    for i in range(N_CHORDS):
        centre = apex + u * length * (i + 0.5) / N_CHORDS
        hits = _line_hits(contour, centre, normal)
        if len(hits) < 2 or hits.max() <= 0 or hits.min() >= 0:
            raise ValueError(f"chord {i + 1} does not cross the contour on both sides")
        p1, p2 = centre + normal * hits.max(), centre + normal * hits.min()
        rows.append((p1[0], p1[1], p2[0], p2[1]))
    return Tracing.from_rows(np.array(rows))
