"""What each entry of a plain video folder is: an AVI, a scanner clip (DICOM, another video container, a
folder of frames) or not a video at all, and the video id it goes by.

An ``.avi`` may be an EchoNet clip (112x112: read as EchoNet-Dynamic's own videos are) or a scanner's export
of any size (converted to the EchoNet frame): which one is known only from its header, so the worker
decides. DICOM files are recognised by their extension or, whatever their name (scanners often write
extensionless ``IM_0001`` files), by the 'DICM' preamble; a folder of PNG/JPEG stills is one clip.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from lvseg import storage
from lvseg.datasets.scanner.dicom import PREAMBLE_BYTES, has_preamble
from lvseg.datasets.scanner.image_folder import EXTENSIONS as IMAGE_SUFFIXES
from lvseg.datasets.scanner.reader import DICOM_SUFFIXES

AVI = "avi"             # an AVI: EchoNet when its header says 112x112, else a scanner export
SCANNER = "scanner"     # converted to the EchoNet frame (lvseg.datasets.scanner)
VIDEO_SUFFIXES = (".mp4", ".m4v", ".mov", ".mkv", ".wmv", ".mpg", ".mpeg", ".webm")


@dataclass(frozen=True)
class Entry:
    """One entry of a folder: its kind (AVI, SCANNER or "" for not a video) and the video id it goes by."""

    path: str
    kind: str
    video_id: str


def head(path: str, size: int = PREAMBLE_BYTES) -> bytes:
    """The first ``size`` bytes of a regular file, local or gs:// (b"" where they cannot be read)."""
    try:
        if storage.is_gcs(path):
            bucket, key = storage.split_gcs(path)
            return storage.gcs_client().bucket(bucket).blob(key).download_as_bytes(start=0, end=size - 1)
        if not os.path.isfile(path):  # a FIFO would block the open: only regular files are looked into
            return b""
        with open(path, "rb") as handle:
            return handle.read(size)
    except Exception as err:  # a file that cannot be read is not a DICOM file; a transient error is retried
        if storage.is_transient(err):
            raise
        return b""


def classify_file(path: str) -> Entry:
    """What a file is, by its extension (.avi, a video container, .dcm) or its DICOM preamble."""
    name = path.rstrip("/").rsplit("/", 1)[-1] if storage.is_gcs(path) else os.path.basename(path)
    stem, suffix = os.path.splitext(name)
    suffix = suffix.lower()
    if suffix == ".avi":
        return Entry(path, AVI, stem)
    if suffix in VIDEO_SUFFIXES or suffix in DICOM_SUFFIXES:
        return Entry(path, SCANNER, stem)
    if suffix not in IMAGE_SUFFIXES and has_preamble(head(path)):
        return Entry(path, SCANNER, name)  # an extensionless (or oddly named) DICOM file keeps its whole name
    return Entry(path, "", name)


def is_image(name: str) -> bool:
    """A still frame (PNG / JPEG) by its name."""
    return name.lower().endswith(IMAGE_SUFFIXES)


def frame_folder(path: str, names: list[str]) -> Entry | None:
    """A folder holding PNG/JPEG stills is one clip of frames (None: it holds none, it is not a clip)."""
    if not any(is_image(n) for n in names):
        return None
    return Entry(path.rstrip("/"), SCANNER, path.rstrip("/").rsplit("/", 1)[-1])
