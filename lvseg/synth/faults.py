"""One extra video (or CSV defect) per kind of bad input the EchoNet reader rejects, with the expected reason.

Each fault starts from a valid video planned from its own random stream ("fault"), so the clean videos
are byte-identical with or without faults, then breaks exactly one thing. Its frames are plain
(clips.make_video render=False): the reader rejects it before any pixel matters. The reader checks a
FileList row in a fixed order (unsafe name, duplicate row, metadata, frame size, tracings, then the
video), so every fault leaves everything checked earlier valid. Special cases:
  duplicate_filelist_row  repeats the FIRST clean video's FileList row at the end: that video still
                          loads (the first row is kept) and the later row is rejected under the same id,
                          so a faulty dataset of N videos still yields N good ones (needs N >= 1);
  video_truncated         the AVI is cut to 60 % of its bytes; the reason is then measured by decoding
                          it (fewer frames -> video_truncated, none -> video_undecodable);
  orphan_tracings         tracing rows of a video that has neither a FileList row nor a file;
  unsafe_filename         FileName '../escape': no file is written anywhere for it.
faults.json maps video_id -> RejectReason value; together the faults cover every RejectReason.
"""

from __future__ import annotations

import os
from typing import Callable

import cv2
import numpy as np

from lvseg.datasets.rejects import RejectReason
from lvseg.datasets.video import VideoError, load_video
from lvseg.synth import sampling
from lvseg.synth.clips import Rows, fmt, make_video, write_avi
from lvseg.synth.plan import plan_video

FAULT_FRAMES = 40
TRUNCATE_SHARE = 0.6
R = RejectReason
Reason = RejectReason | None  # None: the fault could not produce a rejectable input


def _frame_groups(rows: list[list[str]]) -> list[list[list[str]]]:
    """Tracing rows grouped by their Frame column, in listed order."""
    groups: dict[str, list[list[str]]] = {}
    for row in rows:
        groups.setdefault(row[5], []).append(row)
    return list(groups.values())


def _video_path(out: str, name: str) -> str:
    return os.path.join(out, "Videos", name + ".avi")


# Each fault edits (FileList row, tracing rows) in place and may touch the video file; it returns the
# reason the reader must give, or None when the fault decides by measurement.
def _missing(out: str, row: list[str], rows: list[list[str]], rng: np.random.Generator) -> Reason:
    os.remove(_video_path(out, row[0]))
    return R.VIDEO_MISSING


def _empty(out: str, row: list[str], rows: list[list[str]], rng: np.random.Generator) -> Reason:
    open(_video_path(out, row[0]), "wb").close()
    return R.VIDEO_EMPTY


def _undecodable(out: str, row: list[str], rows: list[list[str]], rng: np.random.Generator) -> Reason:
    with open(_video_path(out, row[0]), "wb") as handle:
        handle.write(rng.integers(0, 256, 4096, dtype=np.uint8).tobytes())
    return R.VIDEO_UNDECODABLE


def _truncated(out: str, row: list[str], rows: list[list[str]], rng: np.random.Generator) -> Reason:
    path = _video_path(out, row[0])
    with open(path, "rb") as handle:
        data = handle.read()
    with open(path, "wb") as handle:
        handle.write(data[: int(len(data) * TRUNCATE_SHARE)])
    try:
        frames, _, _ = load_video(path)
    except VideoError as err:
        return err.reason
    return R.VIDEO_TRUNCATED if len(frames) < int(row[7]) else None


def _too_few(out: str, row: list[str], rows: list[list[str]], rng: np.random.Generator) -> Reason:
    rows[:] = _frame_groups(rows)[0]
    return R.TOO_FEW_TRACED_FRAMES


def _too_many(out: str, row: list[str], rows: list[list[str]], rng: np.random.Generator) -> Reason:
    groups = _frame_groups(rows)
    used = {int(g[0][5]) for g in groups}
    extra = next(f for f in range(int(row[7])) if f not in used)
    rows.extend([*r[:5], str(extra)] for r in groups[1])
    return R.TOO_MANY_TRACED_FRAMES


def _bad_row_count(out: str, row: list[str], rows: list[list[str]], rng: np.random.Generator) -> Reason:
    drop = _frame_groups(rows)[1][-1]
    rows.remove(drop)
    return R.BAD_ROW_COUNT


def _bad_coordinates(out: str, row: list[str], rows: list[list[str]], rng: np.random.Generator) -> Reason:
    rows[3][1] = "nan"
    rows[30][2] = fmt(-4.0)
    return R.BAD_COORDINATES


def _degenerate(out: str, row: list[str], rows: list[list[str]], rng: np.random.Generator) -> Reason:
    first = _frame_groups(rows)[0]
    for i, r in enumerate(first[1:]):  # every chord end point on the vertical line x = 50
        r[1:5] = [fmt(50.0), fmt(30.0 + i), fmt(50.0), fmt(30.5 + i)]
    return R.DEGENERATE_POLYGON


def _duplicate_rows(out: str, row: list[str], rows: list[list[str]], rng: np.random.Generator) -> Reason:
    rows.insert(5, list(rows[4]))
    return R.DUPLICATE_TRACING_ROWS


def _frame_out_of_range(out: str, row: list[str], rows: list[list[str]], rng: np.random.Generator) -> Reason:
    for r in _frame_groups(rows)[1]:
        r[5] = str(int(row[7]) + 5)
    return R.FRAME_OUT_OF_RANGE


def _unsupported_size(out: str, row: list[str], rows: list[list[str]], rng: np.random.Generator) -> Reason:
    path = _video_path(out, row[0])
    frames = load_video(path)[0][:8]
    large = np.stack([cv2.resize(f, (1024, 768), interpolation=cv2.INTER_LINEAR) for f in frames])
    _, count = write_avi(path, large, int(float(row[6])))
    row[4], row[5], row[7] = "768", "1024", str(count)
    return R.UNSUPPORTED_FRAME_SIZE


def _unsafe(out: str, row: list[str], rows: list[list[str]], rng: np.random.Generator) -> Reason:
    os.remove(_video_path(out, row[0]))
    row[0] = "../escape"
    for r in rows:
        r[0] = "../escape.avi"
    return R.UNSAFE_FILENAME


def _invalid_metadata(out: str, row: list[str], rows: list[list[str]], rng: np.random.Generator) -> Reason:
    row[1] = "not-a-number"
    return R.INVALID_METADATA


def _missing_tracings(out: str, row: list[str], rows: list[list[str]], rng: np.random.Generator) -> Reason:
    rows.clear()
    return R.MISSING_TRACINGS


def _malformed_row(out: str, row: list[str], rows: list[list[str]], rng: np.random.Generator) -> Reason:
    row.append("surplus")  # one field more than the header
    return R.MALFORMED_ROW


FAULTS: dict[str, Callable[[str, list[str], list[list[str]], np.random.Generator], Reason]] = {
    "video_missing": _missing, "video_empty": _empty, "video_undecodable": _undecodable,
    "video_truncated": _truncated, "too_few_traced_frames": _too_few, "too_many_traced_frames": _too_many,
    "bad_row_count": _bad_row_count, "bad_coordinates": _bad_coordinates, "degenerate_polygon": _degenerate,
    "duplicate_tracing_rows": _duplicate_rows, "frame_out_of_range": _frame_out_of_range,
    "unsupported_frame_size": _unsupported_size, "unsafe_filename": _unsafe, "invalid_metadata": _invalid_metadata,
    "missing_tracings": _missing_tracings, "malformed_row": _malformed_row,
}


def _fault_video(out: str, seed: int, index: int, frames: int) -> tuple[list[str], list[list[str]]]:
    """A valid, unrendered fault video: (FileList row, tracing rows)."""
    row, traced, _ = make_video(out, plan_video(seed, index, "fault", frames, frames), "TRAIN", render=False)
    return row, traced


def add_faults(out: str, seed: int, rows: Rows, max_frames: int | None = None) -> dict[str, str]:
    """Append every fault to ``rows`` (and Videos/); returns {video_id: expected reason value}."""
    frames = min(FAULT_FRAMES, max_frames or FAULT_FRAMES)
    expected: dict[str, str] = {}
    for index, (kind, fault) in enumerate(FAULTS.items()):
        row, traced = _fault_video(out, seed, index, frames)
        rng = sampling.video_rng(seed, index, "fault-edit")
        reason = fault(out, row, traced, rng)
        if reason is None:
            raise RuntimeError(f"fault {kind} did not produce a rejectable input")
        rows.filelist.append(row)
        rows.tracings.extend(traced)
        expected[row[0]] = RejectReason(reason).value
    # tracings for a video that FileList does not list (no video file either)
    _, traced = _fault_video(out, seed, len(FAULTS), frames)
    orphan = traced[0][0][:-4]
    os.remove(_video_path(out, orphan))
    rows.tracings.extend(traced)
    expected[orphan] = R.ORPHAN_TRACINGS.value
    if rows.filelist and rows.filelist[0][0] not in expected:
        rows.filelist.append(list(rows.filelist[0]))
        expected[rows.filelist[0][0]] = R.DUPLICATE_FILELIST_ROW.value
    return expected
