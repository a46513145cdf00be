"""Held-out physiology: `lvseg analyze` on synthetic clips of each rhythm preset, scored against the true beats.

For every preset of lvseg.synth.physiology (bradycardia, tachycardia, afib, ectopic, low-ef, hypokinesis, long;
and ``train``, the default mixture) it generates ``--videos`` clips of a seed no threshold was tuned on
(default: lvseg.synth.seeds.REPORT_SEED, 2; lvseg.analysis thresholds are tuned on TUNING_SEED, 1), each preset
from a data seed of its own (lvseg.synth.seeds.physiology_seed: its own hearts and looks), with ``--truth``
(Beats.csv, FrameVolumes.csv), rendered as TEST clips are (B-mode; lvseg.demo.ANALYSIS_STYLE), runs the real
``lvseg analyze`` with the given MODEL_DIRs or .tflite files, and prints per preset and model:
  beats exact   share of videos whose beat count equals the true whole-beat count;
  matched       share of videos where found and true beats match one to one, unmatched beats at the clip's
                edges aside (lvseg.analysis.matching; an edge beat never enters the EF);
  ED err, ES err  median |frame error| of each true beat's ED / ES to the nearest found one (found beats only);
  EF MAE        video EF against FileList EF (the traced beat, as on real data), and against the median of the
                true beats' EFs (``MAE med``);
  at true frames  the segmentation alone, beats aside: EF from the predicted curve at the true beats' ED and ES
                frames (median over the beats) against the median of the true beats' EFs, as MAE and mean error
                (``bias``), and the median over videos of the predicted/true volume ratio at ES over the same at
                ED (``ES/ED``: over 1, the ES volume is overstated relative to ED, which lowers EF);
  jitter        median over videos of the rms second difference of the predicted volume curve, divided by its
                mean (the same for the true curve is the floor: the curve's own curvature);
  erratic       share of videos flagged ``erratic``, on clips whose rhythm is regular (sinus; a false flag) and
                on irregular ones (afib, ectopic).
Usage: python benchmarks/physiology.py --work DIR --models M [M ...] [--videos 20] [--seed 2]
       [--presets ...] [--style NAME] [--analyze-args "..."] [--refind]
With --style the same hearts and rhythms are rendered in another look (lvseg.synth.style, e.g. a held-out one:
heavier haze or wall drop-out makes the masks, and so the curves, noisier, as real echoes' are); its clips and
analyses go to data-STYLE/ and analysis-STYLE/ beside the default look's.
An analysis already in the work folder is reused, not rerun; one made with other --models, or older than a model
file it read, is refused (name a new --tag), so a table never reports one model's analyses under another's name.
With --refind the beats, EF and flags are found again on each analysis's saved volume curves by this tree's
beat finder (lvseg.analysis.video.analyse_curve) instead of read from its per_video.csv: a change to the finder
is measured on the same segmentations in seconds, with no inference rerun.
"""

from __future__ import annotations

import argparse
import csv
import glob
import json
import os
import shlex
from collections import defaultdict

import numpy as np
from transfer import lvseg  # the same CLI runner (benchmarks/ is on sys.path when run as a script)

from lvseg.analysis.beat_config import edge_frames
from lvseg.analysis.matching import match_beats
from lvseg.analysis.video import analyse_curve
from lvseg.demo import ANALYSIS_STYLE  # B-mode clips, as the demo's analysis set (domain randomization trains)
from lvseg.inference.model_dir import CONFIG_FILE, MODEL_FILE
from lvseg.metrics.bootstrap import percentile_ci, resample_indices
from lvseg.synth.sampling import video_id
from lvseg.synth.seeds import REPORT_SEED, physiology_seed
from lvseg.synth.style import STYLES

PRESETS = ("train", "bradycardia", "tachycardia", "afib", "ectopic", "low-ef", "hypokinesis", "long")


def read_csv(path: str) -> list[dict]:
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def stale(out: str, models: list[str]) -> str | None:
    """Why an existing analysis folder is not one of ``models`` (None when it is): its summary.json names other
    --models, or a model file it read (a MODEL_DIR's model and config, or the .tflite) changed after it was written:
    the same path, retrained."""
    summary = os.path.join(out, "summary.json")
    with open(summary) as handle:
        analysed = [m["spec"] for m in json.load(handle)["models"]]
    if analysed != models:
        return f"it holds an analysis of {' '.join(analysed)}, not of --models {' '.join(models)}"
    files = [os.path.join(spec, name) for spec in models if os.path.isdir(spec) for name in (MODEL_FILE, CONFIG_FILE)]
    files += [spec for spec in models if os.path.isfile(spec)]
    newer = [f for f in files if os.path.exists(f) and os.path.getmtime(f) > os.path.getmtime(summary)]
    return f"{newer[0]} changed after the analysis was written" if newer else None


def curves(out: str) -> dict[tuple[str, str], np.ndarray]:
    """(video, model) -> predicted volume per frame (NaN where failed)."""
    frames: dict[tuple[str, str], dict[int, float]] = defaultdict(dict)
    for path in glob.glob(os.path.join(out, "curves", "*")):
        for row in read_csv(path):
            volume = float(row["volume"]) if row["volume"] and row["ok"] == "True" else np.nan
            frames[(row["video_id"], row["model"])][int(row["frame"])] = volume
    return {key: np.array([v[i] for i in range(len(v))]) for key, v in frames.items()}


def jitter(volumes: np.ndarray) -> float:
    v = volumes[np.isfinite(volumes)]
    return float(np.sqrt(np.mean(np.diff(v, 2) ** 2)) / np.mean(v)) if len(v) > 3 else float("nan")


def refind(row: dict, curve: np.ndarray) -> dict:
    """A per_video.csv row with its beats, EF and quality found again on its saved curve by this tree's finder."""
    found = analyse_curve(curve, float(row["fps"]))
    return {**row, "ed_frames": " ".join(str(b.ed_frame) for b in found.beats),
            "es_frames": " ".join(str(b.es_frame) for b in found.beats),
            "ef": "" if found.ef is None else str(found.ef), "quality": " ".join(found.flags) or "ok"}


def score(data: str, out: str, again: bool = False) -> dict[str, dict[str, float]]:
    """Per model: the figures of the module docstring over one preset's videos (``again``: see --refind)."""
    return {model: summarize(m) for model, m in collect(data, out, again).items()}


def collect(data: str, out: str, again: bool = False) -> dict[str, dict[str, list]]:
    """Per model: the per-video and per-beat values ``summarize`` makes the figures of; ``clip`` names each video's
    heart and look (its name: the same in two presets exactly when they drew it from one seed)."""
    truth_beats: dict[str, list[dict]] = defaultdict(list)
    for row in read_csv(os.path.join(data, "Beats.csv")):
        truth_beats[row["FileName"]].append(row)
    true_volumes: dict[str, dict[int, float]] = defaultdict(dict)
    for row in read_csv(os.path.join(data, "FrameVolumes.csv")):
        true_volumes[row["FileName"]][int(row["Frame"])] = float(row["Volume"])
    predicted = curves(out)
    fps = {row["FileName"]: float(row["FPS"]) for row in read_csv(os.path.join(data, "FileList.csv"))}
    per_model: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for row in read_csv(os.path.join(out, "per_video.csv")):
        if again:
            row = refind(row, predicted[(row["video_id"], row["model"])])
        video, m = row["video_id"], per_model[row["model"]]
        beats = truth_beats[video]
        found_ed = [int(f) for f in row["ed_frames"].split()]
        found_es = [int(f) for f in row["es_frames"].split()]
        m["exact"].append(len(found_ed) == len(beats))
        true_pairs = [(int(b["EDFrame"]), int(b["ESFrame"])) for b in beats]
        m["matched"].append(match_beats(true_pairs, list(zip(found_ed, found_es)), len(true_volumes[video]),
                                        edge_frames(fps[video])).exact)
        for b in beats:
            if found_ed:
                m["ed_err"].append(min(abs(int(b["EDFrame"]) - f) for f in found_ed))
                m["es_err"].append(min(abs(int(b["ESFrame"]) - f) for f in found_es))
        ef = float(row["ef"]) if row["ef"] else np.nan
        m["ef_err"].append(ef - float(row["ef_reference"]))
        m["clip"].append(video)
        truth = true_volumes[video]
        curve = predicted.get((video, row["model"]), np.array([]))
        if beats:
            true_ef = float(np.median([float(b["EF"]) for b in beats]))
            m["ef_err_median"].append(ef - true_ef)
            at_frames(m, curve, truth, true_pairs, true_ef)
        m["jitter"].append(jitter(curve))
        m["jitter_true"].append(jitter(np.array([truth[i] for i in range(len(truth))])))
        regular = not beats or beats[0]["Rhythm"] == "sinus"
        m["erratic_regular" if regular else "erratic_irregular"].append("erratic" in row["quality"])
        m["no_ef"].append(not np.isfinite(ef))
    return dict(per_model)


def at_frames(m: dict[str, list], curve: np.ndarray, truth: dict[int, float], pairs: list[tuple[int, int]],
              true_ef: float) -> None:
    """The predicted curve read at the true ED and ES frames: its EF error and its ES-over-ED size bias."""
    whole = [(ed, es) for ed, es in pairs if max(ed, es) < len(curve) and np.isfinite(curve[[ed, es]]).all()]
    if whole:
        m["ef_err_frames"].append(float(np.median([100 * (1 - curve[es] / curve[ed]) for ed, es in whole])) - true_ef)
        m["es_vs_ed"].append(float(np.median([(curve[es] / truth[es]) / (curve[ed] / truth[ed]) for ed, es in whole])))


def summarize(m: dict[str, list]) -> dict[str, float]:
    def mean(key: str) -> float:
        return float(np.mean(m[key])) if m[key] else float("nan")

    def abs_mean(key: str) -> float:
        values = np.abs(np.array(m[key], float))
        values = values[np.isfinite(values)]
        return float(values.mean()) if len(values) else float("nan")

    return {"videos": len(m["exact"]), "beats_exact": mean("exact"), "matched": mean("matched"),
            "ed_err": float(np.median(m["ed_err"])) if m["ed_err"] else float("nan"),
            "es_err": float(np.median(m["es_err"])) if m["es_err"] else float("nan"),
            "ef_mae": abs_mean("ef_err"), "ef_mae_median_beat": abs_mean("ef_err_median"),
            "ef_mae_frames": abs_mean("ef_err_frames"), "ef_bias_frames": mean("ef_err_frames"),
            "es_vs_ed": float(np.median(m["es_vs_ed"])) if m["es_vs_ed"] else float("nan"),
            "jitter": float(np.nanmedian(m["jitter"])), "jitter_true": float(np.nanmedian(m["jitter_true"])),
            "erratic_regular": mean("erratic_regular"), "erratic_irregular": mean("erratic_irregular"),
            "no_ef": mean("no_ef")}


def table(results: dict[str, dict[str, dict[str, float]]]) -> str:
    head = (f"{'preset':<12}{'model':<14}{'videos':>6}{'beats exact':>12}{'matched':>8}{'ED err':>7}{'ES err':>7}"
            f"{'EF MAE':>7}{'MAE med':>8}{'frames MAE':>11}{'bias':>6}{'ES/ED':>6}{'jitter':>8}{'floor':>7}"
            f"{'erratic reg':>12}{'irreg':>6}{'no EF':>6}")
    lines = [head]
    for preset, models in results.items():
        for model, r in models.items():
            lines.append(f"{preset:<12}{model:<14}{r['videos']:>6}{r['beats_exact']:>12.0%}{r['matched']:>8.0%}"
                         f"{r['ed_err']:>7.1f}{r['es_err']:>7.1f}{r['ef_mae']:>7.2f}{r['ef_mae_median_beat']:>8.2f}"
                         f"{r['ef_mae_frames']:>11.2f}{r['ef_bias_frames']:>+6.1f}{r['es_vs_ed']:>6.3f}"
                         f"{r['jitter']:>8.4f}{r['jitter_true']:>7.4f}{r['erratic_regular']:>12.0%}"
                         f"{r['erratic_irregular']:>6.0%}{r['no_ef']:>6.0%}")
    return "\n".join(lines)


def clip_ci(errors: list[float], clips: list[str], samples: int = 2000, seed: int = 0) -> tuple[float, float]:
    """95 % CI of the mean |EF error| resampling clips (hearts and looks), not videos: where presets were drawn
    from one seed, clip i had the same heart and look in each, and its videos' errors moved together."""
    error, clip = np.abs(np.asarray(errors, float)), np.asarray(clips)
    error, clip = error[np.isfinite(error)], clip[np.isfinite(error)]
    ids = np.unique(clip)
    sums = np.array([error[clip == c].sum() for c in ids])
    counts = np.array([(clip == c).sum() for c in ids])
    draws = resample_indices(len(ids), samples, seed)
    return percentile_ci(sums[draws].sum(1) / counts[draws].sum(1))


def pooled(raw: dict[str, dict[str, dict[str, list]]]) -> tuple[dict[str, dict[str, float]], str]:
    """Every preset's videos together, per model: the table's row ``all`` and a line with EF MAE's CI by clip."""
    models: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for per_model in raw.values():
        for model, m in per_model.items():
            for key, values in m.items():
                models[model][key] += values
    lines = []
    for model, m in models.items():
        low, high = clip_ci(m["ef_err"], m["clip"])
        lines.append(f"{model}: EF MAE over the {len(m['ef_err'])} videos {summarize(m)['ef_mae']:.2f}, 95 % CI "
                     f"{low:.2f}-{high:.2f} ({len(set(m['clip']))} hearts and looks resampled)")
    return {model: summarize(m) for model, m in models.items()}, "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", required=True)
    parser.add_argument("--models", nargs="+", required=True)
    parser.add_argument("--videos", type=int, default=20)
    parser.add_argument("--seed", type=int, default=REPORT_SEED, help="a data seed no threshold was tuned on")
    parser.add_argument("--presets", nargs="+", default=list(PRESETS))
    parser.add_argument("--style", default=ANALYSIS_STYLE, choices=tuple(STYLES),
                        help=f"the clips' look (default {ANALYSIS_STYLE}, as TEST clips are rendered)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--analyze-args", default="", help="extra flags for lvseg analyze, one string")
    parser.add_argument("--tag", default="", help="names this analysis (rerun with other --analyze-args)")
    parser.add_argument("--refind", action="store_true",
                        help="find beats again on the saved curves with this tree's beat finder (no inference)")
    args = parser.parse_args(argv)
    os.makedirs(args.work, exist_ok=True)
    raw = {}
    look = "" if args.style == ANALYSIS_STYLE else f"-{args.style}"
    for preset in args.presets:
        data = os.path.join(args.work, "data" + look, preset)
        log = os.path.join(args.work, "log.txt")
        if not os.path.exists(os.path.join(data, "FileList.csv")):
            lvseg(["synth", "echonet", "--out", data, "--videos", str(args.videos),
                   "--seed", str(physiology_seed(args.seed, preset)),
                   "--physiology", preset, "--truth", "--workers", str(args.workers), "--style", args.style],
                  log)
        first = read_csv(os.path.join(data, "FileList.csv"))[0]["FileName"]
        if first != video_id(physiology_seed(args.seed, preset), 0):
            parser.error(f"{data} holds clips of another seed (or of one seed for every preset): use a new --work")
        out = os.path.join(args.work, "analysis" + look + (f"-{args.tag}" if args.tag else ""), preset)
        if not os.path.exists(os.path.join(out, "per_video.csv")):
            lvseg(["analyze", "--videos", data, "--models", *args.models, "--out", out, "--figure-videos", "0",
                   *shlex.split(args.analyze_args)], log)
        elif (why := stale(out, args.models)) is not None:
            parser.error(f"{out}: {why}; pass another --tag (a saved analysis is never rerun)")
        raw[preset] = collect(data, out, args.refind)
    results = {preset: {model: summarize(m) for model, m in per_model.items()} for preset, per_model in raw.items()}
    everything, ci = pooled(raw)
    print(table({**results, "all": everything}))
    print(ci)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
