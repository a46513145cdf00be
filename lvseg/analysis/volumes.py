"""One frame's LV measures from its segmentation: area, long axis and method-of-disks volume.

A mask is turned into a tracing the way a sonographer's is stored, then the one volume rule
(lvseg.geometry.mask.disk_volume) applies: largest connected component with holes filled -> its outer
pixel contour (cv2.findContours) -> long axis (apex to mitral-annulus midpoint) -> 20 chords
perpendicular to it at the centres of 20 equal slabs (lvseg.geometry.disks.tracing_from_contour, the
rule the synthetic tracings are made with) -> Tracing -> disk_volume.

Long axis of a mask. The official mask is the polygon through the chord ends, so it is cut flat at
the first and the last chord, which lie half a slab (L/40) inside the apex and the annulus: the mask
spans 19/20 of the axis, and its flat ends are perpendicular to the axis and centred on it. So: the
contour's principal axis (image moments, pointing down: in the apical view the apex is at the top)
gives a first direction; the midpoints of the contour's top and bottom ends along it (its points within
END_BAND px of each extreme) give the axis line; the line's crossings with the contour give the
extent E; then L = E / MASK_SPAN and the apex and annulus midpoint lie L/40 beyond the crossings.
Landmark models: the same on the polygon their mask is filled from (lvseg.geometry.spline.landmark_contour:
points on the spline through the landmarks; its mask's pixel contour can lose the apex tip to the fill
rule's rounding), except that the top end is landmark 0, the apex end of every scheme of
lvseg.geometry.landmarks (contourK: the traced polygon's point nearest the apex, i.e. the middle of its
first chord; seed6: the topmost point).

Units: volumes are disk_volume at mm_per_pixel = 1 (1e-3 px^3); EF is a ratio and needs no pixel
spacing. A frame that cannot be measured gives FrameMeasure(ok=False, reason=...), never an exception.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from lvseg.geometry.disks import N_CHORDS, outermost_crossings, tracing_from_contour
from lvseg.geometry.mask import Tracing, disk_volume
from lvseg.geometry.spline import landmark_contour
from lvseg.inference.decode import Segmentation

# The smallest real traced LV is 640 px (end-systole, project reference): a component under a third
# of that is a segmentation failure, not a ventricle.
MIN_AREA = 200
# Real long axes are 43-75 px; an axis under 10 px comes from a speck or a sliver.
MIN_LENGTH = 10.0
# Holds the whole flat basal end (half-width 10-12 px) when the first direction is up to ~8 degrees
# off, plus the pixel staircase; with 1.5 px a tilted first guess pulls the midpoint toward one corner
# (official masks of 200 sample_heart LVs, EF 10-73 %: worst EF error 4.1 points with 1.5 px, 3.0 with 3 px).
END_BAND = 3.0
# The first and last chords lie exactly on the mask's flat ends, where a line grazes a pixel contour:
# they are read half a pixel inside (the disk rule itself, lengths and L/20 slabs, is unchanged).
END_CHORD_INSET = 0.5
MASK_SPAN = 1.0 - 1.0 / N_CHORDS  # the official polygon runs from the first chord to the last one

_ZERO = np.zeros(1)

EMPTY, TOO_SMALL, NO_AXIS, CHORD_MISS = "empty", "too_small", "no_axis", "chord_miss"
BAD_INPUT, SEGMENTATION_FAILED, NO_LANDMARKS = "bad_input", "segmentation_failed", "no_landmarks"


@dataclass(frozen=True)
class FrameMeasure:
    """One frame: ``area`` in pixels of the cleaned mask, long-axis ``length`` in px, disk ``volume``.

    ``tracing`` is the 21-row tracing the volume was computed from (its row 0 is the long axis).
    When ``ok`` is False, ``reason`` says why and length and volume are NaN.
    """

    ok: bool
    area: float = 0.0
    length: float = float("nan")
    volume: float = float("nan")
    tracing: Tracing | None = None
    reason: str = ""


def _failed(reason: str, area: float = 0.0) -> FrameMeasure:
    return FrameMeasure(False, float(area), reason=reason)


def outer_contour(mask: np.ndarray) -> tuple[np.ndarray, int] | None:
    """(contour (N, 2) float (x, y), pixel area) of the largest component, holes filled; None if empty.

    The contour is the polygon through the boundary pixels' centres, given by its corners (OpenCV's
    CHAIN_APPROX_SIMPLE drops the points inside straight runs: same polygon, fewer vertices). The
    largest component is the one whose outline encloses the largest area.
    """
    binary = (np.asarray(mask) != 0).astype(np.uint8)
    contours, _ = cv2.findContours(binary, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    largest = max(contours, key=cv2.contourArea)
    filled = np.zeros_like(binary)
    cv2.drawContours(filled, [largest], 0, 1, thickness=cv2.FILLED)
    return largest.reshape(-1, 2).astype(np.float64), int(cv2.countNonZero(filled))


def principal_direction(contour: np.ndarray) -> np.ndarray:
    """Unit vector along the contour's principal axis (second moments), pointing down the image."""
    m = cv2.moments(contour.astype(np.float32))
    theta = 0.5 * np.arctan2(2.0 * m["mu11"], m["mu20"] - m["mu02"])
    u = np.array([np.cos(theta), np.sin(theta)])
    return -u if u[1] < 0 else u


def _end_midpoints(contour: np.ndarray, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Middles of the contour's top and bottom ends along u: its points within END_BAND of each extreme."""
    normal = np.array([u[1], -u[0]])
    s, t = contour @ u, contour @ normal
    lo, hi = s.min(), s.max()
    top, bottom = t[s <= lo + END_BAND], t[s >= hi - END_BAND]
    return (lo * u + 0.5 * (top.min() + top.max()) * normal,
            hi * u + 0.5 * (bottom.min() + bottom.max()) * normal)


def _axis_through(contour: np.ndarray, top: np.ndarray, bottom: np.ndarray, top_fixed: bool):
    """(apex, annulus midpoint) on the line top -> bottom, or None when it is too short to be an LV.

    The line's crossings with the contour bound the mask along the axis, except that a fixed top
    (landmark 0) is itself the top end.
    """
    axis = bottom - top
    span = float(np.hypot(axis[0], axis[1]))
    if not np.isfinite(span) or span < MASK_SPAN * MIN_LENGTH:
        return None
    v = axis / span
    origin = top if top_fixed else (top + bottom) / 2.0
    far_pos, far_neg = outermost_crossings(contour, origin, np.array([-v[1], v[0]]), _ZERO)  # origin + s * v
    start = 0.0 if top_fixed else float(far_neg[0])
    extent = float(far_pos[0]) - start
    if not np.isfinite(extent) or extent < MASK_SPAN * MIN_LENGTH:
        return None
    half_slab = extent / MASK_SPAN / (2 * N_CHORDS)
    return origin + (start - half_slab) * v, origin + (float(far_pos[0]) + half_slab) * v


def mask_axis(contour: np.ndarray):
    """(apex, annulus midpoint) of a mask contour from its flat ends, or None (see the module docstring)."""
    top, bottom = _end_midpoints(contour, principal_direction(contour))
    return _axis_through(contour, top, bottom, False)


def landmark_axis(contour: np.ndarray, apex_landmark: np.ndarray):
    """(apex, annulus midpoint) with the top end at landmark 0 and the bottom end from the contour, or None."""
    _, bottom = _end_midpoints(contour, principal_direction(contour))
    return _axis_through(contour, np.asarray(apex_landmark, np.float64), bottom, True)


def _measure(contour: np.ndarray, area: int, axis) -> FrameMeasure:
    if axis is None:
        return _failed(NO_AXIS, area)
    apex, base = axis
    try:
        tracing = tracing_from_contour(contour, apex, base, END_CHORD_INSET)
    except ValueError:
        return _failed(CHORD_MISS, area)
    length = float(np.hypot(*(base - apex)))
    volume = disk_volume(tracing, 1.0)
    if not (np.isfinite(volume) and volume > 0):
        return _failed(NO_AXIS, area)
    return FrameMeasure(True, float(area), length, volume, tracing)


def _outline(mask: np.ndarray):
    """(contour, area) of a usable mask, or the FrameMeasure saying why it is not usable."""
    mask = np.asarray(mask)
    if mask.ndim != 2 or mask.size == 0:
        return _failed(BAD_INPUT)
    found = outer_contour(mask)
    if found is None:
        return _failed(EMPTY)
    contour, area = found
    if area < MIN_AREA or len(contour) < 3:
        return _failed(TOO_SMALL, area)
    return contour, area


def measure_mask(mask: np.ndarray) -> FrameMeasure:
    """Area, long axis and disk volume of a mask (uint8 or bool, nonzero = LV), axis from its geometry."""
    outline = _outline(mask)
    if isinstance(outline, FrameMeasure):
        return outline
    contour, area = outline
    return _measure(contour, area, mask_axis(contour))


def measure_landmarks(mask: np.ndarray, landmarks: np.ndarray | None) -> FrameMeasure:
    """Measures of a landmark model's frame: the area of its spline-rebuilt mask, the disks of the polygon that
    mask is filled from, the apex end at landmark 0."""
    points = None if landmarks is None else np.asarray(landmarks, np.float64)
    if points is None or points.ndim != 2 or len(points) < 3 or not np.all(np.isfinite(points)):
        return _failed(NO_LANDMARKS)
    outline = _outline(mask)
    if isinstance(outline, FrameMeasure):
        return outline
    _, area = outline
    contour = landmark_contour(points)
    return _measure(contour, area, landmark_axis(contour, points[0]))


def measure(segmentation: Segmentation, kind: str) -> FrameMeasure:
    """FrameMeasure of a model's Segmentation; ``kind`` is the runner's 'mask' or 'landmarks'."""
    if kind in ("mask", "landmarks") and not segmentation.ok:
        return _failed(SEGMENTATION_FAILED)
    if kind == "landmarks":
        return measure_landmarks(segmentation.mask, segmentation.landmarks)
    if kind == "mask":
        return measure_mask(segmentation.mask)
    raise ValueError(f"unknown model kind {kind!r}")
