"""Per-frame scores and their aggregation: the numbers behind per_frame.csv and summary.json.

Every Dice here comes from lvseg.metrics.dice (Overlap, pooled_dice, bootstrap_ci), never a formula of its own.

Decisions:
- A failed prediction (a landmark model that finds no landmark) counts as an empty mask: per-frame
  Dice 0 and it stays in the pooled Dice, because a deployed model would show nothing on that frame.
  ``failed`` says how many; ``pooled_dice_ok`` is the figure over successful frames only.
- The landmark ceiling (spline through the frame's TRUE landmarks vs the true mask) is computed on the
  same frames, only where the frame carries true landmarks of the model's scheme (TEST records); an
  external set has none, so its ceiling is null.
- Size bias (lvseg.metrics.area): ``area_ratio`` (predicted / true area) and ``base_leak`` (predicted LV
  beyond the true base line and outside the true mask, as a share of the true area) per frame; their
  medians (and the mean leak) per phase. Dice hides a mask that is consistently too large; EF does not.
  A failed frame has ratio 0 (its empty mask). External frames carry no tracing, so no base line: their
  leak is null.
- Aggregation runs after the Beam job on the per-frame rows: the bootstrap needs every frame of a
  (model, dataset) together anyway, TEST is a few thousand frames per model, and the CSV, JSON and
  HTML then come from the very same rows.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from typing import Any, Callable, TypedDict, cast

import numpy as np

from beam_pipelines.evaluate.frames import EvalFrame
from lvseg.geometry.spline import mask_from_landmarks
from lvseg.inference.decode import Segmentation
from lvseg.inference.models import ModelInfo
from lvseg.metrics.area import area_ratio, base_leak
from lvseg.metrics.dice import Overlap, bootstrap_ci, overlap, pooled_dice



class FrameRow(TypedDict):
    """One (model, frame) score: a line of the job's scores.jsonl and of per_frame.csv."""

    model: str
    kind: str
    dataset: str
    video_id: str
    phase: str
    frame_index: int
    ok: bool
    dice: float
    intersection: int
    pred_area: int
    true_area: int
    area_ratio: float | None
    base_leak: float | None           # None without a base line (the external set)
    ceiling_dice: float | None        # None where the frame has no true landmarks of the model's scheme
    ceiling_intersection: int | None
    ceiling_pred_area: int | None


ROW_FIELDS = list(FrameRow.__annotations__)  # per_frame.csv's columns, in this order
_INTS = {"frame_index", "intersection", "pred_area", "true_area", "ceiling_intersection", "ceiling_pred_area"}
_FLOATS = {"dice", "area_ratio", "base_leak", "ceiling_dice"}
PHASES = ("ED", "ES")
# Area-ratio histogram bins: 0.1 wide from 0.5 to 2.0; the first and last bins also take everything beyond.
AREA_EDGES = [round(0.5 + 0.1 * i, 1) for i in range(16)]


def group_key(model: str, dataset: str) -> str:
    """File-name-safe key of one (model, dataset) group, e.g. ``mask_int8__echonet-test``."""
    return f"{model}__{dataset}"


def score(info: ModelInfo, frame: EvalFrame, seg: Segmentation) -> FrameRow:
    """One per-frame row: the model's prediction against the frame's true mask (the frame must have one)."""
    if frame.mask is None:
        raise ValueError(f"frame {frame.frame_id} has no true mask to score against")
    o = overlap(seg.mask, frame.mask)
    row: FrameRow = {
        "model": info.name, "kind": info.kind, "dataset": frame.dataset, "video_id": frame.video_id,
        "phase": frame.phase, "frame_index": int(frame.frame_index), "ok": bool(seg.ok), "dice": o.dice,
        "intersection": o.intersection, "pred_area": o.predicted, "true_area": o.true,
        "area_ratio": area_ratio(o.predicted, o.true), "base_leak": base_leak(seg.mask, frame.mask, frame.base),
        "ceiling_dice": None, "ceiling_intersection": None, "ceiling_pred_area": None}
    if info.kind == "landmarks" and frame.landmarks is not None and info.landmark_scheme == frame.landmark_scheme:
        c = overlap(mask_from_landmarks(frame.landmarks, frame.mask.shape), frame.mask)
        row["ceiling_dice"], row["ceiling_intersection"], row["ceiling_pred_area"] = c.dice, c.intersection, c.predicted
    return row


def frame_overlap(row: FrameRow) -> Overlap:
    return Overlap(row["intersection"], row["pred_area"], row["true_area"])


def ceiling_overlap(row: FrameRow) -> Overlap:
    """The ceiling's overlap of a row that has one (``ceiling_intersection`` not None)."""
    return Overlap(row["ceiling_intersection"] or 0, row["ceiling_pred_area"] or 0, row["true_area"])


def _stats(rows: list[FrameRow], to_overlap: Callable[[FrameRow], Overlap] = frame_overlap) -> dict[str, Any]:
    overlaps = [to_overlap(r) for r in rows]
    dice = np.array([o.dice for o in overlaps])
    return {"frames": len(rows), "pooled_dice": pooled_dice(overlaps) if rows else None,
            "mean_dice": float(dice.mean()) if rows else None,
            "median_dice": float(np.median(dice)) if rows else None}


def _median(values: list[float]) -> float | None:
    return float(np.median(values)) if values else None


def area_counts(ratios: list[float]) -> list[int]:
    """Frames per AREA_EDGES bin (values below 0.5 or from 2.0 on count in the end bins)."""
    clipped = np.clip(np.asarray(ratios, float), AREA_EDGES[0], AREA_EDGES[-1] - 1e-9)
    return [int(c) for c in np.histogram(clipped, bins=AREA_EDGES)[0]]


def size_stats(rows: list[FrameRow]) -> dict[str, Any]:
    """Median area ratio (and its histogram over AREA_EDGES) and median / mean base leak over the rows that
    have them (base_frames: rows with a base line)."""
    ratios = [r["area_ratio"] for r in rows if r["area_ratio"] is not None]
    leaks = [r["base_leak"] for r in rows if r["base_leak"] is not None]
    return {"median_area_ratio": _median(ratios), "area_ratio_counts": area_counts(ratios),
            "median_base_leak": _median(leaks), "mean_base_leak": float(np.mean(leaks)) if leaks else None,
            "base_frames": len(leaks)}


def summarize_group(rows: list[FrameRow], bootstrap_samples: int = 1000, seed: int = 0) -> dict[str, Any]:
    """Summary of one (model, dataset): pooled Dice with its bootstrap CI, per-frame stats, ED/ES, ceiling."""
    overlaps = [frame_overlap(r) for r in rows]
    ok_rows = [r for r in rows if r["ok"]]
    ceiling_rows = [r for r in rows if r["ceiling_intersection"] is not None]
    low, high = bootstrap_ci(overlaps, samples=bootstrap_samples, seed=seed)
    out = {"model": rows[0]["model"], "kind": rows[0]["kind"], "dataset": rows[0]["dataset"], **_stats(rows),
           **size_stats(rows), "ci95": [low, high], "failed": len(rows) - len(ok_rows),
           "pooled_dice_ok": pooled_dice([frame_overlap(r) for r in ok_rows]) if ok_rows else None,
           "phases": {p: {**_stats(phase), **size_stats(phase)}
                      for p, phase in ((p, [r for r in rows if r["phase"] == p]) for p in PHASES)},
           "ceiling": _stats(ceiling_rows, ceiling_overlap) if ceiling_rows else None}
    return out


def summarize(rows: list[FrameRow], bootstrap_samples: int = 1000, seed: int = 0,
              model_order: list[str] | None = None, dataset_order: list[str] | None = None) -> list[dict[str, Any]]:
    """One summary per (model, dataset) present in the rows, models then datasets in the given order."""
    groups: dict[tuple[str, str], list[FrameRow]] = defaultdict(list)
    for r in rows:
        groups[(r["model"], r["dataset"])].append(r)
    return [summarize_group(groups[key], bootstrap_samples, seed)
            for key in sorted(groups, key=lambda k: _order_key(k, model_order, dataset_order))]


def _order_key(key: tuple[str, str], models: list[str] | None, datasets: list[str] | None) -> tuple:
    model, dataset = key
    m = models.index(model) if models and model in models else len(models or [])
    d = datasets.index(dataset) if datasets and dataset in datasets else len(datasets or [])
    return (m, model, d, dataset)


def sort_rows(rows: list[FrameRow], model_order: list[str] | None = None,
              dataset_order: list[str] | None = None) -> list[FrameRow]:
    """Rows in a stable, readable order: model, dataset, video, phase, frame."""
    return sorted(rows, key=lambda r: (*_order_key((r["model"], r["dataset"]), model_order, dataset_order),
                                       r["video_id"], r["phase"], r["frame_index"]))


def to_csv(rows: list[FrameRow]) -> str:
    """per_frame.csv text (floats at full precision, so pooled Dice recomputes exactly; n/a as empty)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=ROW_FIELDS, lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow({k: "" if v is None else v for k, v in r.items()})
    return buffer.getvalue()


def from_csv(text: str) -> list[FrameRow]:
    """Typed rows back from per_frame.csv text."""
    rows = []
    for raw in csv.DictReader(io.StringIO(text)):
        row: dict[str, Any] = {}
        for k in ROW_FIELDS:
            v = raw[k]
            row[k] = (None if v == "" else int(v)) if k in _INTS else (None if v == "" else float(v)) \
                if k in _FLOATS else (v == "True") if k == "ok" else v
        rows.append(cast(FrameRow, row))
    return rows


def pick_examples(dice_and_ids: list[tuple[float, str]]) -> dict[str, list[str]]:
    """frame_id -> which of "worst", "median", "best" it is (ties broken by frame_id; lower median)."""
    ordered = sorted(dice_and_ids)
    if not ordered:
        return {}
    picks: dict[str, list[str]] = defaultdict(list)
    for which, index in (("worst", 0), ("median", (len(ordered) - 1) // 2), ("best", len(ordered) - 1)):
        picks[ordered[index][1]].append(which)
    return dict(picks)
