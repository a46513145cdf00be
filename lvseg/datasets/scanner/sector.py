"""Find the scan sector (the fan: apex, two straight edges, the arc) in a clip, from its pixels.

Over a sample of frames, a pixel of the sector changes (speckle moves with the heart and the probe) while
burned-in text, calipers, logos and the black background do not: the active pixels are those whose
temporal standard deviation and maximum exceed small thresholds. They are closed (speckle gaps), their holes
filled (dark cavities), opened (thin ECG traces and text strokes touching the fan cut off) and the largest
component kept. A least-squares line through its left and through its right border in the upper part of
the fan gives the two edges; their intersection is the apex; the arc's radius is the largest distance from
the apex within the component. The sector mask is that wedge cut by the arc and by the bounding box of the
active pixels inside it (so a fan clipped by the screen's or the export's border keeps its clipped shape).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from scipy import ndimage

from lvseg.datasets.rejects import RejectReason
from lvseg.datasets.video import VideoError

STD_MIN = 1.0            # grey levels: a pixel that never changes more than this is not echo
MAX_MIN = 6.0            # grey levels: nor one that stays black
MIN_SHARE = 0.03         # the fan must cover at least this share of the searched area
EDGE_ROWS = (0.05, 0.6)  # where along the fan's height its borders are the straight edges
SEED_ROWS = 0.3          # the first fit uses rows down to here (a fan clipped at the sides is clipped lower)
ANGLE_RANGE = (15.0, 150.0)  # opening of a plausible sector, degrees
RING_DEPTH = 4           # px: how far a codec's ringing past the fan's border is looked for


@dataclass(frozen=True)
class Sector:
    """The fan in original pixel coordinates (x right, y down; the apex may lie above the frame).

    Edge lines are x = a + b * y for the left and the right edge; ``mask`` is the sector (bool, frame size);
    ``box`` its bounding box (x0, y0, x1, y1, exclusive ends).
    """

    apex: tuple[float, float]
    left: tuple[float, float]
    right: tuple[float, float]
    radius: float
    mask: np.ndarray
    box: tuple[int, int, int, int]

    @property
    def angle_deg(self) -> float:
        """The sector's opening angle."""
        return float(np.degrees(np.arctan(-self.left[1]) + np.arctan(self.right[1])))


def _kernel(size: int) -> np.ndarray:
    size = max(3, size | 1)
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))


def active_pixels(grey_max: np.ndarray, grey_std: np.ndarray) -> np.ndarray:
    """Pixels that change over the clip and are not black, 1-px gaps closed and enclosed holes filled."""
    active = ((grey_std > STD_MIN) & (grey_max > MAX_MIN)).astype(np.uint8)
    closed = cv2.morphologyEx(active, cv2.MORPH_CLOSE, _kernel(3))
    return np.asarray(ndimage.binary_fill_holes(closed), bool)


def largest_component(active: np.ndarray) -> np.ndarray:
    """The largest component of ``active`` once opened: thin ECG traces and text strokes that touch the
    fan are cut off (the opening is about 4 % of the frame's shorter side)."""
    unit = max(1, round(min(active.shape) / 100))
    opened = cv2.morphologyEx(active.astype(np.uint8), cv2.MORPH_OPEN, _kernel(4 * unit + 1))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(opened, connectivity=8)
    if count < 2:
        return np.zeros(active.shape, bool)
    return labels == 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))


def _fit_edge(ys: np.ndarray, xs: np.ndarray, height: int) -> tuple[float, float] | None:
    """x = a + b * y through one border: a seed fit on the top rows, then every row close to it (twice)."""
    top = ys.min()
    seed = ys <= top + SEED_ROWS * height
    if seed.sum() < 4:
        return None
    b, a = np.polyfit(ys[seed], xs[seed], 1)
    tolerance = 1.5 + 0.01 * height
    for _ in range(2):
        close = np.abs(xs - (a + b * ys)) <= tolerance
        if close.sum() < 4:
            return None
        b, a = np.polyfit(ys[close], xs[close], 1)
    return float(a), float(b)


def _trim_ringing(box: tuple[int, int, int, int], level: np.ndarray) -> tuple[int, int, int, int]:
    """Drop outer rows / columns of the box that are much dimmer than the fan just inside them.

    Lossy codecs (MJPEG, MPEG-4, JPEG) ring for a pixel or two past a sharp border; those pixels flicker
    (so they count as active) but stay far darker than the echo next to them. A border line is dropped while
    its brightest-over-time mean is under half of the line RING_DEPTH pixels further in (at most that many).
    """
    x0, y0, x1, y1 = box

    def mean(line: np.ndarray) -> float:
        values = line[line > 0]
        return float(values.mean()) if values.size else 0.0

    for _ in range(RING_DEPTH):
        if y1 - y0 > 2 * RING_DEPTH and mean(level[y0, x0:x1]) < 0.5 * mean(level[y0 + RING_DEPTH, x0:x1]):
            y0 += 1
        if y1 - y0 > 2 * RING_DEPTH and mean(level[y1 - 1, x0:x1]) < 0.5 * mean(level[y1 - 1 - RING_DEPTH, x0:x1]):
            y1 -= 1
        if x1 - x0 > 2 * RING_DEPTH and mean(level[y0:y1, x0]) < 0.5 * mean(level[y0:y1, x0 + RING_DEPTH]):
            x0 += 1
        if x1 - x0 > 2 * RING_DEPTH and mean(level[y0:y1, x1 - 1]) < 0.5 * mean(level[y0:y1, x1 - 1 - RING_DEPTH]):
            x1 -= 1
    return x0, y0, x1, y1


def find_sector(grey_max: np.ndarray, grey_std: np.ndarray) -> Sector:
    """The sector of a clip from its temporal max and standard deviation (float, frame size).

    Raises VideoError(NO_SECTOR_FOUND) with what failed: too little that moves, no two edges that meet in an
    apex above the fan, an implausible opening angle.
    """
    h, w = grey_max.shape
    active = active_pixels(grey_max, grey_std)
    region = largest_component(active)
    if region.sum() < MIN_SHARE * h * w:
        raise VideoError(RejectReason.NO_SECTOR_FOUND, f"only {region.mean():.1%} of the frame changes over the clip")
    rows = np.flatnonzero(region.any(axis=1))
    top, bottom = int(rows[0]), int(rows[-1])
    height = bottom - top + 1
    band = rows[(rows >= top + EDGE_ROWS[0] * height) & (rows <= top + EDGE_ROWS[1] * height)]
    xl = np.array([np.flatnonzero(region[r])[0] for r in band], float)
    xr = np.array([np.flatnonzero(region[r])[-1] for r in band], float)
    left, right = _fit_edge(band.astype(float), xl, height), _fit_edge(band.astype(float), xr, height)
    if left is None or right is None or not (left[1] < 0 < right[1]):
        raise VideoError(RejectReason.NO_SECTOR_FOUND, "the active area's borders are not two diverging edges")
    apex_y = (left[0] - right[0]) / (right[1] - left[1])
    apex_x = left[0] + left[1] * apex_y
    angle = np.degrees(np.arctan(-left[1]) + np.arctan(right[1]))
    cols = np.flatnonzero(region.any(axis=0))
    if not (ANGLE_RANGE[0] <= angle <= ANGLE_RANGE[1]) or not (top - 0.5 * height <= apex_y <= top + 0.15 * height) \
            or not (cols[0] <= apex_x <= cols[-1]):
        raise VideoError(RejectReason.NO_SECTOR_FOUND,
                         f"edges meet at ({apex_x:.0f}, {apex_y:.0f}) with a {angle:.0f} degree opening: not a fan")
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    distance = np.hypot(x - apex_x, y - apex_y)
    radius = float(distance[region].max())
    wedge = (y >= apex_y) & (x >= left[0] + left[1] * y - 0.5) & (x <= right[0] + right[1] * y + 0.5)
    wedge &= distance <= radius + 0.5
    # Where the screen or the export cut the fan (a straight border), the active pixels inside the wedge
    # end there; the opened component lost the fan's thin tip, the active pixels connected to it did not.
    _, labels = cv2.connectedComponents((active & wedge).astype(np.uint8), connectivity=8)
    inside = np.isin(labels, np.unique(labels[region & wedge])) & (labels > 0)  # not dots or traces apart from it
    ys, xs = np.flatnonzero(inside.any(axis=1)), np.flatnonzero(inside.any(axis=0))
    box = _trim_ringing((int(xs[0]), int(ys[0]), int(xs[-1]) + 1, int(ys[-1]) + 1), np.where(inside, grey_max, 0))
    mask = np.zeros((h, w), bool)
    mask[box[1]:box[3], box[0]:box[2]] = wedge[box[1]:box[3], box[0]:box[2]]
    return Sector((float(apex_x), float(apex_y)), left, right, radius, mask, box)
