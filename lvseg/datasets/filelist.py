"""FileList.csv: one row per video, typed and checked for impossible values.

A row's values become a ``VideoMeta`` or the problem that makes them unusable (the reader rejects the
video as ``invalid_metadata``). Problems name the column, never its value: EF and volumes are patient data.
Plausible means: EF within 0-100 %, 0 <= ESV <= EDV with EDV > 0, a positive frame rate, positive integral
frame sizes and counts, and a known split.
"""

from __future__ import annotations

from dataclasses import dataclass

from lvseg.datasets.tables import number

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
    for column in ("FrameHeight", "FrameWidth", "NumberOfFrames"):
        if v[column] <= 0:
            return f"{column} must be positive"
    return ""
