"""FileList.csv: one row per video, typed and checked for impossible values.

A row's values become a ``VideoMeta`` or the problem that makes them unusable (the reader rejects the
video as ``invalid_metadata``). Problems name the column, never its value: EF and volumes are patient data.
Plausible means: EF within 0-100 %, 0 <= ESV <= EDV with EDV > 0, a frame rate and a frame count within
lvseg.datasets.limits, positive integral frame sizes and counts, and a known split.
"""

from __future__ import annotations

from dataclasses import dataclass

from lvseg.datasets import limits
from lvseg.datasets.rejects import Reject, RejectReason
from lvseg.datasets.tables import NAME_LIMIT, Row, is_plain_name, number
from lvseg.frame import FRAME_SHAPE

FILELIST = "FileList.csv"
FILELIST_COLUMNS = ["FileName", "EF", "ESV", "EDV", "FrameHeight", "FrameWidth", "FPS", "NumberOfFrames", "Split"]
SPLITS = ("TRAIN", "VAL", "TEST")


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


def normalize_name(name: str) -> str:
    """FileName without a trailing ``.avi``: FileList omits it, VolumeTracings includes it."""
    name = name.strip()
    return name[:-4] if name.lower().endswith(".avi") else name


def parse_meta(video_id: str, fields: dict[str, str]) -> VideoMeta | str:
    """The row's VideoMeta, or a one-line description of what is unusable in it."""
    values: dict[str, float | int] = {}
    for column, integer in (("EF", False), ("ESV", False), ("EDV", False), ("FrameHeight", True),
                            ("FrameWidth", True), ("FPS", False), ("NumberOfFrames", True)):
        value = number(fields[column], integer)
        if value is None:
            return f"{column} is not {'an integer' if integer else 'a finite number'}"
        values[column] = value
    split = fields["Split"].strip().upper()
    if split not in SPLITS:
        return f"Split is not one of {', '.join(SPLITS)}"
    problem = _implausible(values)
    if problem:
        return problem
    return VideoMeta(video_id, float(values["EF"]), float(values["ESV"]), float(values["EDV"]),
                     int(values["FrameHeight"]), int(values["FrameWidth"]), float(values["FPS"]),
                     int(values["NumberOfFrames"]), split)


def _implausible(v: dict[str, float | int]) -> str:
    if not 0.0 <= v["EF"] <= 100.0:
        return "EF outside 0-100 %"
    if v["ESV"] < 0 or v["EDV"] <= 0:
        return "ESV must be >= 0 and EDV > 0"
    if v["ESV"] > v["EDV"]:
        return "ESV larger than EDV"
    if v["FPS"] <= 0:
        return "FPS must be positive"
    if limits.fps_problem(v["FPS"]):
        return f"FPS outside {limits.MIN_FPS:g}-{limits.MAX_FPS:g}"
    for column in ("FrameHeight", "FrameWidth", "NumberOfFrames"):
        if v[column] <= 0:
            return f"{column} must be positive"
    if limits.frames_problem(int(v["NumberOfFrames"])):
        return f"NumberOfFrames above {limits.MAX_FRAMES}"
    return ""


def is_safe_name(name: str) -> bool:
    """True when the name is a plain file name (at most NAME_LIMIT characters) that cannot leave Videos/."""
    return is_plain_name(name) and ".." not in name


def reject_id(name: str, where: str) -> str:
    """A reject's id for a name that may not be a FileName: the name when it is short printable text
    without separators, else where it was found (e.g. ``FileList.csv:line 17``), never what the line holds."""
    if name.isprintable() and 0 < len(name) <= NAME_LIMIT and "," not in name:
        return name
    return where


def check_row(row: Row, seen: set[str]) -> VideoMeta | Reject:
    """One FileList row -> its VideoMeta, or the Reject that every plan (training, analysis) gives it.

    In order: malformed line, unsafe FileName, a FileName already seen (the earlier row is kept),
    impossible values, a frame size other than 112x112. ``seen`` gains every readable FileName.
    """
    video_id = normalize_name(row.name)
    if row.fields is None:  # not row.ok, spelled so that the type checker knows the fields exist below
        seen.add(video_id)
        return Reject(reject_id(video_id, f"{FILELIST}:line {row.line}"), RejectReason.MALFORMED_ROW,
                      f"{FILELIST} line {row.line}: {row.problem}")
    if not is_safe_name(video_id):
        return Reject(reject_id(video_id, f"{FILELIST}:line {row.line}"), RejectReason.UNSAFE_FILENAME,
                      "path outside the Videos folder")
    if video_id in seen:
        return Reject(video_id, RejectReason.DUPLICATE_FILELIST_ROW, "an earlier row is kept")
    seen.add(video_id)
    meta = parse_meta(video_id, row.fields)
    if isinstance(meta, str):
        return Reject(video_id, RejectReason.INVALID_METADATA, f"{FILELIST} line {row.line}: {meta}")
    if (meta.frame_height, meta.frame_width) != FRAME_SHAPE:
        return Reject(video_id, RejectReason.UNSUPPORTED_FRAME_SIZE,
                      f"FileList says {meta.frame_height}x{meta.frame_width}")
    return meta
