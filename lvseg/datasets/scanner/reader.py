"""Open any scanner clip by what it is: a folder of frames, a DICOM file, or a video file OpenCV decodes."""

from __future__ import annotations

import os

from lvseg.datasets.scanner.dicom import is_dicom, open_dicom
from lvseg.datasets.scanner.image_folder import open_image_folder
from lvseg.datasets.scanner.limits import Limits
from lvseg.datasets.scanner.source import ClipSource
from lvseg.datasets.scanner.video_file import open_video

DICOM_SUFFIXES = (".dcm", ".dicom")


def open_clip(path: str, limits: Limits = Limits(), fallback_fps: float | None = None) -> ClipSource:
    """A lazily read clip; raises lvseg.datasets.video.VideoError with a named reason.

    A directory is a folder of PNG/JPEG frames; a file with the DICOM preamble (or a .dcm name) is DICOM;
    anything else goes to OpenCV. ``fallback_fps`` is used only where the file states no frame rate.
    """
    if os.path.isdir(path):
        return open_image_folder(path, limits, fallback_fps)
    if is_dicom(path) or path.lower().endswith(DICOM_SUFFIXES):
        return open_dicom(path, limits, fallback_fps)
    return open_video(path, limits, fallback_fps)
