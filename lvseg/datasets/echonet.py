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

import csv
import io
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from typing import Iterator

import numpy as np

from lvseg import storage
from lvseg.datasets.rejects import Reject, RejectReason
from lvseg.datasets.video import VideoError, load_video
from lvseg.frame import FRAME_SHAPE
from lvseg.geometry.mask import ROWS_PER_TRACING, Tracing, tracing_area, tracing_mask

FILELIST_COLUMNS = ["FileName", "EF", "ESV", "EDV", "FrameHeight", "FrameWidth", "FPS", "NumberOfFrames", "Split"]
TRACING_COLUMNS = ["FileName", "X1", "Y1", "X2", "Y2", "Frame"]
SPLITS = ("TRAIN", "VAL", "TEST")
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]*")


class DatasetFormatError(ValueError):
    """A CSV whose header is not the EchoNet one; names the file and both column lists."""


@dataclass(frozen=True)
class VideoMeta:
    """One FileList.csv row, typed."""

    video_id: str
    ef: float
    esv: float
    edv: float
    frame_height: int
    frame_width: int
    fps: float
    number_of_frames: int
    split: str


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


def normalize_name(name: str) -> str:
    """FileName without a trailing ``.avi``: FileList omits it, VolumeTracings includes it."""
    name = name.strip()
    return name[:-4] if name.lower().endswith(".avi") else name


def is_safe_name(name: str) -> bool:
    """True when the name is a plain file name that cannot leave the Videos folder."""
    return bool(_SAFE_NAME.fullmatch(name)) and ".." not in name


def _read_csv(path: str, expected: list[str]) -> list[dict[str, str]]:
    text = storage.read_text(path)
    reader = csv.reader(io.StringIO(text))
    header = [c.strip() for c in next(reader, [])]
    if header != expected:
        raise DatasetFormatError(f"{path}: columns found {header}, expected {expected}")
    return [dict(zip(header, row)) for row in reader if row and any(c.strip() for c in row)]


def _parse_meta(video_id: str, row: dict[str, str]) -> VideoMeta | None:
    try:
        meta = VideoMeta(video_id, float(row["EF"]), float(row["ESV"]), float(row["EDV"]),
                         int(float(row["FrameHeight"])), int(float(row["FrameWidth"])), float(row["FPS"]),
                         int(float(row["NumberOfFrames"])), row["Split"].strip().upper())
    except (TypeError, ValueError):
        return None
    numbers = (meta.ef, meta.esv, meta.edv, meta.fps)
    if not all(math.isfinite(v) and v >= 0 for v in numbers) or meta.fps == 0:
        return None
    if meta.number_of_frames <= 0 or meta.split not in SPLITS:
        return None
    return meta


def _validate_tracings(video_id: str, rows: list[tuple], n_frames: int) -> dict[int, Tracing] | Reject:
    """Group tracing rows by frame and check count, duplicates, coordinates, area and frame index."""
    by_frame: dict[int, list[tuple]] = defaultdict(list)
    for row in rows:
        by_frame[row[4]].append(row)
    for frame, frame_rows in by_frame.items():
        if len(set(frame_rows)) != len(frame_rows):
            return Reject(video_id, RejectReason.DUPLICATE_TRACING_ROWS, f"frame {frame}")
    if len(by_frame) < 2:
        return Reject(video_id, RejectReason.TOO_FEW_TRACED_FRAMES, f"{len(by_frame)} traced frame(s)")
    if len(by_frame) > 2:
        return Reject(video_id, RejectReason.TOO_MANY_TRACED_FRAMES, f"{len(by_frame)} traced frames")
    tracings = {}
    for frame, frame_rows in sorted(by_frame.items()):
        if len(frame_rows) != ROWS_PER_TRACING:
            return Reject(video_id, RejectReason.BAD_ROW_COUNT, f"frame {frame} has {len(frame_rows)} rows")
        coords = np.array([r[:4] for r in frame_rows], dtype=np.float64)
        xs, ys = coords[:, [0, 2]], coords[:, [1, 3]]
        h, w = FRAME_SHAPE
        if not np.all(np.isfinite(coords)) or xs.min() < 0 or ys.min() < 0 or xs.max() >= w or ys.max() >= h:
            return Reject(video_id, RejectReason.BAD_COORDINATES, f"frame {frame}")
        tracing = Tracing.from_rows(coords)
        if tracing_area(tracing) < 1.0 or not tracing_mask(tracing).any():
            return Reject(video_id, RejectReason.DEGENERATE_POLYGON, f"frame {frame}")
        if frame < 0 or frame >= n_frames:
            return Reject(video_id, RejectReason.FRAME_OUT_OF_RANGE, f"frame {frame} of {n_frames}")
        tracings[frame] = tracing
    return tracings


def _read_tracing_rows(path: str) -> tuple[dict[str, list[tuple]], set[str]]:
    """Tracing rows per video id; ids with an unparsable row go in the second set."""
    rows: dict[str, list[tuple]] = defaultdict(list)
    bad: set[str] = set()
    for row in _read_csv(path, TRACING_COLUMNS):
        video_id = normalize_name(row["FileName"])
        try:
            frame = float(row["Frame"])
            values = tuple(float(row[c]) for c in ("X1", "Y1", "X2", "Y2"))
            if not frame.is_integer():
                raise ValueError
        except (TypeError, ValueError):
            bad.add(video_id)
            continue
        rows[video_id].append(values + (int(frame),))
    return rows, bad


def plan_dataset(root: str) -> tuple[list[VideoTask], list[Reject]]:
    """Validate both CSVs; one task per usable video and one reject per unusable one, in file order."""
    filelist = _read_csv(storage.join(root, "FileList.csv"), FILELIST_COLUMNS)
    tracing_rows, unparsable = _read_tracing_rows(storage.join(root, "VolumeTracings.csv"))
    tasks: list[VideoTask] = []
    rejects: list[Reject] = []
    seen: set[str] = set()
    for row in filelist:
        video_id = normalize_name(row["FileName"])
        if not is_safe_name(video_id):
            rejects.append(Reject(video_id, RejectReason.UNSAFE_FILENAME, "path outside the Videos folder"))
            continue
        if video_id in seen:
            rejects.append(Reject(video_id, RejectReason.DUPLICATE_FILELIST_ROW, "first row kept"))
            continue
        seen.add(video_id)
        meta = _parse_meta(video_id, row)
        if meta is None:
            rejects.append(Reject(video_id, RejectReason.INVALID_METADATA, "unparsable FileList values"))
        elif (meta.frame_height, meta.frame_width) != FRAME_SHAPE:
            rejects.append(Reject(video_id, RejectReason.UNSUPPORTED_FRAME_SIZE,
                                  f"FileList says {meta.frame_height}x{meta.frame_width}"))
        elif video_id in unparsable:
            rejects.append(Reject(video_id, RejectReason.BAD_COORDINATES, "unparsable tracing row"))
        elif video_id not in tracing_rows:
            rejects.append(Reject(video_id, RejectReason.MISSING_TRACINGS, "no row in VolumeTracings.csv"))
        else:
            checked = _validate_tracings(video_id, tracing_rows[video_id], meta.number_of_frames)
            if isinstance(checked, Reject):
                rejects.append(checked)
            else:
                path = storage.join(root, "Videos", video_id + ".avi")
                tasks.append(VideoTask(meta, path, checked))
    listed = {normalize_name(row["FileName"]) for row in filelist}
    for video_id in sorted((set(tracing_rows) | unparsable) - listed):
        rejects.append(Reject(video_id, RejectReason.ORPHAN_TRACINGS, "no FileList row"))
    return tasks, rejects


def load_task(task: VideoTask) -> EchoVideo | Reject:
    """Decode the task's video and assign ED/ES by polygon area; any problem becomes a Reject."""
    video_id = task.meta.video_id
    try:
        frames, _, source = load_video(task.video_path)
    except VideoError as err:
        return Reject(video_id, err.reason, err.detail)
    if frames.shape[1:] != FRAME_SHAPE:
        return Reject(video_id, RejectReason.UNSUPPORTED_FRAME_SIZE, f"video is {frames.shape[1]}x{frames.shape[2]}")
    if len(frames) < task.meta.number_of_frames:
        return Reject(video_id, RejectReason.VIDEO_TRUNCATED,
                      f"{len(frames)} of {task.meta.number_of_frames} frames decodable")
    for index in task.tracings:
        if index >= len(frames):
            return Reject(video_id, RejectReason.FRAME_OUT_OF_RANGE, f"frame {index} of {len(frames)}")
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
    tasks, rejects = plan_dataset(root)
    yield from rejects
    for task in tasks:
        yield load_task(task)
