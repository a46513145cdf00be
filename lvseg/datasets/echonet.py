"""Read EchoNet-Dynamic (FileList.csv, VolumeTracings.csv, Videos/*.avi), local or gs://.

Reading happens in two steps so a distributed job can split them:
  ``plan_dataset(root)`` parses and validates both CSVs (cheap, one process) and returns one
  ``VideoTask`` per usable FileList row plus a ``Reject`` for every row or orphan tracing that
  cannot be used;  ``load_task(task)`` decodes the video and returns an ``EchoVideo`` or a ``Reject``.
``iter_dataset(root)`` chains both. Bad input never raises: it becomes a ``Reject`` with a reason.
Only a malformed CSV header raises ``DatasetFormatError``: then nothing in that file can be trusted.

Decisions: ED is the traced frame with the larger polygon area (not the row order); videos that
are not 112x112 are rejected (``unsupported_frame_size``), because the tracings' coordinate frame for
the few large real videos is not documented and resizing a 768x1024 frame to a square distorts the LV;
a repeated FileList row keeps the first occurrence and rejects the later ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Iterator

import numpy as np

from lvseg import storage
from lvseg.datasets.filelist import FILELIST, FILELIST_COLUMNS, VideoMeta, check_row, normalize_name, reject_id
from lvseg.datasets.rejects import Reject, RejectReason
from lvseg.datasets.tables import read_rows
from lvseg.datasets.tracings import TRACINGS, read_tracings, validate_tracings
from lvseg.datasets.video import load_or_reject
from lvseg.geometry.mask import Tracing, tracing_area, tracing_mask



@dataclass(frozen=True)
class VideoTask:
    """Everything needed to load one video: its metadata, path and its two validated tracings."""

    meta: VideoMeta
    video_path: str
    tracings: dict[int, Tracing] = field(hash=False)


@dataclass(frozen=True)
class TracedFrame:
    index: int
    phase: str  # "ED" or "ES"
    tracing: Tracing
    area: float

    @cached_property
    def mask(self) -> np.ndarray:
        """The official mask (computed once: records and video records both need it)."""
        return tracing_mask(self.tracing)


@dataclass(frozen=True)
class EchoVideo:
    """A decoded video with its end-diastolic and end-systolic traced frames."""

    meta: VideoMeta
    frames: np.ndarray  # uint8 (T, 112, 112) grey
    ed: TracedFrame
    es: TracedFrame
    source: bytes = field(default=b"", repr=False)  # the AVI file's bytes, as stored in the dataset

    @property
    def video_id(self) -> str:
        return self.meta.video_id

    @property
    def traced(self) -> tuple[TracedFrame, TracedFrame]:
        return (self.ed, self.es)


@dataclass(frozen=True)
class DatasetPlan:
    """What the CSVs say: one task per usable video, one reject per unusable one, and file-level problems.

    ``problems`` are CSV lines that belong to no readable FileName (so to no video): they are reported, not
    counted as videos. ``input_videos`` = FileList data lines + orphan tracing ids.
    """

    tasks: list[VideoTask]
    rejects: list[Reject]
    problems: list[str] = field(default_factory=list)

    @property
    def input_videos(self) -> int:
        return len(self.tasks) + len(self.rejects)


def plan_dataset(root: str) -> DatasetPlan:
    """Validate both CSVs; one task per usable video and one reject per unusable one, in file order."""
    filelist = read_rows(storage.join(root, FILELIST), FILELIST_COLUMNS)
    tracings = read_tracings(storage.join(root, TRACINGS))
    tasks: list[VideoTask] = []
    rejects: list[Reject] = []
    seen: set[str] = set()
    for row in filelist:
        meta = check_row(row, seen)
        if isinstance(meta, Reject):
            rejects.append(meta)
            continue
        video_id = meta.video_id
        if video_id in tracings.unreadable:
            rejects.append(Reject(video_id, RejectReason.BAD_COORDINATES,
                                  f"unparsable tracing row ({tracings.unreadable[video_id]})"))
        elif video_id not in tracings.rows:
            rejects.append(Reject(video_id, RejectReason.MISSING_TRACINGS, "no row in VolumeTracings.csv"))
        else:
            checked = validate_tracings(video_id, tracings.rows[video_id], meta.number_of_frames)
            if isinstance(checked, Reject):
                rejects.append(checked)
            else:
                tasks.append(VideoTask(meta, storage.join(root, "Videos", video_id + ".avi"), checked))
    listed = {normalize_name(row.name) for row in filelist}
    for video_id in sorted(tracings.ids() - listed):
        rejects.append(Reject(reject_id(video_id, f"{TRACINGS}:line {tracings.first_line[video_id]}"),
                              RejectReason.ORPHAN_TRACINGS, "no FileList row"))
    return DatasetPlan(tasks, rejects, tracings.problems)


def load_task(task: VideoTask) -> EchoVideo | Reject:
    """Decode the task's video and assign ED/ES by polygon area; any problem becomes a Reject.

    (The traced frames lie inside the FileList frame count, checked by the plan, so a video with at
    least that many complete frames holds them.)
    """
    video_id = task.meta.video_id
    loaded = load_or_reject(video_id, task.video_path)
    if isinstance(loaded, Reject):
        return loaded
    frames, _, source = loaded
    if len(frames) < task.meta.number_of_frames:
        return Reject(video_id, RejectReason.VIDEO_TRUNCATED,
                      f"{len(frames)} of {task.meta.number_of_frames} frames complete")
    ed_index, es_index = assign_phases(task.tracings)
    ed = TracedFrame(ed_index, "ED", task.tracings[ed_index], tracing_area(task.tracings[ed_index]))
    es = TracedFrame(es_index, "ES", task.tracings[es_index], tracing_area(task.tracings[es_index]))
    return EchoVideo(task.meta, frames, ed, es, source)


def assign_phases(tracings: dict[int, Tracing]) -> tuple[int, int]:
    """(ED frame, ES frame): ED has the larger polygon area; on an exact tie the earlier frame is ED."""
    (a, ta), (b, tb) = sorted(tracings.items())
    return (a, b) if tracing_area(ta) >= tracing_area(tb) else (b, a)


def iter_dataset(root: str) -> Iterator[EchoVideo | Reject]:
    """Every input video of a dataset, as an EchoVideo or a Reject (CSV-level rejects first)."""
    plan = plan_dataset(root)
    yield from plan.rejects
    for task in plan.tasks:
        yield load_task(task)
