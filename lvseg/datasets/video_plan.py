"""Which videos a video analysis reads: every video of a source, traced or not.

A source is an EchoNet-layout root (FileList.csv and Videos/; VolumeTracings.csv optional, and optional per
video) or any folder of .avi files, local or gs://. Unlike training, analysis needs no tracing: a FileList
row becomes a task whatever VolumeTracings.csv says about it; where a video's two tracings are valid they
ride along, so the analysis can also report EF at the experts' own ED and ES frames. A row that cannot be
read, or whose values are impossible, is a named reject, by the same rules as training (lvseg.datasets).
``input_videos`` = FileList data lines (or .avi files) = tasks + rejects + skipped (rows of other splits).
A line that cannot be read is a reject whatever split it may have been of.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from lvseg import storage
from lvseg.datasets.filelist import FILELIST, FILELIST_COLUMNS, check_row, is_safe_name, normalize_name, reject_id
from lvseg.datasets.rejects import Reject, RejectReason
from lvseg.datasets.tables import read_rows
from lvseg.datasets.tracings import TRACINGS, read_tracings, validate_tracings
from lvseg.geometry.mask import Tracing



@dataclass(frozen=True)
class AnalysisTask:
    """One video to analyse: where it is and what the source says about it (None where it says nothing)."""

    video_id: str
    path: str
    split: str = ""                      # TRAIN / VAL / TEST from FileList, "" for a plain folder
    fps: float | None = None             # FileList FPS; None: read from the file
    ef_reference: float | None = None    # FileList EF
    tracings: dict[int, Tracing] | None = field(default=None, hash=False)  # the experts' ED and ES, if valid


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
    tasks, rejects, seen, skipped = [], [], set(), 0
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
    """Every ``*.avi`` directly in ``folder`` (or in its Videos/ subfolder, when it has one)."""
    videos = storage.join(folder, "Videos")
    listed = storage.list_files(videos) or storage.list_files(folder)
    if not listed:
        raise FileNotFoundError(2, "no FileList.csv and no .avi file", folder)
    tasks, rejects = [], []
    for path in listed:
        parent, name = os.path.split(path) if not storage.is_gcs(path) else path.rsplit("/", 1)
        if not name.lower().endswith(".avi") or parent.rstrip("/") not in (folder.rstrip("/"), videos.rstrip("/")):
            continue  # other files, and files in deeper folders, are not videos of this source
        video_id = normalize_name(name)
        if is_safe_name(video_id):
            tasks.append(AnalysisTask(video_id, path))
        else:
            rejects.append(Reject(reject_id(video_id, "(file name)"), RejectReason.UNSAFE_FILENAME,
                                  "not a plain file name"))
    return VideoPlan(tasks, rejects, "folder")

