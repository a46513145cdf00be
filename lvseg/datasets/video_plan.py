"""Which videos a video analysis reads: every video of a source, traced or not.

A source is an EchoNet-layout root (FileList.csv and Videos/; VolumeTracings.csv optional, and optional per
video) or any folder of videos, local or gs://: EchoNet AVIs and scanner exports (DICOM cine loops, AVI/MP4
of any size, subfolders of PNG/JPEG frames), told apart by lvseg.datasets.scanner.entries. Unlike training,
analysis needs no tracing: a FileList row becomes a task whatever VolumeTracings.csv says about it; where a
video's two tracings are valid they ride along, so the analysis can also report EF at the experts' own ED
and ES frames. A row that cannot be read, or whose values are impossible, is a named reject, by the same
rules as training (lvseg.datasets). ``input_videos`` = FileList data lines (or a folder's files and frame
folders) = tasks + rejects + skipped (rows of other splits). A line that cannot be read is a reject whatever
split it may have been of.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from lvseg import storage
from lvseg.datasets.filelist import FILELIST, FILELIST_COLUMNS, check_row, reject_id
from lvseg.datasets.rejects import Reject, RejectReason
from lvseg.datasets.scanner import entries
from lvseg.datasets.scanner.entries import Entry
from lvseg.datasets.tables import NAME_LIMIT, read_rows
from lvseg.datasets.tracings import TRACINGS, read_tracings, validate_tracings
from lvseg.geometry.mask import Tracing

ECHONET = "echonet"
NOT_A_VIDEO_DETAIL = "not a video, a DICOM file or a folder of PNG/JPEG frames"
SINGLE_FILE_SUFFIXES = (".avi", *entries.VIDEO_SUFFIXES, *entries.DICOM_SUFFIXES)


@dataclass(frozen=True)
class AnalysisTask:
    """One video to analyse: where it is and what the source says about it (None where it says nothing)."""

    video_id: str
    path: str
    split: str = ""                      # TRAIN / VAL / TEST from FileList, "" for a plain folder
    fps: float | None = None             # FileList FPS; None: read from the file
    ef_reference: float | None = None    # FileList EF
    tracings: dict[int, Tracing] | None = field(default=None, hash=False)  # the experts' ED and ES, if valid
    kind: str = ECHONET                  # ECHONET (a FileList row), or a plain folder's entries.AVI / SCANNER


@dataclass(frozen=True)
class VideoPlan:
    tasks: list[AnalysisTask]
    rejects: list[Reject]
    layout: str       # "echonet" or "folder"
    skipped: int = 0  # readable FileList rows of splits not asked for

    @property
    def input_videos(self) -> int:
        return len(self.tasks) + len(self.rejects) + self.skipped


def plan_videos(source: str, splits: tuple[str, ...] = ()) -> VideoPlan:
    """Every video of ``source`` as a task or a reject; ``splits`` keeps only FileList rows of those splits."""
    if storage.exists(storage.join(source, FILELIST)):
        return _plan_echonet(source, tuple(s.upper() for s in splits))
    return _plan_folder(source)


def _plan_echonet(root: str, splits: tuple[str, ...]) -> VideoPlan:
    tracings = read_tracings(storage.join(root, TRACINGS)) if storage.exists(storage.join(root, TRACINGS)) else None
    tasks: list[AnalysisTask] = []
    rejects: list[Reject] = []
    seen: set[str] = set()
    skipped = 0
    for row in read_rows(storage.join(root, FILELIST), FILELIST_COLUMNS):
        meta = check_row(row, seen)  # every row, as the training plan does: a duplicate is one whatever its split
        if isinstance(meta, Reject):
            rejects.append(meta)
        elif splits and meta.split not in splits:
            skipped += 1
        else:
            tasks.append(AnalysisTask(meta.video_id, storage.join(root, "Videos", meta.video_id + ".avi"),
                                      meta.split, meta.fps, meta.ef,
                                      _expert_tracings(tracings, meta.video_id, meta.number_of_frames)))
    return VideoPlan(tasks, rejects, "echonet", skipped)


def _expert_tracings(table, video_id: str, frames: int) -> dict[int, Tracing] | None:
    """The video's two tracings when VolumeTracings.csv holds valid ones; otherwise None (not a reject)."""
    if table is None or video_id not in table.rows or video_id in table.unreadable:
        return None
    checked = validate_tracings(video_id, table.rows[video_id], frames)
    return None if isinstance(checked, Reject) else checked


def _plan_folder(folder: str) -> VideoPlan:
    """Every entry directly in ``folder`` and in its Videos/ subfolder (or ``folder`` itself when it is one
    file): each AVI, DICOM file, other video container or subfolder of PNG/JPEG frames is a task
    (lvseg.datasets.scanner.entries), any other file a named reject (``not_a_video``), so that every file is
    counted. Two entries whose ids match but for case or extension (``a.avi``, ``a.AVI``, ``a.dcm``; one in
    Videos/ and one beside it) would be one video in every output: the first by path is kept, the others are
    ``duplicate_video_name``. Names may hold spaces and letters of any script (``is_safe_folder_name``)."""
    tasks: list[AnalysisTask] = []
    rejects: list[Reject] = []
    kept: dict[str, str] = {}
    for entry in _folder_entries(folder):
        where = _relative(folder, entry.path)
        video_id = entry.video_id
        if not entry.kind:
            rejects.append(Reject(reject_id(video_id, where), RejectReason.NOT_A_VIDEO, NOT_A_VIDEO_DETAIL))
        elif not is_safe_folder_name(video_id):
            rejects.append(Reject(reject_id(video_id, where), RejectReason.UNSAFE_FILENAME, "not a plain file name"))
        elif video_id.casefold() in kept:
            rejects.append(Reject(reject_id(where, where), RejectReason.DUPLICATE_VIDEO_NAME,
                                  f"the same video id as {kept[video_id.casefold()]}, which is analysed"))
        else:
            kept[video_id.casefold()] = where
            tasks.append(AnalysisTask(video_id, entry.path, kind=entry.kind))
    return VideoPlan(tasks, rejects, "folder")


def is_safe_folder_name(video_id: str) -> bool:
    """A video id from a plain folder's file name: printable text of any script (spaces too), at most
    NAME_LIMIT characters, that cannot be read as a path, a hidden file or a CSV field boundary."""
    return (0 < len(video_id) <= NAME_LIMIT and video_id.isprintable() and video_id == video_id.strip()
            and not video_id.startswith(".") and not any(c in video_id for c in '/\\,"'))


def _folder_entries(folder: str) -> list[Entry]:
    """The entries a plain source holds: itself when it is one file; else the files and frame folders directly
    in it and in Videos/ (a source that holds only stills is itself one clip of frames)."""
    if storage.is_gcs(folder):
        single = os.path.splitext(folder)[1].lower() in SINGLE_FILE_SUFFIXES and storage.exists(folder)
        files, folders = ([folder], {}) if single else _gcs_listing(folder)
    elif os.path.isfile(folder):
        files, folders = [folder], {}
    elif not os.path.isdir(folder):
        raise FileNotFoundError(2, "no such file or directory", folder)
    else:
        files, folders = _local_listing(folder)
    files = [p for p in files if os.path.basename(p.rstrip("/")) != TRACINGS]
    if files and not folders and all(entries.is_image(p) for p in files):
        clip = entries.frame_folder(folder, files)
        return [clip] if clip is not None else []
    found = [entries.classify_file(p) for p in files]
    found += [e for path, names in folders.items() if (e := entries.frame_folder(path, names)) is not None]
    if not found:
        raise FileNotFoundError(2, "no FileList.csv and no video file", folder)
    return sorted(found, key=lambda e: e.path)


def _local_listing(folder: str) -> tuple[list[str], dict[str, list[str]]]:
    files: list[str] = []
    folders: dict[str, list[str]] = {}
    for top in (folder, os.path.join(folder, "Videos")):
        if not os.path.isdir(top):
            continue
        for entry in os.scandir(top):
            if not entry.is_dir():
                files.append(entry.path)
            elif not (top == folder and entry.name == "Videos"):
                folders[entry.path] = os.listdir(entry.path)
    return files, folders


def _gcs_listing(folder: str) -> tuple[list[str], dict[str, list[str]]]:
    prefix = folder.rstrip("/") + "/"
    files: list[str] = []
    folders: dict[str, list[str]] = {}
    for path in storage.list_files(folder):
        parts = path[len(prefix):].split("/")
        if len(parts) == 1 or parts[0] == "Videos" and len(parts) == 2:
            files.append(path)
        elif len(parts) == 2 or parts[0] == "Videos" and len(parts) == 3:  # a file in a subfolder: maybe a frame
            folders.setdefault(path.rsplit("/", 1)[0], []).append(parts[-1])
    return files, folders


def _relative(folder: str, path: str) -> str:
    if path == folder:
        return os.path.basename(path)
    return path[len(folder.rstrip("/")) + 1:].replace(os.sep, "/")
