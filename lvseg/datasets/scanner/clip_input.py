"""One planned video (lvseg.datasets.video_plan.AnalysisTask) as 112x112 frames to analyse, or its Reject.

EchoNet videos (a FileList row; an AVI whose header says 112x112) take EchoNet's own reader
(lvseg.datasets.video.load_or_reject) and the FileList's or the file's frame rate, exactly as before scanner
input existed. Everything else (DICOM loops, AVI/MP4 of another size, folders of stills) is converted to the
EchoNet frame lazily (lvseg.datasets.scanner.convert), from a local copy where it lives on gs://. The
frame rate is the file's own; ``fallback_fps`` (the caller's ``--fps``) is used only where a file states
none, never in place of one it states.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from lvseg import storage
from lvseg.datasets.avi import read_header
from lvseg.datasets.limits import fps_problem
from lvseg.datasets.rejects import Reject, RejectReason
from lvseg.datasets.scanner.convert import convert_clip
from lvseg.datasets.scanner.entries import AVI, head, is_image
from lvseg.datasets.scanner.framing import EchoNetFrame
from lvseg.datasets.video import VideoError, check_local_entry, load_or_reject, reject_for
from lvseg.datasets.video_plan import AnalysisTask
from lvseg.frame import FRAME_SHAPE

AVI_HEAD_BYTES = 64 * 1024  # an AVI's header list comes first; OpenCV's writers keep it well under this
ECHONET = "echonet"


@dataclass(frozen=True)
class AnalysisClip:
    """A video ready to analyse: grey uint8 (T, 112, 112) frames, their rate and where it came from, the
    reader (``ECHONET`` or a scanner kind: dicom / video / frames) and, for scanner input, the mapping back
    to the original frames (with the pixel spacing where the file states one)."""

    frames: np.ndarray
    fps: float
    fps_origin: str
    source: str
    mapping: EchoNetFrame | None = None


def is_echonet_avi(task: AnalysisTask) -> bool:
    """Whether a task is read as an EchoNet video: a FileList row, or an AVI whose header says 112x112 (or
    cannot be read from its head: EchoNet's reader then names what is wrong)."""
    if task.kind != AVI:
        return task.kind == ECHONET
    header = read_header(head(task.path, AVI_HEAD_BYTES))
    return header is None or (header.height, header.width) == FRAME_SHAPE


def load_for_analysis(task: AnalysisTask, fallback_fps: float | None = None) -> AnalysisClip | Reject:
    """The task's frames in the EchoNet frame, or the Reject that says why not (never raises for a bad file;
    an I/O error Beam may retry is re-raised)."""
    if is_echonet_avi(task):
        loaded = _echonet(task, fallback_fps)
        if not (isinstance(loaded, Reject) and task.kind == AVI
                and loaded.reason is RejectReason.UNSUPPORTED_FRAME_SIZE):
            return loaded
    try:
        with localized(task.path) as local:
            if not storage.is_gcs(task.path):
                check_local_entry(local, folder_ok=True)
            converted = convert_clip(local, fallback_fps)
    except Exception as err:
        return reject_for(task.video_id, err)
    return AnalysisClip(converted.frames, converted.fps, converted.fps_origin, converted.source.kind,
                        converted.mapping)


def _echonet(task: AnalysisTask, fallback_fps: float | None) -> AnalysisClip | Reject:
    loaded = load_or_reject(task.video_id, task.path)
    if isinstance(loaded, Reject):
        return loaded
    frames, file_fps, _ = loaded
    fps, origin = (task.fps, "FileList") if task.fps else (file_fps, "the video container")
    problem = fps_problem(fps)  # FileList's rate is within limits already (lvseg.datasets.filelist)
    if problem and fallback_fps is not None and not fps_problem(fallback_fps):
        fps, origin, problem = fallback_fps, "caller", ""
    if problem:  # never a decoder's default, never a rate that would make the analysis run for minutes
        return Reject(task.video_id, RejectReason.NO_FRAME_RATE, f"the file states {problem}")
    return AnalysisClip(frames, float(fps), origin, ECHONET)


@contextlib.contextmanager
def localized(path: str) -> Iterator[str]:
    """A local path for ``path``: itself, or for gs:// a temporary copy (a file, or a folder of its stills)."""
    if not storage.is_gcs(path):
        yield path
        return
    folder = tempfile.mkdtemp(prefix="lvseg_clip_")
    try:
        name = path.rstrip("/").rsplit("/", 1)[-1]
        local = os.path.join(folder, "clip" + os.path.splitext(name)[1])
        if storage.exists(path):
            _copy(path, local)
        else:  # a folder of frames: its stills, one level deep
            os.mkdir(local)
            prefix = path.rstrip("/") + "/"
            for blob in storage.list_files(path):
                relative = blob[len(prefix):]
                if "/" not in relative and is_image(relative):
                    _copy(blob, os.path.join(local, relative))
        yield local
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _copy(gcs_path: str, local: str) -> None:
    """Download one object to a local file, streamed (a long loop is never held in memory)."""
    bucket, key = storage.split_gcs(gcs_path)
    try:
        storage.gcs_client().bucket(bucket).blob(key).download_to_filename(local)
    except Exception as err:
        if type(err).__name__ == "NotFound":
            raise VideoError(RejectReason.VIDEO_MISSING, "file not found") from None
        raise
