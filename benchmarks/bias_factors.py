"""Which of a synthetic clip's draws does a model's error follow? Its per-clip figures against the generator's draws.

A model's predicted/true area at ED and ES (and their ratio, which is what EF sees), and the EF error of a video's
analysis, vary from clip to clip. On a synthetic dataset every clip's draws can be replayed from its seed and
index (lvseg.synth.plan): EF, the ventricle's size, wall and trabecular geometry, every tissue level and
appearance setting (the lateral drop-out patch among them). This ranks those draws by their rank correlation
(Spearman) with each figure over the clips and gives the median figure in each third of the top ones, so a
hypothesis about an error's source (a tissue layer, a look, the size) is tested on the clips before anything is
changed. The replay is checked against the table: each clip's ED and ES frames and true areas (evaluate), or its
FileList EF (analyze), must match, else the seed, frame bounds or physiology given are not the dataset's.

  python benchmarks/bias_factors.py --per-frame REPORT/per_frame.csv --data ECHONET_DIR --seed 0 --max-frames 64
      [--model mask] [--split TEST] [--style train] [--top 8]
  python benchmarks/bias_factors.py --per-video ANALYSIS/per_video.csv --data DIR --seed 10 --max-frames 200
      --style bmode [--physiology train]    (the EF error of each video of an analysed synthetic set)
  python benchmarks/bias_factors.py --physiology-work W [--tag T] --seed 2 --style bmode [--model mask]
      (benchmarks/physiology.py's folders: every preset's EF error, W/data/PRESET against W/analysis[-T]/PRESET,
      each preset replayed from its own data seed, lvseg.synth.seeds.physiology_seed)
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
from dataclasses import fields

import numpy as np
from scipy.stats import spearmanr

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from lvseg.geometry.mask import disk_volume  # noqa: E402
from lvseg.synth import sampling  # noqa: E402
from lvseg.synth.clips import MM_PER_PIXEL  # noqa: E402
from lvseg.synth.labels import Extras  # noqa: E402
from lvseg.synth.physiology import PHYSIOLOGIES  # noqa: E402
from lvseg.synth.plan import VideoPlan, appearance  # noqa: E402
from lvseg.synth.seeds import physiology_seed  # noqa: E402
from lvseg.synth.style import Look  # noqa: E402
from lvseg.synth.truth import VideoTruth, video_truth  # noqa: E402

Phases = dict[str, tuple[int, float, float]]  # phase -> (frame, predicted/true area, true area)


def read_ratios(path: str, model: str, dataset: str) -> dict[str, Phases]:
    """Each clip's traced frames from evaluate's per_frame.csv: {video: {phase: (frame, area ratio, true area)}}."""
    clips: dict[str, Phases] = {}
    with open(path, newline="") as handle:
        for row in csv.DictReader(handle):
            if row["model"] == model and row["dataset"] == dataset and row["ok"] == "True":
                clips.setdefault(row["video_id"], {})[row["phase"]] = (
                    int(row["frame_index"]), float(row["area_ratio"]), float(row["true_area"]))
    return {video: phases for video, phases in clips.items() if {"ED", "ES"} <= set(phases)}


def read_ef(path: str, model: str) -> dict[str, tuple[float, float]]:
    """Each video's (FileList EF, EF error) from analyze's per_video.csv (videos with an EF and a reference)."""
    with open(path, newline="") as handle:
        return {row["video_id"]: (float(row["ef_reference"]), float(row["ef_error"]))
                for row in csv.DictReader(handle) if row["model"] == model and row["ef_error"]}


def clip_factors(plan: VideoPlan, look: Look, extras: Extras) -> dict[str, float]:
    """A clip's scalar draws: physiology and geometry, then every numeric appearance setting and tissue level."""
    heart = plan.heart
    out = {"ef": plan.ef_target, "fps": plan.timing.fps, "ed_length": heart.lv_ed.length,
           "ed_width": heart.lv_ed.width_left + heart.lv_ed.width_right, "wall_ed": heart.wall_ed,
           "septum": heart.septum, "shortening": heart.shortening, "narrowing": heart.narrowing,
           "hypokinesis": heart.hypokinesis[0], "la_length": heart.atria[0], "la_bulge": heart.atria[1],
           "trabecular_zone": extras.trabecular_zone, "tips_depth": extras.trabecular_zone * extras.traced_share,
           "rv_wall": extras.rv_wall, "atrial_wall": extras.atrial_wall, "pericardium": extras.pericardium,
           "leaflet": extras.leaflet, "papillary_muscles": float(len(extras.papillary)),
           "dropout_strength": look.dropout[0], "dropout_width": 2 * look.dropout[2]}
    for f in fields(look):
        value = getattr(look, f.name)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            out[f.name] = float(value)
    for name, level in look.levels_db.items():
        out[f"{name}_db"] = float(level)
    return out


def _indices(data: str, seed: int) -> dict[str, int]:
    """Clean video name -> index, for as many indices as the dataset's FileList has rows."""
    with open(os.path.join(data, "FileList.csv"), newline="") as handle:
        count = sum(1 for _ in csv.DictReader(handle))
    return {sampling.video_id(seed, i, "clean"): i for i in range(count)}


def _mismatch(message: str) -> SystemExit:
    return SystemExit(f"bias_factors: error: {message}: check --seed, the frame bounds and the physiology")


def check_areas(truth: VideoTruth, phases: Phases) -> None:
    for phase, frame in (("ED", truth.ed_frame), ("ES", truth.es_frame)):
        listed, _, area = phases[phase]
        if listed != frame or int(truth.mask(frame).sum()) != int(area):
            raise _mismatch(f"{truth.name} {phase} does not replay (frame {frame} vs {listed}, area "
                            f"{int(truth.mask(frame).sum())} vs {int(area)})")


def check_ef(truth: VideoTruth, reference: float) -> None:
    ed, es = (disk_volume(truth.plan.tracing(t), MM_PER_PIXEL) for t in (truth.ed_frame, truth.es_frame))
    if abs(100.0 * (ed - es) / ed - reference) > 0.01:
        raise _mismatch(f"{truth.name}'s EF does not replay ({100.0 * (ed - es) / ed:.3f} vs {reference:.3f})")


def replay(data: str, videos: list[str], seed: int, style: str, physiology: str, min_frames: int | None,
           max_frames: int | None, check) -> tuple[list[str], list[dict[str, float]]]:
    """The factors of each of ``videos`` in the dataset (fault videos and others' skipped), each replay checked."""
    index = _indices(data, seed)
    names, table = [], []
    for video in sorted(v for v in videos if v in index):
        truth = video_truth(seed, index[video], min_frames=min_frames, max_frames=max_frames, physiology=physiology)
        check(truth)
        look, extras = appearance(truth.plan, style, training=False)
        names.append(video)
        table.append(clip_factors(truth.plan, look, extras))
    return names, table


def ranked(target: np.ndarray, table: list[dict[str, float]]) -> list[tuple[str, float]]:
    """Every factor that varies over the clips with its Spearman correlation with ``target``, strongest first
    (nothing when the target itself does not vary)."""
    if np.ptp(target) == 0:
        return []
    out = []
    for name in table[0]:
        values = np.array([row[name] for row in table])
        if np.ptp(values) > 0:
            out.append((name, float(spearmanr(values, target).statistic)))
    return sorted(out, key=lambda item: -abs(item[1]))


def thirds(values: np.ndarray, target: np.ndarray) -> list[tuple[float, float, float]]:
    """(low, high, median target) of each third of the clips ordered by ``values``."""
    order = np.argsort(values, kind="stable")
    return [(float(values[part[0]]), float(values[part[-1]]), float(np.median(target[part])))
            for part in np.array_split(order, 3)]


def report(targets: dict[str, np.ndarray], table: list[dict[str, float]], top: int, unit: str = "x") -> str:
    lines = []
    for label, target in targets.items():
        lines.append(f"\n{label}: factors by |Spearman rho| (median {label} in each third of the clips)")
        for name, rho in ranked(target, table)[:top]:
            values = np.array([row[name] for row in table])
            parts = "  ".join(f"{lo:.3g}-{hi:.3g}: {unit}{med:.3f}" for lo, hi, med in thirds(values, target))
            lines.append(f"  {name:<20} rho {rho:+.2f}   {parts}")
    return "\n".join(lines)


def area_study(args: argparse.Namespace) -> str:
    clips = read_ratios(args.per_frame, args.model, f"echonet-{args.split.lower()}")
    names, table = replay(args.data, list(clips), args.seed, args.style, args.physiology, args.min_frames,
                          args.max_frames, lambda truth: check_areas(truth, clips[truth.name]))
    if not names:
        raise SystemExit("bias_factors: error: no clip of the per-frame table is in the dataset of this seed")
    for row, video in zip(table, names):
        row.update(true_ed_area=clips[video]["ED"][2], true_es_area=clips[video]["ES"][2])
    ed, es = np.array([clips[v]["ED"][1] for v in names]), np.array([clips[v]["ES"][1] for v in names])
    head = (f"{args.model}, {args.split}: {len(names)} clips, median area ratio ED x{np.median(ed):.3f}, "
            f"ES x{np.median(es):.3f}, ES/ED x{np.median(es / ed):.3f}")
    return head + report({"ED ratio": ed, "ES ratio": es, "ES/ED": es / ed}, table, args.top)


def analysed_sets(args: argparse.Namespace) -> list[tuple[str, str, str, int]]:
    """(dataset folder, analyze's per_video.csv, physiology, data seed) of each set the EF study reads."""
    if args.per_video:
        return [(args.data, args.per_video, args.physiology, args.seed)]
    folder = os.path.join(args.physiology_work, "analysis" + (f"-{args.tag}" if args.tag else ""))
    return [(os.path.join(args.physiology_work, "data", p), os.path.join(folder, p, "per_video.csv"), p,
             physiology_seed(args.seed, p))
            for p in PHYSIOLOGIES if os.path.exists(os.path.join(folder, p, "per_video.csv"))]


def ef_study(args: argparse.Namespace) -> str:
    names, table, errors = [], [], []
    for data, per_video, physiology, seed in analysed_sets(args):
        ef = read_ef(per_video, args.model)
        got, rows = replay(data, list(ef), seed, args.style, physiology, args.min_frames, args.max_frames,
                           lambda truth: check_ef(truth, ef[truth.name][0]))
        names += got
        table += rows
        errors += [ef[v][1] for v in got]
    if not names:
        raise SystemExit("bias_factors: error: no analysed video of this seed")
    error = np.array(errors)
    head = f"{args.model}: {len(names)} videos, EF error mean {error.mean():+.2f}, MAE {np.abs(error).mean():.2f}"
    return head + report({"EF error": error, "|EF error|": np.abs(error)}, table, args.top, unit="")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--per-frame", help="lvseg evaluate's per_frame.csv (with --data)")
    source.add_argument("--per-video", help="lvseg analyze's per_video.csv (with --data)")
    source.add_argument("--physiology-work", help="benchmarks/physiology.py's --work folder")
    parser.add_argument("--data", help="the synthetic EchoNet folder the records were made from or was analysed")
    parser.add_argument("--tag", default="", help="the physiology analysis's --tag")
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--min-frames", type=int, default=None)
    parser.add_argument("--max-frames", type=int, default=None)
    parser.add_argument("--style", default="train")
    parser.add_argument("--physiology", default="train", help="the dataset's physiology preset")
    parser.add_argument("--model", default="mask", help="the model's name in the table")
    parser.add_argument("--split", default="TEST", help="with --per-frame: evaluate's dataset echonet-SPLIT")
    parser.add_argument("--top", type=int, default=8)
    args = parser.parse_args(argv)
    if (args.per_frame or args.per_video) and not args.data:
        parser.error("--per-frame and --per-video need --data")
    print(area_study(args) if args.per_frame else ef_study(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
