"""After the analysis job: its rows -> per_video.csv, per_beat.csv, rejected.jsonl, summary.json, images, report.

OUT/per_video.csv     one row per (video, model): EF, reference, EF at the experts' frames, beats, quality
OUT/per_beat.csv      one row per beat: ED and ES frames and volumes, EF
OUT/curves/           per-frame area, long axis, volume and smoothed volume (sharded CSV, written by the job)
OUT/rejected.jsonl    every video that could not be analysed, with its reason
OUT/summary.json      per model: EF agreement with FileList EF (MAE, RMSE, bias, limits of agreement, r, R^2,
                      AUC for EF < 35 % and < 50 %, each with a bootstrap 95 % CI), the same at the experts'
                      frames, quality counts; the counts that reconcile (input = analysed + rejected + skipped)
OUT/images/, OUT/gifs/, OUT/report.html   the pictures and the offline page
Everything is written into the run's staging folder and published as a unit (lvseg.publish).
"""

from __future__ import annotations

import datetime
import json
from collections import Counter
from dataclasses import asdict

import numpy as np

from beam_pipelines.analyze import report_page
from beam_pipelines.analyze.masks import MASK_DIR
from beam_pipelines.analyze.rows import BEAT_FIELDS, OK, UNITS_PHYSICAL, VIDEO_FIELDS, VOLUME_UNIT, sort_key, to_csv
from lvseg import RESEARCH_NOTICE, __version__, storage
from lvseg.analysis.agreement import Agreement, agreement, by_band
from lvseg.datasets.rejects import reason_counts, rejects_jsonl
from lvseg.inference.models import ModelInfo
from lvseg.report import figures

IMAGE_DIR, GIF_DIR, CURVE_DIR, REPORT_FILE = "images", "gifs", "curves", "report.html"
OWNED = ("per_video.csv", "per_beat.csv", CURVE_DIR, "rejected.jsonl", "summary.json", IMAGE_DIR, GIF_DIR, REPORT_FILE,
         MASK_DIR)
METHOD = {
    "volume": "each frame's mask -> largest component -> long axis (apex to mitral-annulus midpoint, from the mask's "
              "flat ends; landmark models: apex at landmark 0) -> 20 perpendicular chords -> method of disks "
              "(lvseg.geometry), the rule FileList EF applies to the experts' tracings; " + VOLUME_UNIT,
    "beats": "smoothed volume curve; a beat is an end-diastole followed by the next end-systole "
             "(lvseg.analysis.beats: one ED and one ES per cardiac cycle, thresholds documented there)",
    "ef": "per beat (EDV - ESV) / EDV x 100 at its ED and ES frames; per video the median over the good beats (not "
          "ectopic, not a small stroke, not at a clip edge, no bridged gap; per_beat.csv's quality column)",
    "ef_expert_frames": "predicted volumes at the experts' traced ED and ES frames: segmentation error without "
                        "frame selection",
    "agreement": "against FileList EF, videos with both values; CIs are seeded percentile bootstraps over videos; "
                 "also within bands of the FileList EF (under 35, 35 to 50, 50 and above: ef_vs_reference_by_band), "
                 "where a model that compresses EF toward the middle shows opposite biases at the two ends",
    "scanner_input": "DICOM loops, screen recordings and stills are brought to the EchoNet frame "
                     "(lvseg.datasets.scanner.framing): the scan sector is found, everything outside it blanked, "
                     "the sector's bounding square cropped and resized to 112x112 with cubic interpolation",
    "units": "edv/esv/volume columns are in the pixel unit above for every video; where the file states a pixel "
             "spacing (a DICOM B-mode region's PhysicalDeltaX/Y) the *_ml, *_cm and *_cm2 columns hold the same "
             "values in mL, cm and cm^2 (per_video.csv's units and spacing columns say which); otherwise they "
             "are empty",
}


def _agreement_json(a: Agreement) -> dict:
    out = asdict(a)
    out["auc"] = {f"ef_below_{int(t)}": asdict(e) for t, e in a.auc.items()}
    return out


def summarize_model(rows: list[dict], samples: int, seed: int) -> dict:
    """Agreement and quality of one model's per-video rows."""
    with_ref = [r for r in rows if r["ef_reference"] is not None]
    predicted, reference = [r["ef"] for r in with_ref], [r["ef_reference"] for r in with_ref]
    video, bands = agreement(predicted, reference, samples, seed), by_band(predicted, reference, samples, seed)
    expert = [r for r in with_ref if r["expert_ed_frame"] is not None]
    at_frames = agreement([r["ef_expert_frames"] for r in expert], [r["ef_reference"] for r in expert], samples, seed)
    quality = Counter(flag for r in rows for flag in r["quality"].split("+"))
    return {"model": rows[0]["model"], "kind": rows[0]["kind"], "videos": len(rows),
            "with_ef": sum(r["ef"] is not None for r in rows), "with_reference": len(with_ref),
            "quality": dict(sorted(quality.items())), "ok_videos": quality.get(OK, 0),
            "ef_vs_reference": _agreement_json(video), "ef_at_expert_frames_vs_reference": _agreement_json(at_frames),
            "ef_vs_reference_by_band": {name: _agreement_json(a) for name, a in bands.items()}}


def write_report(out: str, job: dict, infos: list[ModelInfo], videos: list[dict], beats: list[dict],
                 rejects: list[dict], figure_curves: list[dict], counts: dict) -> dict:
    """Write every report file under ``out`` (the run's staging folder); returns summary.json's content."""
    models = [i.name for i in infos]
    videos = sorted(videos, key=lambda r: sort_key(r, models))
    beats = sorted(beats, key=lambda r: sort_key(r, models))
    storage.write_text(storage.join(out, "per_video.csv"), to_csv(videos, VIDEO_FIELDS))
    storage.write_text(storage.join(out, "per_beat.csv"), to_csv(beats, BEAT_FIELDS))
    storage.write_text(storage.join(out, "rejected.jsonl"), rejects_jsonl(rejects))
    results = [summarize_model([r for r in videos if r["model"] == m], job["bootstrap_samples"], job["seed"])
               for m in models if any(r["model"] == m for r in videos)]
    images = _draw(out, results, videos, figure_curves)
    files = {"report": REPORT_FILE, "per_video": "per_video.csv", "per_beat": "per_beat.csv",
             "curves": f"{CURVE_DIR}/", "rejected": "rejected.jsonl"}
    masks = sorted(f"{MASK_DIR}/{f.rsplit('/', 1)[-1]}" for f in storage.list_files(storage.join(out, MASK_DIR)))
    if masks:
        files["masks"] = f"{MASK_DIR}/"
    summary = {
        "notice": RESEARCH_NOTICE, "lvseg_version": __version__,
        "created_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "inputs": job, "counts": {**counts, "rejected": reason_counts(rejects)},
        "models": [asdict(i) for i in infos], "method": METHOD, "results": results, "images": images,
        "gifs": sorted(f"{GIF_DIR}/{f.rsplit('/', 1)[-1]}" for f in storage.list_files(storage.join(out, GIF_DIR))
                       if f.endswith(".gif")),
        "files": files, "units": units_summary(videos), "masks": masks,
    }
    storage.write_text(storage.join(out, "summary.json"), json.dumps(summary, indent=2))
    storage.write_text(storage.join(out, REPORT_FILE), report_page.render(summary, videos))
    return summary


def units_summary(videos: list[dict]) -> dict:
    """Which videos have volumes in mL (their file states a pixel spacing) and which only in pixel units."""
    physical = sorted({r["video_id"] for r in videos if r["units"] == UNITS_PHYSICAL})
    return {"videos_in_ml": physical,
            "videos_in_pixel_units": sorted({r["video_id"] for r in videos} - set(physical))}


def _draw(out: str, results: list[dict], videos: list[dict], figure_curves: list[dict]) -> dict:
    """images/{scatter,bland_altman}__<model>.png where references exist; curve__<model>__<video>.png."""
    images: dict = {}
    for entry in results:
        model = entry["model"]
        pairs = [(r["ef"], r["ef_reference"]) for r in videos
                 if r["model"] == model and r["ef"] is not None and r["ef_reference"] is not None]
        images[model] = {"curves": []}
        if pairs:
            predicted, reference = [p for p, _ in pairs], [r for _, r in pairs]
            for kind, draw in (("scatter", figures.ef_scatter), ("bland_altman", figures.bland_altman)):
                path = f"{IMAGE_DIR}/{kind}__{model}.png"
                storage.write_bytes(storage.join(out, path), draw(predicted, reference, f"{model}: EF"))
                images[model][kind] = path
    for curve in sorted(figure_curves, key=lambda c: (c["video_id"], c["model"])):
        path = f"{IMAGE_DIR}/curve__{curve['model']}__{curve['video_id']}.png"
        nan = float("nan")
        title = f"{curve['video_id']} ({curve['model']}): EF " + (f"{curve['ef']:.1f} %" if curve["ef"] is not None
                                                                   else "none")
        storage.write_bytes(storage.join(out, path), figures.volume_curve(
            np.array([nan if v is None else v for v in curve["volumes"]], float),
            np.array([nan if v is None else v for v in curve["smoothed"]], float), curve["beats"], curve["fps"], title))
        images.setdefault(curve["model"], {"curves": []})["curves"].append(path)
    return images
