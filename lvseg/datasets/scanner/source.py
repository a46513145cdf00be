"""What a scanner reader hands on: a clip's header facts and a lazy iterator over its frames.

Frames come out as uint8, (H, W) grey or (H, W, 3) RGB, one at a time: no reader ever holds the whole
full-size clip. ``frames(indices)`` may be called more than once (the sector search samples the clip before
the conversion reads it all), each call reading the file afresh.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from lvseg.datasets.limits import fps_problem
from lvseg.datasets.rejects import RejectReason
from lvseg.datasets.video import VideoError



@dataclass(frozen=True)
class Spacing:
    """Physical size of one original pixel, in mm (x: along a row, y: down a column), and where it came from."""

    x_mm: float
    y_mm: float
    origin: str


@dataclass(frozen=True)
class ClipSource:
    """One opened clip: its size, frame rate and spacing as the file states them, and its frames (lazily).

    ``frame_count`` is None where the container does not say (it is counted while converting).
    ``bmode_box`` is the scanner's own B-mode region (x0, y0, x1, y1, exclusive ends) where a DICOM file
    states one; the sector search then looks only inside it.
    """

    path: str
    kind: str                                   # "dicom", "video" or "frames"
    rows: int
    columns: int
    frame_count: int | None
    fps: float
    fps_origin: str                             # e.g. "DICOM FrameTime", "container", "caller"
    spacing: Spacing | None = None
    spacing_note: str = "the file states no pixel spacing"
    bmode_box: tuple[int, int, int, int] | None = None
    read: Callable[[Sequence[int] | None], Iterator[np.ndarray]] | None = field(default=None, repr=False,
                                                                                compare=False)
    container: str = ""                         # what holds the frames, e.g. "DICOM JPEG Baseline (Process 1)"

    def frames(self, indices: Sequence[int] | None = None) -> Iterator[np.ndarray]:
        """uint8 frames, (H, W) or (H, W, 3) RGB: all of them, or those at ``indices`` (ascending)."""
        if self.read is None:
            raise ValueError(f"{self.path}: a clip without a frame reader")
        return self.read(indices)


def checked_fps(stated: float | None, origin: str, fallback_fps: float | None) -> tuple[float, str]:
    """(fps, where it came from): the file's own rate when it states a usable one, else the caller's.

    Never invented: with neither, VideoError(NO_FRAME_RATE) names what the file said.
    """
    if stated is not None and not fps_problem(stated):  # every reader's one frame-rate bound (lvseg.datasets.limits)
        return float(stated), origin
    if fallback_fps is not None:
        problem = fps_problem(fallback_fps)
        if problem:
            raise VideoError(RejectReason.NO_FRAME_RATE, f"the given frame rate: {problem}")
        return float(fallback_fps), "caller"
    said = "no frame rate" if stated is None else f"an unusable frame rate ({stated})"
    raise VideoError(RejectReason.NO_FRAME_RATE, f"{origin or 'the file'} states {said}; give it with --fps")


def to_uint8(frame: np.ndarray, bits: int = 8) -> np.ndarray:
    """A decoded frame as uint8: samples of ``bits`` significant bits scaled down; grey stays (H, W)."""
    if frame.ndim == 3 and frame.shape[2] == 1:
        frame = frame[..., 0]
    if frame.dtype == np.uint8:
        return frame
    if bits > 8:
        frame = np.right_shift(frame.astype(np.uint32), bits - 8)
    return np.clip(frame, 0, 255).astype(np.uint8)
