"""VolumeTracings.csv: the experts' tracings, grouped by video and checked frame by frame.

Each valid row is (X1, Y1, X2, Y2, Frame) of one video (FileName with ``.avi``, unlike FileList). A row
that does not parse marks its video as having an unreadable tracing; a row whose FileName cannot be read
at all belongs to no video and is reported as a problem of the file, by line number. A video's rows then
pass ``validate_tracings``: two traced frames of 21 rows each, no repeated rows, finite in-frame
coordinates, a non-degenerate polygon, frame indices inside the video.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from lvseg.datasets.filelist import normalize_name
from lvseg.datasets.rejects import Reject, RejectReason
from lvseg.datasets.tables import read_rows
from lvseg.frame import FRAME_SHAPE
from lvseg.geometry.mask import ROWS_PER_TRACING, Tracing, tracing_area, tracing_mask

TRACING_COLUMNS = ["FileName", "X1", "Y1", "X2", "Y2", "Frame"]
TRACINGS = "VolumeTracings.csv"


@dataclass
class TracingTable:
    """Every tracing row by video id, plus what could not be read."""

    rows: dict[str, list[tuple]] = field(default_factory=lambda: defaultdict(list))  # id -> (x1, y1, x2, y2, frame)
    unreadable: dict[str, str] = field(default_factory=dict)  # id -> the first bad row's line and problem
    problems: list[str] = field(default_factory=list)         # rows that belong to no readable FileName
    first_line: dict[str, int] = field(default_factory=dict)  # id -> the line it first appears on

    def ids(self) -> set[str]:
        return set(self.rows) | set(self.unreadable)


def read_tracings(path: str) -> TracingTable:
    """Parse VolumeTracings.csv (local or gs://); raises DatasetFormatError only for a missing file or bad header."""
    table = TracingTable()
    for row in read_rows(path, TRACING_COLUMNS):
        video_id = normalize_name(row.name)
        if video_id:
            table.first_line.setdefault(video_id, row.line)
        values = _values(row.fields) if row.fields is not None else None
        if values is not None and video_id:
            table.rows[video_id].append(values)
        elif video_id:
            table.unreadable.setdefault(video_id, f"{TRACINGS} line {row.line}: {row.problem or 'not numbers'}")
        else:
            table.problems.append(f"{TRACINGS} line {row.line}: {row.problem or 'no FileName'}")
    return table


def _values(fields: dict[str, str]) -> tuple | None:
    """(x1, y1, x2, y2, frame) of a row, or None when a value is not a number or the frame not an integer.

    Coordinates may be non-finite here: ``validate_tracings`` rejects those as bad coordinates.
    """
    try:
        coords = tuple(float(fields[c]) for c in ("X1", "Y1", "X2", "Y2"))
        frame = float(fields["Frame"])
    except ValueError:
        return None
    if not np.isfinite(frame) or not frame.is_integer():
        return None
    return coords + (int(frame),)


def validate_tracings(video_id: str, rows: list[tuple], n_frames: int) -> dict[int, Tracing] | Reject:
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
