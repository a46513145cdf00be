"""One video's analysis by one model as table rows: the numbers behind per_video.csv, per_beat.csv, curves/.

Built in the workers from a VideoAnalysis (lvseg.analysis.video) and read back by the launcher, which
aggregates them (report.py); CSV and JSON come from the very same rows. EF where tracings exist is also
computed at the experts' own ED and ES frames (``ef_expert_frames``), from the predicted volumes there:
against FileList EF it measures segmentation error alone, the video EF adds frame selection.

Units: the pixel-unit columns (``edv``, ``esv``, ``area``, ``length``, ``volume``: VOLUME_UNIT, px, px^2)
keep their names for every video; where the file states a pixel spacing (a DICOM loop's B-mode region)
the ``*_ml``, ``*_cm`` and ``*_cm2`` columns carry the same values in physical units through the clip's
EchoNetFrame mapping, and are empty otherwise; ``units`` says which a video has (UNITS_PHYSICAL or
UNITS_PIXEL) and ``spacing`` where its spacing came from or why there is none. No column mixes units.
"""

from __future__ import annotations

import csv
import io
import math

import numpy as np

from lvseg.analysis.beats import Beat
from lvseg.analysis.quality import counted
from lvseg.analysis.video import VideoAnalysis
from lvseg.datasets.echonet import assign_phases
from lvseg.datasets.scanner.clip_input import AnalysisClip
from lvseg.datasets.scanner.framing import EchoNetFrame, spacing_status
from lvseg.datasets.video_plan import AnalysisTask

VIDEO_FIELDS = ["video_id", "model", "kind", "split", "frames", "fps", "ef", "ef_reference", "ef_error",
                "ef_expert_frames", "expert_ed_frame", "expert_es_frame", "beats", "ed_frames", "es_frames",
                "failed_frames", "quality", "source", "fps_origin", "units", "spacing", "mm_per_pixel",
                "edv", "esv", "edv_ml", "esv_ml"]
BEAT_FIELDS = ["video_id", "model", "beat", "ed_frame", "es_frame", "edv", "esv", "ef", "quality", "edv_ml", "esv_ml"]
CURVE_FIELDS = ["video_id", "model", "frame", "ok", "area", "length", "volume", "smoothed", "area_cm2", "length_cm",
                "volume_ml"]
VOLUME_UNIT = "disk volume at 1 mm per pixel, in mL (1e-3 px^3): EF needs no pixel spacing"
UNITS_PHYSICAL, UNITS_PIXEL = "mL", "pixel"
OK = "ok"


def _number(value: float | None, digits: int = 4) -> float | None:
    return None if value is None or not math.isfinite(value) else round(float(value), digits)


def spacing_columns(clip: AnalysisClip) -> dict:
    """``units``, ``spacing`` and ``mm_per_pixel`` (of the 112-px pixel) of a video's rows."""
    physical, note = spacing_status(clip.mapping)
    if physical and clip.mapping is not None:
        return {"units": UNITS_PHYSICAL, "spacing": note, "mm_per_pixel": _number(clip.mapping.mm_per_pixel, 6)}
    return {"units": UNITS_PIXEL, "spacing": note, "mm_per_pixel": None}


def _ml(mapping: EchoNetFrame | None, volume: float | None) -> float | None:
    if mapping is None or volume is None or not math.isfinite(volume):
        return None
    return _number(mapping.ml_from_pixel_volume(volume))


def video_row(task: AnalysisTask, model: str, kind: str, clip: AnalysisClip, analysis: VideoAnalysis) -> dict:
    """The per_video.csv row: EF (median of beats), its reference and errors, beats, quality; the median EDV
    and ESV of the beats the EF counts, in pixel units and (with a spacing) in mL."""
    ef, fps = analysis.ef, clip.fps
    expert_ed = expert_es = expert_ef = None
    if task.tracings:
        expert_ed, expert_es = assign_phases(task.tracings)
        volumes = analysis.volumes
        if max(expert_ed, expert_es) < len(volumes) and math.isfinite(volumes[expert_ed] + volumes[expert_es]):
            expert_ef = Beat(expert_ed, expert_es, volumes[expert_ed], volumes[expert_es]).ef
    beats = analysis.beats
    used = counted(beats)
    edv = float(np.median([b.edv for b in used])) if used else None
    esv = float(np.median([b.esv for b in used])) if used else None
    return {"video_id": task.video_id, "model": model, "kind": kind, "split": task.split,
            "frames": len(analysis.measures), "fps": _number(fps, 3), "ef": _number(ef),
            "ef_reference": _number(task.ef_reference),
            "ef_error": _number(ef - task.ef_reference) if ef is not None and task.ef_reference is not None else None,
            "ef_expert_frames": _number(expert_ef), "expert_ed_frame": expert_ed, "expert_es_frame": expert_es,
            "beats": len(beats), "ed_frames": " ".join(str(b.ed_frame) for b in beats),
            "es_frames": " ".join(str(b.es_frame) for b in beats),
            "failed_frames": sum(not m.ok for m in analysis.measures), "quality": "+".join(analysis.flags) or OK,
            "source": clip.source, "fps_origin": clip.fps_origin, **spacing_columns(clip),
            "edv": _number(edv), "esv": _number(esv), "edv_ml": _ml(clip.mapping, edv),
            "esv_ml": _ml(clip.mapping, esv)}


def beat_rows(video_id: str, model: str, analysis: VideoAnalysis, mapping: EchoNetFrame | None = None) -> list[dict]:
    """The per_beat.csv rows; ``quality``: 'good' (counted in the video's EF) or 'poor:' and the reasons."""
    return [{"video_id": video_id, "model": model, "beat": i + 1, "ed_frame": b.ed_frame, "es_frame": b.es_frame,
             "edv": _number(b.edv), "esv": _number(b.esv), "ef": _number(b.ef), "quality": b.quality,
             "edv_ml": _ml(mapping, b.edv), "esv_ml": _ml(mapping, b.esv)}
            for i, b in enumerate(analysis.beats)]


def curve_rows(video_id: str, model: str, analysis: VideoAnalysis, mapping: EchoNetFrame | None = None) -> list[dict]:
    """Per-frame area (px), long-axis length (px), disk volume and its smoothed curve (VOLUME_UNIT); with a
    spacing, the area in cm^2, the length in cm and the volume in mL too."""
    smoothed = analysis.curve.smoothed
    physical = mapping is not None and mapping.mm_per_pixel is not None
    rows = []
    for i, m in enumerate(analysis.measures):
        row = {"video_id": video_id, "model": model, "frame": i, "ok": m.ok, "area": _number(m.area, 1),
               "length": _number(m.length, 3), "volume": _number(m.volume), "smoothed": _number(smoothed[i]),
               "area_cm2": None, "length_cm": None, "volume_ml": None}
        if physical and mapping is not None:
            row.update(area_cm2=_number(mapping.area_cm2(m.area)), volume_ml=_ml(mapping, m.volume),
                       length_cm=_number(mapping.length_cm(m.length)) if math.isfinite(m.length) else None)
        rows.append(row)
    return rows


def csv_line(row: dict, fields: list[str]) -> str:
    """One CSV line (no newline) of a row; None as empty."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(["" if row[f] is None else row[f] for f in fields])
    return buffer.getvalue()


def to_csv(rows: list[dict], fields: list[str]) -> str:
    return "\n".join([",".join(fields)] + [csv_line(r, fields) for r in rows]) + "\n"


def sort_key(row: dict, models: list[str]) -> tuple:
    """Rows in a stable order: model (as given), video, then beat or frame."""
    return (models.index(row["model"]) if row["model"] in models else len(models), row["video_id"],
            row.get("beat", 0), row.get("frame", 0))
