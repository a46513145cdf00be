"""Convert a scanner clip to EchoNet frames, frame by frame: sample, find the sector, map every frame.

Two passes over the file, neither holding more than one full-size frame: the first reads up to
SAMPLE_FRAMES frames spread over the clip (temporal max and standard deviation of the grey image, the
largest colour spread) to find the sector (inside the DICOM B-mode region where the file states one) and
refuse colour Doppler; the second converts every frame to 112x112 (lvseg.datasets.scanner.framing).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from lvseg.datasets.rejects import RejectReason
from lvseg.datasets.scanner.colour import check_not_doppler, chroma, to_grey
from lvseg.datasets.scanner.framing import SIZE, EchoNetFrame, echonet_frame
from lvseg.datasets.scanner.limits import Limits
from lvseg.datasets.scanner.reader import open_clip
from lvseg.datasets.scanner.sector import find_sector
from lvseg.datasets.scanner.source import ClipSource
from lvseg.datasets.video import VideoError

SAMPLE_FRAMES = 48
UNKNOWN_COUNT_STRIDE = 4  # without a stated frame count, sample every 4th of the first frames


@dataclass(frozen=True)
class ConvertedClip:
    """A clip in the EchoNet frame: grey uint8 (T, 112, 112), its frame rate and the mapping back."""

    frames: np.ndarray
    fps: float
    fps_origin: str
    mapping: EchoNetFrame
    source: ClipSource


def sample_indices(count: int | None, samples: int = SAMPLE_FRAMES) -> list[int]:
    """Up to ``samples`` frame indices spread evenly over ``count`` frames (the first ones when unknown)."""
    if count is None:
        return list(range(0, samples * UNKNOWN_COUNT_STRIDE, UNKNOWN_COUNT_STRIDE))
    return sorted(set(np.linspace(0, count - 1, min(samples, count)).round().astype(int).tolist()))


def locate(source: ClipSource) -> EchoNetFrame:
    """The clip's EchoNet mapping, from a sample of its frames; raises VideoError (no_sector_found,
    colour_doppler, video_undecodable)."""
    sampled = iter(source.frames(sample_indices(source.frame_count)))
    first = next(sampled, None)
    if first is None:
        raise VideoError(RejectReason.VIDEO_UNDECODABLE, "no decodable frame")
    shape = first.shape[:2]
    total, squares = np.zeros(shape, np.float64), np.zeros(shape, np.float64)
    grey_max, chroma_max = np.zeros(shape, np.float32), np.zeros(shape, np.uint8)
    n = 0
    for frame in itertools.chain([first], sampled):
        grey = to_grey(frame).astype(np.float64)
        total += grey
        squares += grey * grey
        np.maximum(grey_max, grey, out=grey_max)
        np.maximum(chroma_max, chroma(frame), out=chroma_max)
        n += 1
    grey_std = np.sqrt(np.maximum(squares / n - (total / n) ** 2, 0.0)).astype(np.float32)
    if source.bmode_box is not None:  # search only the scanner's own B-mode region
        x0, y0, x1, y1 = source.bmode_box
        outside = np.ones(grey_max.shape, bool)
        outside[y0:y1, x0:x1] = False
        grey_max[outside] = 0
        grey_std[outside] = 0
    sector = find_sector(grey_max, grey_std)
    check_not_doppler(chroma_max, sector.mask)
    return echonet_frame(sector, (source.rows, source.columns), source.spacing, source.spacing_note)


def iter_converted(source: ClipSource, mapping: EchoNetFrame) -> Iterator[np.ndarray]:
    """Every frame of the clip as its grey uint8 112x112 EchoNet frame, one at a time."""
    for frame in source.frames():
        yield mapping.to_echonet(frame)


def convert_source(source: ClipSource) -> ConvertedClip:
    """All frames of an opened clip in the EchoNet frame (only the 112x112 frames are kept)."""
    mapping = locate(source)
    if source.frame_count is not None:
        frames = np.zeros((source.frame_count, SIZE, SIZE), np.uint8)
        n = 0
        for n, small in enumerate(iter_converted(source, mapping), 1):
            if n > len(frames):  # more frames than the header said: grow (rare, e.g. a variable-rate video)
                frames = np.concatenate([frames, np.zeros_like(frames)])
            frames[n - 1] = small
        frames = frames[:n]
    else:
        converted = list(iter_converted(source, mapping))
        frames = np.stack(converted) if converted else np.zeros((0, SIZE, SIZE), np.uint8)
    if len(frames) == 0:
        raise VideoError(RejectReason.VIDEO_UNDECODABLE, "no decodable frame")
    return ConvertedClip(frames, source.fps, source.fps_origin, mapping, source)


def convert_clip(path: str, fallback_fps: float | None = None, limits: Limits = Limits()) -> ConvertedClip:
    """Open any scanner clip (DICOM, video file, folder of frames) and convert it to the EchoNet frame.

    ``fallback_fps`` is used only where the file states no frame rate. Raises VideoError with a named reason.
    """
    return convert_source(open_clip(path, limits, fallback_fps))
