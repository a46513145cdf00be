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
from lvseg.datasets import limits
from lvseg.datasets.avi import complete_frames, read_header
from lvseg.datasets.rejects import Reject, RejectReason
from lvseg.frame import FRAME_SHAPE

_LOG = logging.getLogger(__name__)


class VideoError(Exception):
    """A video that cannot be used, with the reject reason that names why."""

    def __init__(self, reason: RejectReason, detail: str):
        super().__init__(f"{reason.value}: {detail}")
        self.reason = reason
        self.detail = detail


def _decode_file(path: str, max_frames: int | None = None) -> tuple[np.ndarray, float]:
    """Frames and OpenCV's frame rate (0.0 when it has none); at most ``max_frames`` frames are decoded
    (None: as many as the file holds), and never more than MAX_DECODED_BYTES of pixels."""
    capture = cv2.VideoCapture(path)
    try:
        if not capture.isOpened():
            raise VideoError(RejectReason.VIDEO_UNDECODABLE, "OpenCV could not open the file")
        fps = float(capture.get(cv2.CAP_PROP_FPS) or 0.0)
        frames: list[np.ndarray] = []
        decoded = 0
        while max_frames is None or len(frames) < max_frames:
            ok, frame = capture.read()
            if not ok:
                break
            # EchoNet frames are grey stored as 3 channels; JPEG chroma makes them differ slightly,
            # so take the luma rather than one channel.
            frames.append(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY) if frame.ndim == 3 else frame)
            decoded += frames[-1].nbytes
            if decoded > limits.MAX_DECODED_BYTES:
                raise VideoError(RejectReason.FRAMES_TOO_LARGE, f"over {limits.MAX_DECODED_BYTES:,} bytes of "
                                                                f"frames after {len(frames)} frames")
    finally:
        capture.release()
    if not frames:
        raise VideoError(RejectReason.VIDEO_UNDECODABLE, "no decodable frame")
    return np.stack(frames).astype(np.uint8), fps


def decode_bytes(data: bytes) -> tuple[np.ndarray, float]:
    """The complete frames of AVI bytes and the frame rate (OpenCV needs a file: a temporary one is used).

    The rate is the AVI header's own where the file is an AVI (0.0 when it states none: a decoder's default
    is never taken for the file's rate), else OpenCV's. Only the frames the container holds whole are
    decoded, so a header that lies about its length cannot make the decoder run on.
    """
    header = read_header(data)
    complete = complete_frames(data)
    if complete == 0:
        raise VideoError(RejectReason.VIDEO_UNDECODABLE, "no complete frame")
    handle, tmp = tempfile.mkstemp(suffix=".avi")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        try:
            frames, fps = _decode_file(tmp, complete)
        except VideoError as err:
            if header is not None and not header.mjpeg and err.reason is RejectReason.VIDEO_UNDECODABLE:
                raise VideoError(RejectReason.UNSUPPORTED_CODEC,
                                 f"codec {header.codec!r}: OpenCV decodes no frame of it") from None
            raise
    finally:
        os.unlink(tmp)
    if header is not None:
        fps = header.fps or 0.0
    return frames, fps


def check_header(data: bytes) -> None:
    """VideoError when an AVI's header alone rules it out: a frame size other than 112x112, or more frames
    than lvseg reads (lvseg.datasets.limits); called before any frame is decoded."""
    header = read_header(data)
    if header is None:
        return
    if (header.height, header.width) != FRAME_SHAPE:
        if max(header.width, header.height) > 8 * max(FRAME_SHAPE):
            raise VideoError(RejectReason.FRAMES_TOO_LARGE, f"the AVI header says {header.height}x{header.width}")
        raise VideoError(RejectReason.UNSUPPORTED_FRAME_SIZE, f"the AVI header says {header.height}x{header.width}")
    problem = limits.frames_problem(header.frames)
    if problem:
        raise VideoError(RejectReason.FRAMES_TOO_LARGE, f"the AVI header says {problem}")


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


def _check_length(data: bytes, frames: np.ndarray) -> None:
    """VIDEO_TRUNCATED when the AVI's header states more frames than the file holds whole (a half-copied
    file: its header, written first, still counts every frame)."""
    header = read_header(data)
    if header is not None and header.frames > len(frames):
        raise VideoError(RejectReason.VIDEO_TRUNCATED,
                         f"{len(frames)} of {header.frames} frames (the AVI header's count) are complete")


def load_or_reject(video_id: str, path: str) -> tuple[np.ndarray, float, bytes] | Reject:
    """load_video for a job that must not fail on one video: the frames, or the Reject that says why not.

    Every job that decodes dataset videos (training records, analysis, streaming) takes this one rule: the
    header is judged before decoding (size, length: ``check_header``); a VideoError keeps its reason; an
    I/O error Beam may retry is re-raised; anything else is a property of this file (``video_undecodable``,
    logged with its traceback); frames must be 112x112, and as many as the header states.
    """
    try:
        source = read_source(path)
        check_header(source)
        frames, fps = decode_bytes(source)
        _check_length(source, frames)
    except Exception as err:
        return reject_for(video_id, err)
    if frames.shape[1:] != FRAME_SHAPE:
        return Reject(video_id, RejectReason.UNSUPPORTED_FRAME_SIZE, f"video is {frames.shape[1]}x{frames.shape[2]}")
    return frames, fps, source


def reject_for(video_id: str, err: Exception) -> Reject:
    """The Reject an error reading one video means (call it in an ``except``): a VideoError keeps its reason;
    an I/O error Beam may retry is re-raised; anything else is a property of this file
    (``video_undecodable``, logged with its traceback)."""
    if isinstance(err, VideoError):
        return Reject(video_id, err.reason, err.detail)
    if storage.is_transient(err):
        raise err
    _LOG.exception("decoding %s failed", video_id)
    return Reject(video_id, RejectReason.VIDEO_UNDECODABLE, f"{type(err).__name__}: {err}")


def check_local_entry(path: str, folder_ok: bool = False) -> None:
    """VideoError unless a local path is a regular file (or, with ``folder_ok``, a folder) that resolves
    inside the folder it is listed in; nothing is opened (a FIFO named like a video would block)."""
    if not _inside_own_folder(path):
        raise VideoError(RejectReason.VIDEO_OUTSIDE_DATASET, "a symlink that leads out of its folder")
    if os.path.isfile(path) or folder_ok and os.path.isdir(path):
        return
    if not os.path.lexists(path):
        raise VideoError(RejectReason.VIDEO_MISSING, "file not found")
    raise VideoError(RejectReason.VIDEO_NOT_A_FILE, "not a regular file")
