"""Decode an EchoNet AVI into uint8 grey frames (T, H, W) with OpenCV, local or gs://.

Only complete frames come out: OpenCV's decoder invents the missing rows of a frame the file ends in, so
frames that the AVI's structure shows to be incomplete (lvseg.datasets.avi) are dropped. The bytes read are
the bytes decoded (and the bytes records store). A video must be a regular file that resolves inside its
own folder: a directory, FIFO or device named like a video, or a symlink that leads elsewhere, is refused.
"""

from __future__ import annotations

import logging
import os
import tempfile

import cv2
import numpy as np

from lvseg import storage
from lvseg.datasets.avi import complete_frames
from lvseg.datasets.rejects import Reject, RejectReason
from lvseg.frame import FRAME_SHAPE

_LOG = logging.getLogger(__name__)


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
    """The complete frames of AVI bytes and the frame rate (OpenCV needs a file: a temporary one is used)."""
    handle, tmp = tempfile.mkstemp(suffix=".avi")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        frames, fps = _decode_file(tmp)
    finally:
        os.unlink(tmp)
    complete = complete_frames(data)
    if complete is not None and complete < len(frames):
        if complete == 0:
            raise VideoError(RejectReason.VIDEO_UNDECODABLE, "no complete frame")
        frames = frames[:complete]
    return frames, fps


def read_source(path: str) -> bytes:
    """The video file's bytes; raises VideoError for a missing, empty, unreadable or not-a-file entry."""
    if not storage.is_gcs(path) and not _inside_own_folder(path):
        raise VideoError(RejectReason.VIDEO_OUTSIDE_DATASET, "a symlink that leads out of its folder")
    try:
        data = storage.read_bytes(path)  # one request on gs://: no separate existence check
    except FileNotFoundError:
        raise VideoError(RejectReason.VIDEO_MISSING, "file not found") from None
    except storage.NotAFileError as err:
        raise VideoError(RejectReason.VIDEO_NOT_A_FILE, f"not a regular file ({err.kind})") from None
    except PermissionError:
        raise VideoError(RejectReason.VIDEO_UNREADABLE, "permission denied") from None
    if not data:
        raise VideoError(RejectReason.VIDEO_EMPTY, "zero-byte file")
    return data


def _inside_own_folder(path: str) -> bool:
    """Whether a local path resolves (symlinks followed) inside the folder it is listed in."""
    folder = os.path.realpath(os.path.dirname(os.path.abspath(path)))
    return os.path.commonpath([folder, os.path.realpath(path)]) == folder


def load_video(path: str) -> tuple[np.ndarray, float, bytes]:
    """(frames uint8 (T, H, W), fps, the file's bytes) of a video; raises VideoError naming the reject reason.

    The bytes are kept so whole-video records can store the original MJPEG stream instead of
    re-compressing decoded pixels.
    """
    data = read_source(path)
    frames, fps = decode_bytes(data)
    return frames, fps, data


def load_or_reject(video_id: str, path: str) -> tuple[np.ndarray, float, bytes] | Reject:
    """load_video for a job that must not fail on one video: the frames, or the Reject that says why not.

    Every job that decodes dataset videos (training records, analysis, streaming) takes this one rule: a
    VideoError keeps its reason; an I/O error Beam may retry is re-raised; anything else is a property of
    this file (``video_undecodable``, logged with its traceback); frames must be 112x112.
    """
    try:
        frames, fps, source = load_video(path)
    except VideoError as err:
        return Reject(video_id, err.reason, err.detail)
    except Exception as err:
        if storage.is_transient(err):
            raise
        _LOG.exception("decoding %s failed", video_id)
        return Reject(video_id, RejectReason.VIDEO_UNDECODABLE, f"{type(err).__name__}: {err}")
    if frames.shape[1:] != FRAME_SHAPE:
        return Reject(video_id, RejectReason.UNSUPPORTED_FRAME_SIZE, f"video is {frames.shape[1]}x{frames.shape[2]}")
    return frames, fps, source
