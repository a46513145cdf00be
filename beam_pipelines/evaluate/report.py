"""After the evaluation job: per-frame rows -> per_frame.csv, summary.json, plots and report.html.

REPORT_DIR/report.html        the page (relative links only: copy the folder anywhere, open offline)
REPORT_DIR/per_frame.csv      one row per (model, frame): Dice, areas, area ratio, base leak, ok, ceiling
REPORT_DIR/summary.json       one entry per (model, dataset) plus inputs and method notes
REPORT_DIR/images/            Dice histograms and best / median / worst overlay grids (PNG)
REPORT_DIR/gifs/              videos with the predicted contour on every frame (written by the job)
REPORT_DIR/manifest.json      written last when the report is published (lvseg.publish): it lists every file
Until then everything lives in the run's staging folder, with work/: the job's raw outputs (scores.jsonl,
examples/*.npz, the staged external frames), which are never published.
"""

from __future__ import annotations

import datetime
import io
import json
from dataclasses import asdict

import numpy as np

from beam_pipelines.evaluate import report_page, scores
from beam_pipelines.evaluate.options import EvaluateOptions
from lvseg import RESEARCH_NOTICE, __version__, storage
from lvseg.inference.models import ModelInfo
from lvseg.report import figures

IMAGE_DIR = "images"
GIF_DIR = "gifs"
REPORT_FILE = "report.html"
REPORT_OWNED = (REPORT_FILE, "summary.json", "per_frame.csv", IMAGE_DIR, GIF_DIR)  # what REPORT_DIR publishes
EXAMPLE_ORDER = ("best", "median", "worst")
METHOD = {
    "dice": "2|P n T| / (|P| + |T|) per frame; the official figure pools pixels over all frames (lvseg.metrics.dice)",
    "ci": "percentile bootstrap over frames (seeded), 95 %",
    "failed_frames": "a failed landmark prediction counts as an empty mask (Dice 0) and stays in the pooled "
                     "Dice; pooled_dice_ok excludes them",
    "landmark_models": "scored on the spline-rebuilt mask against the TRUE mask",
    "ceiling": "spline through the frame's true landmarks vs the true mask, on the same frames; only where the "
               "records carry landmarks of the model's scheme (null for the external set)",
    "examples": "best / median (lower) / worst per-frame Dice, ties broken by frame id",
    "area_ratio": "predicted / true LV area per frame, median per phase: above 1 the masks are too large, which "
                  "Dice hides and EF does not (lvseg.metrics.area)",
    "base_leak": "predicted LV pixels beyond the true base line (the line between the two mitral-annulus hinges of "
                 "the tracing, on the side away from the true mask) and outside the true mask, as a share of the "
                 "true area; null for sets without tracings (the external set)",
}


def _load_examples(path: str) -> list[dict]:
    try:
        data = np.load(io.BytesIO(storage.read_bytes(path)))
    except FileNotFoundError:
        return []
    out = []
    for which in EXAMPLE_ORDER:
        if f"{which}_image" in data:
            meta = json.loads(str(data[f"{which}_meta"]))
            out.append({"label": which, "image": data[f"{which}_image"], "true": data[f"{which}_true"],
                        "pred": data[f"{which}_pred"], "dice": meta["dice"], "caption": meta["frame_id"]})
    return out


def _gifs(out: str, infos: list[ModelInfo]) -> list[dict]:
    """The GIFs the job wrote, as {model, video_id, path (relative)} sorted by video then model order."""
    names = [f.replace("\\", "/").rsplit("/", 1)[-1] for f in storage.list_files(storage.join(out, GIF_DIR))]
    order = {info.name: i for i, info in enumerate(infos)}
    found = []
    for name in (n for n in names if n.endswith(".gif")):
        # the longest model name that prefixes the file wins ("a__b__v.gif" is model "a__b" if it exists)
        owners = [m for m in order if name.startswith(m + "__")]
        if owners:
            model = max(owners, key=len)
            found.append({"model": model, "video_id": name[len(model) + 2:-4], "path": f"{GIF_DIR}/{name}"})
    return sorted(found, key=lambda g: (g["video_id"], order[g["model"]]))


def write_report(job: EvaluateOptions, infos: list[ModelInfo], rows: list[scores.FrameRow], out: str, examples_dir: str,
                 external: dict | None = None) -> dict:
    """Write every report file under ``out`` (the run's staging folder) from the rows; returns summary.json."""
    models, datasets = [i.name for i in infos], job.datasets()
    rows = scores.sort_rows(rows, models, datasets)
    storage.write_text(storage.join(out, "per_frame.csv"), scores.to_csv(rows))
    results = scores.summarize(rows, job.bootstrap_samples, job.seed, models, datasets)
    images = {}
    for entry in results:
        key = scores.group_key(entry["model"], entry["dataset"])
        group = [r["dice"] for r in rows if r["model"] == entry["model"] and r["dataset"] == entry["dataset"]]
        hist = f"{IMAGE_DIR}/hist__{key}.png"
        storage.write_bytes(storage.join(out, hist), figures.dice_histogram(
            group, f"{entry['model']} on {entry['dataset']}", entry["pooled_dice"], entry["failed"]))
        images[key] = {"histogram": hist}
        examples = _load_examples(storage.join(examples_dir, f"{key}.npz"))
        if examples:
            grid = f"{IMAGE_DIR}/examples__{key}.png"
            storage.write_bytes(storage.join(out, grid), figures.overlay_grid(
                examples, f"{entry['model']} on {entry['dataset']}"))
            images[key]["examples"] = grid
    summary = {
        "notice": RESEARCH_NOTICE,
        "created_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "lvseg_version": __version__,
        "inputs": {"records": job.records, "split": job.split, "external": job.external or None,
                   "external_skipped": (external or {}).get("skipped", []),
                   "bootstrap_samples": job.bootstrap_samples, "seed": job.seed, "declutter": job.declutter},
        "models": [asdict(i) for i in infos],
        "datasets": datasets,
        "method": METHOD,
        "results": results,
        "images": images,
        "gifs": _gifs(out, infos),
        "files": {"report": REPORT_FILE, "per_frame": "per_frame.csv"},
    }
    storage.write_text(storage.join(out, "summary.json"), json.dumps(summary, indent=2))
    storage.write_text(storage.join(out, REPORT_FILE), report_page.render(summary))
    return summary
