"""summary.json's content -> one self-contained report.html (and the same headline as console text).

The page works offline: inline CSS, no script, images by relative path under the report folder.
Every number shown is formatted from summary.json; each pooled-Dice cell also carries the exact value
in ``data-value`` so tests (and readers) can check the page against the JSON and the CSV.
"""

from __future__ import annotations

from html import escape

from beam_pipelines.evaluate.scores import AREA_EDGES, PHASES, group_key
from lvseg.report.page import CSS, cell, contour_legend, fmt, table
from lvseg.report.tables import text_table

HEADLINE_COLUMNS = ["model", "dataset", "pooled Dice [95% CI]", "ED", "ES", "area ED", "area ES", "leak ES",
                    "frames", "failed"]
REFERENCE = [  # published figures (shared/reference/echonet-dynamic.md), for comparison only
    ("EchoNet-Dynamic DeepLabV3, EchoNet TEST (pooled)", "0.9200 (ED 0.9278, ES 0.9068)"),
    ("nnU-Net / SimLVSeg-3D, EchoNet TEST", "0.9286 / 0.9332"),
    ("EchoNet model / SimLVSeg on CAMUS 4CH (external)", "0.850 / 0.904"),
]


def fmt_ci(entry: dict) -> str:
    low, high = entry["ci95"]
    return f"{fmt(entry['pooled_dice'])} [{fmt(low)}, {fmt(high)}]"


def fmt_ratio(value: float | None) -> str:
    """A median area ratio as ``x1.12`` (predicted / true area; above 1 is too large)."""
    return "–" if value is None else f"x{value:.2f}"


def fmt_share(value: float | None) -> str:
    """A base leak (a share of the true LV area) as a percentage."""
    return "–" if value is None else f"{100 * value:.1f}%"


def headline_cells(entry: dict) -> list[str]:
    """The headline row of one (model, dataset) summary, as strings (console and HTML alike).

    ``area ED`` / ``area ES``: median predicted / true area per phase; ``leak ES``: median base leak at ES.
    """
    ed, es = entry["phases"]["ED"], entry["phases"]["ES"]
    return [entry["model"], entry["dataset"], fmt_ci(entry), fmt(ed["pooled_dice"]), fmt(es["pooled_dice"]),
            fmt_ratio(ed["median_area_ratio"]), fmt_ratio(es["median_area_ratio"]), fmt_share(es["median_base_leak"]),
            str(entry["frames"]), str(entry["failed"])]


def headline_text(results: list[dict]) -> str:
    """A fixed-width text table of the headline rows (model and dataset names left-aligned)."""
    return text_table(HEADLINE_COLUMNS, [headline_cells(e) for e in results], left_columns=2)


def _pooled_cell(entry: dict) -> str:
    attrs = (f' data-model="{escape(entry["model"])}" data-dataset="{escape(entry["dataset"])}"'
             f' data-value="{entry["pooled_dice"]!r}"')
    return cell(escape(fmt_ci(entry)), "num pooled", attrs)


def _headline_table(summary: dict) -> str:
    models = {m["name"]: m for m in summary["models"]}
    head = ["model", "kind", "format", "dataset", "pooled Dice [95% CI]", "ED", "ES", "mean", "median",
            "area ED", "area ES", "leak ED", "leak ES", "frames", "failed", "landmark ceiling"]
    rows = []
    for e in summary["results"]:
        m = models.get(e["model"], {})
        ed, es = e["phases"]["ED"], e["phases"]["ES"]
        ceiling = e["ceiling"]["pooled_dice"] if e.get("ceiling") else None
        rows.append("<tr>" + "".join([
            cell(escape(e["model"])), cell(escape(e["kind"])),
            cell(escape(f"{m.get('format', '')} {m.get('quantization', '')}".strip())),
            cell(escape(e["dataset"])), _pooled_cell(e),
            cell(fmt(ed["pooled_dice"]), "num"), cell(fmt(es["pooled_dice"]), "num"),
            cell(fmt(e["mean_dice"]), "num"), cell(fmt(e["median_dice"]), "num"),
            cell(fmt_ratio(ed["median_area_ratio"]), "num area"), cell(fmt_ratio(es["median_area_ratio"]), "num area"),
            _leak_cell(ed), _leak_cell(es),
            cell(str(e["frames"]), "num"), cell(str(e["failed"]), "num"), cell(fmt(ceiling), "num")]) + "</tr>")
    return table(head, rows)


def _leak_cell(phase: dict) -> str:
    """Median base leak, with the mean beneath (a few frames leaking a lot move the mean, not the median)."""
    if phase["median_base_leak"] is None:
        return cell("–", "num")
    return cell(f"{fmt_share(phase['median_base_leak'])}<br><span class=\"muted\">mean "
                f"{fmt_share(phase['mean_base_leak'])}</span>", "num leak")


def _matrix(summary: dict, body) -> str:
    """Models down, datasets across: the side-by-side view (mask vs landmarks, float vs int8, TEST vs external)."""
    by_key = {(e["model"], e["dataset"]): e for e in summary["results"]}
    rows = []
    for m in summary["models"]:
        label = (f"<b>{escape(m['name'])}</b><br><span class=\"muted\">{escape(m['kind'])}"
                 f"{' ' + escape(m['landmark_scheme']) if m['landmark_scheme'] else ''}, {escape(m['format'])} "
                 f"{escape(m['quantization'])}</span>")
        cells = [body(by_key[(m["name"], d)]) if (m["name"], d) in by_key else cell("–")
                 for d in summary["datasets"]]
        rows.append("<tr>" + cell(label) + "".join(cells) + "</tr>")
    return table(["model"] + summary["datasets"], rows)


def _comparison_cell(e: dict) -> str:
    text = f"{fmt(e['pooled_dice'])}<br><span class=\"muted\">ED {fmt(e['phases']['ED']['pooled_dice'])} · " \
           f"ES {fmt(e['phases']['ES']['pooled_dice'])}</span>"
    if e.get("ceiling"):
        text += f"<br><span class=\"muted\">ceiling {fmt(e['ceiling']['pooled_dice'])}</span>"
    return cell(text, "num")


def _bars(counts: list[int], height: int = 36) -> str:
    """An inline bar chart of one phase's area-ratio counts; the bar holding ratio 1.0 is drawn darker."""
    top = max(counts) or 1
    bars = []
    for low, high, count in zip(AREA_EDGES, AREA_EDGES[1:], counts):
        colour = "#1d2733" if low <= 1.0 < high else "#56779a"
        bars.append(f'<span title="x{low:.1f}-{high:.1f}: {count}" style="display:inline-block;width:7px;'
                    f'margin-right:1px;vertical-align:bottom;background:{colour};'
                    f'height:{max(1, round(height * count / top)) if count else 0}px"></span>')
    return "".join(bars)


def _area_cell(e: dict) -> str:
    """Per phase: the histogram of predicted / true area (x0.5 to x2.0, 0.1 a bar) and the median."""
    lines = [f"{p} {_bars(e['phases'][p]['area_ratio_counts'])} median {fmt_ratio(e['phases'][p]['median_area_ratio'])}"
             for p in PHASES]
    return cell("<br>".join(lines))


def _image_cell(summary: dict, kind: str):
    def body(e: dict) -> str:
        key = group_key(e["model"], e["dataset"])
        path = summary["images"].get(key, {}).get(kind)
        if not path:
            return cell("<span class=\"muted\">none</span>")
        return cell(f'<img src="{escape(path)}" alt="{escape(kind)} {escape(key)}">')
    return body


def _gif_table(summary: dict) -> str:
    gifs = summary["gifs"]
    if not gifs:
        return "<p class=\"muted\">No videos were animated.</p>"
    models = [m["name"] for m in summary["models"]]
    videos = list(dict.fromkeys(g["video_id"] for g in gifs))
    at = {(g["video_id"], g["model"]): g["path"] for g in gifs}
    rows = ["<tr>" + cell(escape(v)) + "".join(
        cell(f'<img class="gif" src="{escape(at[(v, m)])}" alt="{escape(m)} on {escape(v)}">')
        if (v, m) in at else cell("–") for m in models) + "</tr>" for v in videos]
    return table(["video"] + models, rows)


def _skipped(inputs: dict) -> str:
    skipped = inputs.get("external_skipped") or []
    return f" ({len(skipped)} patients skipped: unreadable or incomplete)" if skipped else ""


def _declutter(inputs: dict) -> str:
    share = inputs.get("declutter") or 0
    return f"; records' frames less {share:g} of their clutter floor (--declutter)" if share else ""


def render(summary: dict) -> str:
    """The whole report page."""
    inputs = summary["inputs"]
    method = "".join(f"<li><b>{escape(k)}</b>: {escape(v)}</li>" for k, v in summary["method"].items())
    reference = "".join(f"<tr>{cell(escape(a))}{cell(escape(b))}</tr>" for a, b in REFERENCE)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>lvseg evaluation report</title><style>{CSS}</style></head>
<body>
<h1>LV segmentation: evaluation report</h1>
<div class="notice"><b>Research use only.</b> {escape(summary['notice'])}</div>
<p class="muted">Records {escape(str(inputs['records']))} (split {escape(inputs['split'])}); external set
{escape(str(inputs['external'] or 'none'))}{_skipped(inputs)}; created {escape(summary['created_utc'])}, lvseg
{escape(summary['lvseg_version'])}; bootstrap {inputs['bootstrap_samples']} resamples, seed
{inputs['seed']}{_declutter(inputs)}.
Per-frame values: <a href="per_frame.csv">per_frame.csv</a>; all numbers: <a href="summary.json">summary.json</a>.</p>
<h2>Headline</h2>
{_headline_table(summary)}
<h2>Side by side: pooled Dice per model and dataset</h2>
{_matrix(summary, _comparison_cell)}
<h2>Predicted / true LV area per frame</h2>
<p class="muted">Bars from x0.5 to x2.0, 0.1 wide (the ends also hold everything beyond); the dark bar holds x1.0.
Masks drawn through the mitral valve into the atrium show as ratios above 1, which Dice hides.</p>
{_matrix(summary, _area_cell)}
<h2>Per-frame Dice</h2>
{_matrix(summary, _image_cell(summary, "histogram"))}
<h2>Best, median and worst frames</h2>
{contour_legend()}
{_matrix(summary, _image_cell(summary, "examples"))}
<h2>Videos</h2>
<p>Predicted contour on every frame; the true contour on the two traced frames (ED, ES).</p>
{contour_legend()}
{_gif_table(summary)}
<h2>Method</h2>
<ul>{method}</ul>
<h2>Published results, for comparison only</h2>
<table><tr><th>model and set</th><th>Dice</th></tr>{reference}</table>
</body></html>
"""
