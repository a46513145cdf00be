"""The EchoNet frame rule: how any scanner frame becomes an EchoNet-Dynamic frame, and back.

EchoNet-Dynamic made its videos by cropping the scan sector, masking everything outside it (ECG trace,
text, calipers) and resizing to 112x112 with cubic interpolation. lvseg does the same to any input, as
one rule:

1. Blank (set to black) every pixel outside the sector (lvseg.datasets.scanner.sector: apex, two edges, arc).
2. Crop a square whose top is the sector's first row, whose side is the sector's height (first row to the
   deepest point of the arc) and which is centred on the sector horizontally; where it leaves the frame
   the missing pixels are black. A sector wider than it is deep loses its outer corners, as in EchoNet's
   own frames, where the fan covers 55-72 % of the square and spans its full height.
3. Resize the square to 112x112 with cubic interpolation (cv2.INTER_CUBIC), take the luma (grey uint8)
   and blank what lies outside the sector once more (cubic interpolation rings a little past the edge).

``EchoNetFrame`` keeps the mapping: ``to_echonet`` applies it to a frame; ``to_original`` maps a 112x112
mask back onto the original frame; with the pixel spacing the file states, ``mm_per_pixel`` is the size of
one 112-px pixel, so areas, lengths and disk volumes come out in cm^2, cm and mL (None without a spacing:
never a guessed value).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from lvseg.datasets.scanner.colour import to_grey
from lvseg.datasets.scanner.sector import Sector
from lvseg.datasets.scanner.source import Spacing
from lvseg.frame import FRAME_SHAPE
from lvseg.geometry.mask import Tracing, disk_volume

SIZE = FRAME_SHAPE[0]
ISOTROPY = 0.02  # x and y spacing closer than this (relative) count as square pixels


@dataclass(frozen=True)
class EchoNetFrame:
    """The mapping from one clip's original frames to the EchoNet frame (see the module docstring).

    ``crop`` is the square (x0, y0, side) in original pixels (it may leave the frame); ``sector`` the fan
    found in the original frame; ``mask112`` the sector in the 112x112 frame; ``spacing`` the original
    pixel's size where the file states it (None, with ``spacing_note`` saying why, where it does not).
    """

    source_shape: tuple[int, int]
    crop: tuple[int, int, int]
    sector: Sector
    mask112: np.ndarray
    spacing: Spacing | None = None
    spacing_note: str = ""

    @property
    def scale(self) -> float:
        """112-px pixels per original pixel."""
        return SIZE / self.crop[2]

    @property
    def spacing112_mm(self) -> tuple[float, float] | None:
        """(x, y) size in mm of one pixel of the 112x112 frame, where the spacing is known."""
        if self.spacing is None:
            return None
        return self.spacing.x_mm / self.scale, self.spacing.y_mm / self.scale

    @property
    def mm_per_pixel(self) -> float | None:
        """Size in mm of a (square) 112-px pixel; None without a spacing or with non-square pixels."""
        xy = self.spacing112_mm
        if xy is None or abs(xy[0] - xy[1]) > ISOTROPY * max(xy):
            return None
        return (xy[0] + xy[1]) / 2.0

    def to_echonet(self, frame: np.ndarray) -> np.ndarray:
        """One original frame ((H, W) or (H, W, 3) RGB uint8) as its grey uint8 112x112 EchoNet frame."""
        grey = np.where(self.sector.mask, to_grey(frame), 0).astype(np.uint8)
        x0, y0, side = self.crop
        h, w = grey.shape
        if x0 >= 0 and y0 >= 0 and x0 + side <= w and y0 + side <= h:
            square = grey[y0:y0 + side, x0:x0 + side]
        else:
            square = np.zeros((side, side), np.uint8)
            sx0, sy0, sx1, sy1 = max(x0, 0), max(y0, 0), min(x0 + side, w), min(y0 + side, h)
            square[sy0 - y0:sy1 - y0, sx0 - x0:sx1 - x0] = grey[sy0:sy1, sx0:sx1]
        small = cv2.resize(square, (SIZE, SIZE), interpolation=cv2.INTER_CUBIC)
        return np.where(self.mask112, small, 0).astype(np.uint8)

    def to_original(self, mask112: np.ndarray) -> np.ndarray:
        """A 112x112 mask drawn back on the original frame: uint8 0/1 of ``source_shape``."""
        x0, y0, side = self.crop
        big = cv2.resize(np.asarray(mask112, np.float32), (side, side), interpolation=cv2.INTER_LINEAR) >= 0.5
        out = np.zeros(self.source_shape, np.uint8)
        h, w = self.source_shape
        sx0, sy0, sx1, sy1 = max(x0, 0), max(y0, 0), min(x0 + side, w), min(y0 + side, h)
        out[sy0:sy1, sx0:sx1] = big[sy0 - y0:sy1 - y0, sx0 - x0:sx1 - x0]
        return out

    def points_to_original(self, xy: np.ndarray) -> np.ndarray:
        """(N, 2) x, y points of the 112x112 frame in original pixel coordinates (pixel centres map to centres)."""
        xy = np.asarray(xy, float)
        return (xy + 0.5) / self.scale - 0.5 + np.array(self.crop[:2], float)

    def area_cm2(self, pixels: float) -> float | None:
        """An area of ``pixels`` 112-px pixels in cm^2 (None without a spacing)."""
        xy = self.spacing112_mm
        return None if xy is None else pixels * xy[0] * xy[1] / 100.0

    def length_cm(self, pixels: float) -> float | None:
        """A length of ``pixels`` 112-px pixels in cm (None without a square-pixel spacing)."""
        mm = self.mm_per_pixel
        return None if mm is None else pixels * mm / 10.0

    def ml_from_pixel_volume(self, volume: float) -> float | None:
        """A disk volume in lvseg's pixel unit (disk_volume at 1 mm per pixel, i.e. 1e-3 px^3: what
        lvseg.analysis.volumes reports) in mL (None without a square-pixel spacing): it scales as length^3."""
        mm = self.mm_per_pixel
        return None if mm is None else volume * mm ** 3

    def volume_ml(self, tracing: Tracing) -> float | None:
        """The single-plane disk volume of a 112x112 tracing in mL (None without a square-pixel spacing)."""
        mm = self.mm_per_pixel
        return None if mm is None else disk_volume(tracing, mm)


def echonet_frame(sector: Sector, source_shape: tuple[int, int], spacing: Spacing | None = None,
                  spacing_note: str = "") -> EchoNetFrame:
    """The mapping for a sector: the square of the rule and the sector's own 112x112 mask."""
    x0, y0, x1, y1 = sector.box
    side = y1 - y0
    left = int(round((x0 + x1) / 2.0 - side / 2.0))
    crop = (left, y0, side)
    square = np.zeros((side, side), np.float32)
    h, w = source_shape
    sx0, sy0, sx1, sy1 = max(left, 0), max(y0, 0), min(left + side, w), min(y0 + side, h)
    square[sy0 - y0:sy1 - y0, sx0 - left:sx1 - left] = sector.mask[sy0:sy1, sx0:sx1]
    mask112 = cv2.resize(square, (SIZE, SIZE), interpolation=cv2.INTER_AREA) >= 0.5
    return EchoNetFrame(source_shape, crop, sector, mask112, spacing, spacing_note)


ECHONET_SPACING = "an EchoNet AVI states no pixel spacing"


def spacing_status(mapping: EchoNetFrame | None) -> tuple[bool, str]:
    """(physical units possible, where the spacing came from or why there is none) for a clip's mapping
    (None: an EchoNet video). The one rule behind the analysis rows' ``units`` column and the stream's line."""
    if mapping is None:
        return False, ECHONET_SPACING
    if mapping.spacing is None:
        return False, mapping.spacing_note or "the file states no pixel spacing"
    if mapping.mm_per_pixel is None:
        return False, f"{mapping.spacing.origin}: x and y spacing differ (non-square pixels)"
    return True, mapping.spacing.origin
