"""Grey frames from colour ones, and the colour-Doppler test.

A B-mode loop is grey even when stored as RGB or YBR (JPEG chroma makes the channels differ by up to ~40
levels; some scanners tint the image): it is taken as its luma, as lvseg.datasets.video does. Colour flow
paints strongly coloured blobs over the sector: where more than DOPPLER_SHARE of the sector's pixels are
strongly coloured (channel spread over CHROMA_MIN) in any sampled frame, the clip is refused.
"""

from __future__ import annotations

import cv2
import numpy as np

from lvseg.datasets.rejects import RejectReason
from lvseg.datasets.video import VideoError

CHROMA_MIN = 64        # max - min over R, G, B: well above JPEG chroma noise and grey tints
DOPPLER_SHARE = 0.01   # of the sector's pixels


def to_grey(frame: np.ndarray) -> np.ndarray:
    """uint8 (H, W): the luma of an RGB frame, a grey frame as it is."""
    return cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY) if frame.ndim == 3 else frame


def chroma(frame: np.ndarray) -> np.ndarray:
    """uint8 (H, W): how coloured each pixel is (max - min over the channels; 0 for a grey frame)."""
    if frame.ndim == 2:
        return np.zeros(frame.shape, np.uint8)
    return (frame.max(axis=2) - frame.min(axis=2)).astype(np.uint8)


def check_not_doppler(chroma_max: np.ndarray, sector_mask: np.ndarray) -> None:
    """Raise VideoError(COLOUR_DOPPLER) when the sector is coloured; ``chroma_max`` is over sampled frames."""
    inside = int(sector_mask.sum())
    coloured = int((chroma_max[sector_mask] > CHROMA_MIN).sum())
    if inside and coloured > DOPPLER_SHARE * inside:
        raise VideoError(RejectReason.COLOUR_DOPPLER,
                         f"{coloured / inside:.1%} of the sector is colour (colour flow); only B-mode is analysed")
