"""Decode an EchoNet AVI into uint8 grey frames (T, H, W) with OpenCV, local or gs://."""

from __future__ import annotations

import os
import tempfile

import cv2
import numpy as np

from lvseg import storage
from lvseg.datasets.rejects import RejectReason


class VideoError(Exception):
    """A video that cannot be used, with the reject reason that names why."""

    def __init__(self, reason: RejectReason, detail: str):
        super().__init__(f"{reason.value}: {detail}")
        self.reason = reason
        self.detail = detail


def _decode_file(path: str) -> tuple[np.ndarray, float]:
    capture = cv2.VideoCapture(path)
    try:
        if not capture.isOpened():
            raise VideoError(RejectReason.VIDEO_UNDECODABLE, "OpenCV could not open the file")
        fps = float(capture.get(cv2.CAP_PROP_FPS) or 0.0)
        frames = []
        while True:
            ok, frame = capture.read()
            if not ok:
                break
            # EchoNet frames are grey stored as 3 channels; JPEG chroma makes them differ slightly,
            # so take the luma rather than one channel.
            frames.append(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY) if frame.ndim == 3 else frame)
    finally:
        capture.release()
    if not frames:
        raise VideoError(RejectReason.VIDEO_UNDECODABLE, "no decodable frame")
    return np.stack(frames).astype(np.uint8), fps


def decode_bytes(data: bytes) -> tuple[np.ndarray, float]:
    """Decode AVI bytes (OpenCV needs a file, so a temporary one is used)."""
    handle, tmp = tempfile.mkstemp(suffix=".avi")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        return _decode_file(tmp)
    finally:
        os.unlink(tmp)


def read_source(path: str) -> bytes:
    """The video file's bytes; raises VideoError for a missing or empty file."""
    try:
        data = storage.read_bytes(path)  # one request on gs://: no separate existence check
    except FileNotFoundError:
        raise VideoError(RejectReason.VIDEO_MISSING, "file not found") from None
    if not data:
        raise VideoError(RejectReason.VIDEO_EMPTY, "zero-byte file")
    return data


def load_video(path: str) -> tuple[np.ndarray, float, bytes]:
    """(frames uint8 (T, H, W), fps, the file's bytes) of a video; raises VideoError naming the reject reason.

    The bytes are kept so whole-video records can store the original MJPEG stream instead of
    re-compressing decoded pixels.
    """
    data = read_source(path)
    if storage.is_gcs(path):
        frames, fps = decode_bytes(data)
    else:
        frames, fps = _decode_file(path)
    return frames, fps, data
