"""Read a video file of any size and codec OpenCV decodes (AVI, MP4, MOV...: screen recordings, exports), lazily.

The frame size and count come from the container before any frame is decoded (limits checked); the
frame rate is the container's own. Frames are converted to RGB (OpenCV decodes to BGR); a skipped frame is
only grabbed, not converted.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence

import cv2
import numpy as np

from lvseg.datasets.rejects import RejectReason
from lvseg.datasets.scanner.limits import Limits
from lvseg.datasets.scanner.source import ClipSource, checked_fps
from lvseg.datasets.video import VideoError


def _capture(path: str) -> cv2.VideoCapture:
    capture = cv2.VideoCapture(path)
    if not capture.isOpened():
        capture.release()
        raise VideoError(RejectReason.VIDEO_UNDECODABLE, "OpenCV could not open the file")
    return capture


def open_video(path: str, limits: Limits = Limits(), fallback_fps: float | None = None) -> ClipSource:
    """Open a video file; raises VideoError (video_missing, video_empty, video_undecodable, frames_too_large,
    no_frame_rate: ``fallback_fps`` is used only where the container states no rate)."""
    if not os.path.exists(path):
        raise VideoError(RejectReason.VIDEO_MISSING, "file not found")
    if os.path.isfile(path) and os.path.getsize(path) == 0:
        raise VideoError(RejectReason.VIDEO_EMPTY, "zero-byte file")
    capture = _capture(path)
    try:
        columns = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH))
        rows = int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT))
        count = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
        fps = float(capture.get(cv2.CAP_PROP_FPS) or 0.0)
        code = int(capture.get(cv2.CAP_PROP_FOURCC))
    finally:
        capture.release()
    limits.check_frame(rows, columns, 3)
    count_known = count if count > 0 else None
    if count_known is not None:
        limits.check_count(count_known)
    rate, origin = checked_fps(fps if fps > 0 else None, "the video container", fallback_fps)

    def read(indices: Sequence[int] | None) -> Iterator[np.ndarray]:
        wanted = None if indices is None else set(indices)
        last = None if indices is None else max(indices, default=-1)
        capture = _capture(path)
        try:
            index = 0
            while last is None or index <= last:
                if index >= limits.max_frames:
                    raise VideoError(RejectReason.FRAMES_TOO_LARGE, f"more than {limits.max_frames} frames")
                if wanted is not None and index not in wanted:
                    if not capture.grab():
                        return
                else:
                    ok, frame = capture.read()
                    if not ok:
                        return
                    if frame.shape[:2] != (rows, columns):
                        raise VideoError(RejectReason.VIDEO_UNDECODABLE,
                                         f"frame {index} is {frame.shape[1]}x{frame.shape[0]}, not {columns}x{rows}")
                    yield cv2.cvtColor(frame, cv2.COLOR_BGR2RGB) if frame.ndim == 3 else frame
                index += 1
        finally:
            capture.release()

    fourcc = "".join(chr((code >> 8 * i) & 0xFF) for i in range(4)).strip("\x00 ") or "unknown"
    container = f"{os.path.splitext(path)[1].lstrip('.').upper() or 'video'} file, codec {fourcc}"
    return ClipSource(path, "video", rows, columns, count_known, rate, origin, read=read, container=container)
