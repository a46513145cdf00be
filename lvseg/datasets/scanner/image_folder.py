"""Read a folder of still frames (PNG or JPEG, one file per frame, in natural name order), lazily.

A folder has no frame rate of its own: the caller must give one. Every frame must have the first one's size.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence

import cv2
import numpy as np

from lvseg.datasets.rejects import RejectReason
from lvseg.datasets.scanner.limits import Limits
from lvseg.datasets.scanner.source import ClipSource, checked_fps
from lvseg.datasets.video import VideoError

EXTENSIONS = (".png", ".jpg", ".jpeg")


def natural_key(name: str) -> list:
    """'frame10.png' after 'frame9.png': digit runs compare as numbers."""
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", name)]


def frame_files(folder: str) -> list[str]:
    """The folder's PNG/JPEG files (not in subfolders), in natural name order."""
    names = [n for n in os.listdir(folder) if n.lower().endswith(EXTENSIONS)
             and os.path.isfile(os.path.join(folder, n))]
    return [os.path.join(folder, n) for n in sorted(names, key=natural_key)]


def _read_image(path: str) -> np.ndarray:
    image = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    if image is None:
        raise VideoError(RejectReason.VIDEO_UNDECODABLE, f"{os.path.basename(path)} does not decode")
    if image.dtype != np.uint8:  # 16-bit PNG
        image = np.right_shift(image.astype(np.uint16), 8).astype(np.uint8)
    if image.ndim == 3 and image.shape[2] == 4:
        image = image[..., :3]
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB) if image.ndim == 3 else image


def open_image_folder(path: str, limits: Limits = Limits(), fallback_fps: float | None = None) -> ClipSource:
    """Open a folder of frames; raises VideoError (video_missing: no frame files, frames_too_large,
    video_undecodable, no_frame_rate unless ``fallback_fps`` is given)."""
    files = frame_files(path)
    if not files:
        raise VideoError(RejectReason.VIDEO_MISSING, "no .png/.jpg/.jpeg frame in the folder")
    limits.check_count(len(files))
    first = _read_image(files[0])
    rows, columns = first.shape[:2]
    limits.check_frame(rows, columns, 3)
    fps, origin = checked_fps(None, "a folder of frames", fallback_fps)

    def read(indices: Sequence[int] | None) -> Iterator[np.ndarray]:
        for index in range(len(files)) if indices is None else indices:
            image = _read_image(files[index])
            if image.shape[:2] != (rows, columns):
                raise VideoError(RejectReason.VIDEO_UNDECODABLE, f"{os.path.basename(files[index])} is "
                                 f"{image.shape[1]}x{image.shape[0]}, not {columns}x{rows}")
            yield image

    return ClipSource(path, "frames", rows, columns, len(files), fps, origin, read=read,
                      container=f"a folder of {len(files)} PNG/JPEG stills")
