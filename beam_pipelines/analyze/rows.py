"""One video's analysis by one model as table rows: the numbers behind per_video.csv, per_beat.csv, curves/.

Built in the workers from a VideoAnalysis (lvseg.analysis.video) and read back by the launcher, which
aggregates them (report.py); CSV and JSON come from the very same rows. EF where tracings exist is also
computed at the experts' own ED and ES frames (``ef_expert_frames``), from the predicted volumes there:
against FileList EF it measures segmentation error alone, the video EF adds frame selection.
"""

from __future__ import annotations

import csv
import io
import math

from lvseg.analysis.beats import Beat
from lvseg.analysis.video import VideoAnalysis
from lvseg.datasets.echonet import assign_phases
from lvseg.datasets.video_plan import AnalysisTask

VIDEO_FIELDS = ["video_id", "model", "kind", "split", "frames", "fps", "ef", "ef_reference", "ef_error",
                "ef_expert_frames", "expert_ed_frame", "expert_es_frame", "beats", "ed_frames", "es_frames",
                "failed_frames", "quality"]
BEAT_FIELDS = ["video_id", "model", "beat", "ed_frame", "es_frame", "edv", "esv", "ef", "quality"]
CURVE_FIELDS = ["video_id", "model", "frame", "ok", "area", "length", "volume", "smoothed"]
VOLUME_UNIT = "disk volume at 1 mm per pixel, in mL (1e-3 px^3): EF needs no pixel spacing"
OK = "ok"


def _number(value: float | None, digits: int = 4) -> float | None:
    return None if value is None or not math.isfinite(value) else round(float(value), digits)


def video_row(task: AnalysisTask, model: str, kind: str, fps: float, analysis: VideoAnalysis) -> dict:
    """The per_video.csv row: EF (median of beats), its reference and errors, beats, quality."""
    ef = analysis.ef
    expert_ed = expert_es = expert_ef = None
    if task.tracings:
        expert_ed, expert_es = assign_phases(task.tracings)
        volumes = analysis.volumes
        if max(expert_ed, expert_es) < len(volumes) and math.isfinite(volumes[expert_ed] + volumes[expert_es]):
            expert_ef = Beat(expert_ed, expert_es, volumes[expert_ed], volumes[expert_es]).ef
    beats = analysis.beats
    return {"video_id": task.video_id, "model": model, "kind": kind, "split": task.split,
            "frames": len(analysis.measures), "fps": _number(fps, 3), "ef": _number(ef),
            "ef_reference": _number(task.ef_reference),
            "ef_error": _number(ef - task.ef_reference) if ef is not None and task.ef_reference is not None else None,
            "ef_expert_frames": _number(expert_ef), "expert_ed_frame": expert_ed, "expert_es_frame": expert_es,
            "beats": len(beats), "ed_frames": " ".join(str(b.ed_frame) for b in beats),
            "es_frames": " ".join(str(b.es_frame) for b in beats),
            "failed_frames": sum(not m.ok for m in analysis.measures), "quality": "+".join(analysis.flags) or OK}


def beat_rows(video_id: str, model: str, analysis: VideoAnalysis) -> list[dict]:
    """The per_beat.csv rows; ``quality``: 'good' (counted in the video's EF) or 'poor:' and the reasons."""
    return [{"video_id": video_id, "model": model, "beat": i + 1, "ed_frame": b.ed_frame, "es_frame": b.es_frame,
             "edv": _number(b.edv), "esv": _number(b.esv), "ef": _number(b.ef), "quality": b.quality}
            for i, b in enumerate(analysis.beats)]


def curve_rows(video_id: str, model: str, analysis: VideoAnalysis) -> list[dict]:
    """Per-frame area (px), long-axis length (px), disk volume and its smoothed curve (VOLUME_UNIT)."""
    smoothed = analysis.curve.smoothed
    return [{"video_id": video_id, "model": model, "frame": i, "ok": m.ok, "area": _number(m.area, 1),
             "length": _number(m.length, 3), "volume": _number(m.volume), "smoothed": _number(smoothed[i])}
            for i, m in enumerate(analysis.measures)]


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
