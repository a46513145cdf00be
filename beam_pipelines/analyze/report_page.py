"""summary.json's content -> the analysis's report.html (and the same headline as console text).

The evaluation report's style (lvseg.report.page): offline, inline CSS, images by relative path. Every
number is formatted from summary.json, and each EF MAE cell carries its exact value in ``data-value`` so
tests (and readers) can check the page against the JSON and the CSV.
"""

from __future__ import annotations

from html import escape

from lvseg.report.page import CSS, cell, fmt, table
from lvseg.report.tables import text_table

HEADLINE_COLUMNS = ["model", "videos", "EF", "vs FileList", "MAE [95% CI]", "RMSE", "bias", "r", "R^2",
                    "AUC EF<35", "AUC EF<50", "MAE at experts' frames"]
REFERENCE = [  # published figures (shared/reference/echonet-dynamic.md), for comparison only
    ("EchoNet-Dynamic video model, EchoNet TEST", "EF MAE 4.1 (external hospital set 6.0)"),
    ("Echo-E3Net (2025), 1.55 M parameters", "EF RMSE 5.2"),
    ("FileList EF recomputed from the experts' own tracings", "MAE 0.6 (10 real TEST videos)"),
]


def _est(estimate: dict, digits: int = 2) -> str:
    return fmt(estimate["value"], digits)


def _ci(estimate: dict, digits: int = 2) -> str:
    if estimate["low"] is None:
        return _est(estimate, digits)
    return f"{fmt(estimate['value'], digits)} [{fmt(estimate['low'], digits)}, {fmt(estimate['high'], digits)}]"


def headline_cells(entry: dict) -> list[str]:
    a, e = entry["ef_vs_reference"], entry["ef_at_expert_frames_vs_reference"]
    return [entry["model"], str(entry["videos"]), str(entry["with_ef"]), str(a["n"]), _ci(a["mae"]),
            _est(a["rmse"]), _est(a["bias"]), _est(a["pearson_r"], 3), _est(a["r2"], 3),
            _est(a["auc"]["ef_below_35"], 3), _est(a["auc"]["ef_below_50"], 3), _est(e["mae"])]


def headline_text(results: list[dict]) -> str:
    """A fixed-width text table of the headline rows (the model's name left-aligned, numbers right-aligned)."""
    return text_table(HEADLINE_COLUMNS, [headline_cells(e) for e in results], left_columns=1)


def _headline(summary: dict) -> str:
    rows = []
    for entry in summary["results"]:
        cells = headline_cells(entry)
        mae = entry["ef_vs_reference"]["mae"]["value"]
        attrs = f' data-model="{escape(entry["model"])}" data-value="{mae!r}"'
        rows.append("<tr>" + "".join(cell(escape(c), "num" if i else "", attrs if i == 4 else "")
                                     for i, c in enumerate(cells)) + "</tr>")
    return table(HEADLINE_COLUMNS, rows)


BAND_NAMES = {"ef_below_35": "under 35 %", "ef_35_to_50": "35-50 %", "ef_50_and_above": "50 % and above"}


def _bands(summary: dict) -> str:
    """EF MAE and bias within each band of the FileList EF, per model."""
    rows = []
    for entry in summary["results"]:
        for name, a in entry["ef_vs_reference_by_band"].items():
            cells = [entry["model"], BAND_NAMES[name], str(a["n"]), _ci(a["mae"]), _ci(a["bias"])]
            rows.append("<tr>" + "".join(cell(escape(c), "num" if i > 1 else "") for i, c in enumerate(cells))
                        + "</tr>")
    return table(["model", "FileList EF", "videos", "MAE [95% CI]", "bias [95% CI]"], rows)


def _images(summary: dict) -> str:
    blocks = []
    for model, images in summary["images"].items():
        pictures = [images[k] for k in ("scatter", "bland_altman") if k in images] + images.get("curves", [])
        if pictures:
            blocks.append(f"<h3>{escape(model)}</h3><p>" + "".join(
                f'<img src="{escape(p)}" alt="{escape(p)}" style="max-width:32%;margin:2px">' for p in pictures)
                + "</p>")
    return "".join(blocks) or '<p class="muted">No pictures: no video had a reference EF.</p>'


def _gifs(summary: dict) -> str:
    if not summary["gifs"]:
        return '<p class="muted">No videos were animated.</p>'
    return "<p>" + "".join(f'<img class="gif" src="{escape(g)}" alt="{escape(g)}" title="{escape(g)}">'
                           for g in summary["gifs"]) + "</p>"


def _videos(rows: list[dict], limit: int = 200) -> str:
    head = ["video", "model", "EF", "FileList EF", "error", "EF at experts' frames", "beats", "quality", "EDV mL",
            "ESV mL", "units"]
    body = ["<tr>" + "".join([cell(escape(r["video_id"])), cell(escape(r["model"])), cell(fmt(r["ef"], 1), "num"),
                              cell(fmt(r["ef_reference"], 1), "num"), cell(fmt(r["ef_error"], 1), "num"),
                              cell(fmt(r["ef_expert_frames"], 1), "num"), cell(str(r["beats"]), "num"),
                              cell(escape(r["quality"])), cell(fmt(r["edv_ml"], 1), "num"),
                              cell(fmt(r["esv_ml"], 1), "num"), cell(escape(r["units"]), "",
                                                                     f' title="{escape(r["spacing"])}"')])
            + "</tr>" for r in rows[:limit]]
    more = f'<p class="muted">First {limit} of {len(rows)} rows; all of them: per_video.csv.</p>' \
        if len(rows) > limit else ""
    return table(head, body) + more


def _units(summary: dict, shown: int = 20) -> str:
    """Which videos have volumes in mL: only those whose file states a pixel spacing."""
    physical, pixel = summary["units"]["videos_in_ml"], summary["units"]["videos_in_pixel_units"]
    names = ", ".join(escape(v) for v in physical[:shown]) + (f" and {len(physical) - shown} more"
                                                                if len(physical) > shown else "")
    with_ml = f"Volumes in mL for {len(physical)} video(s), whose files state a pixel spacing: {names}." \
        if physical else "No video states a pixel spacing: volumes are in pixel units only."
    return (f"<p>{with_ml} {len(pixel)} video(s) have pixel units only (their mL columns are empty); "
            "EF needs no spacing.</p>")


def _masks(summary: dict) -> str:
    if not summary.get("masks"):
        return ""
    return (f'<p>Masks of every frame and overlay videos: {len(summary["masks"])} files in '
            f'<a href="masks/">masks/</a> (.npz: the masks and the mapping back to the original frame; .avi: '
            "contour and running EF).</p>")


def render(summary: dict, videos: list[dict]) -> str:
    """The whole report page."""
    counts, inputs = summary["counts"], summary["inputs"]
    rejected = ", ".join(f"{escape(k)} {v}" for k, v in counts["rejected"].items()) or "none"
    method = "".join(f"<li><b>{escape(k)}</b>: {escape(v)}</li>" for k, v in summary["method"].items())
    reference = "".join(f"<tr>{cell(escape(a))}{cell(escape(b))}</tr>" for a, b in REFERENCE)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>lvseg video analysis</title><style>{CSS}</style></head>
<body>
<h1>LV volume and ejection fraction from video</h1>
<div class="notice"><b>Research use only.</b> {escape(summary['notice'])}</div>
<p class="muted">Videos {escape(str(inputs['videos']))} (splits {escape(' '.join(inputs['splits']) or 'all')});
{counts['input_videos']} in, {counts['analysed_videos']} analysed, {counts['rejected_videos']} rejected ({rejected}),
{counts['skipped_videos']} skipped; created {escape(summary['created_utc'])}, lvseg {escape(summary['lvseg_version'])};
bootstrap {inputs['bootstrap_samples']} resamples, seed {inputs['seed']}.
Values: <a href="per_video.csv">per_video.csv</a>,
<a href="per_beat.csv">per_beat.csv</a>, curves/; all numbers: <a href="summary.json">summary.json</a>.</p>
<h2>Headline: EF against FileList EF</h2>
{_headline(summary)}
<p class="muted">"MAE at experts' frames" uses the predicted volumes at the two frames the experts traced: the
gap to the video MAE is what choosing ED and ES from the curve costs.</p>
<h2>EF by the FileList EF band</h2>
{_bands(summary)}
<p class="muted">A bias over all videos can hide opposite errors at the two ends: a model that pulls EF toward the
middle overstates a reduced EF, the direction that misses a failing ventricle.</p>
<h2>Agreement and volume curves</h2>
{_images(summary)}
<h2>Videos with the running EF</h2>
<p>Predicted contour on every frame and the EF a device would show so far.</p>
{_gifs(summary)}
<h2>Per video</h2>
{_units(summary)}
{_masks(summary)}
{_videos(videos)}
<h2>Method</h2>
<ul>{method}</ul>
<h2>Published results, for comparison only</h2>
<table><tr><th>model and set</th><th>EF</th></tr>{reference}</table>
</body></html>
"""
