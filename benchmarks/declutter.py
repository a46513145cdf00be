"""Static clutter suppression (lvseg.inference.declutter): EF at the true ED and ES frames, with and without it.

For each EchoNet-layout folder written with ``--truth`` (Beats.csv: every true beat's ED and ES frame and EF) and
each model, every true beat's ED and ES frames are segmented as ``lvseg analyze`` does (mirror-averaged; volumes
by lvseg.analysis.volumes.measure, the analysis' own rule) from the clip as read and from the clip decluttered at
each strength, the floor taken over its first seconds as analyze and stream take it. Printed per folder, model and
strength: the mean EF error at the true frames (predicted minus true, EF points: the segmentation's bias, beats
aside) and its MAE over the beats, and the median predicted/true volume at ED and at ES (FrameVolumes.csv).
Strength 0 is the frames as read. Choose a strength on clips of a tuning seed; report on others.

  python benchmarks/declutter.py --data DIR [DIR ...] --models M [M ...] [--strengths 0 0.5 0.7] [--videos 20]
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
from collections import defaultdict

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from lvseg.analysis.video import frame_volume  # noqa: E402
from lvseg.analysis.volumes import measure  # noqa: E402
from lvseg.datasets.video import load_video  # noqa: E402
from lvseg.inference.declutter import declutter_clip  # noqa: E402
from lvseg.inference.mirror import MirrorRunner  # noqa: E402
from lvseg.inference.models import describe, load_runner  # noqa: E402


def read_csv(path: str) -> list[dict]:
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def score(data: str, runner, kind: str, strengths: list[float], videos: int) -> dict[float, dict[str, float]]:
    """Per strength: mean and MAE of the EF error at the true frames, median volume ratios at ED and ES."""
    beats: dict[str, list[tuple[int, int, float]]] = defaultdict(list)
    for row in read_csv(os.path.join(data, "Beats.csv")):
        beats[row["FileName"]].append((int(row["EDFrame"]), int(row["ESFrame"]), float(row["EF"])))
    truth: dict[str, dict[int, float]] = defaultdict(dict)
    for row in read_csv(os.path.join(data, "FrameVolumes.csv")):
        truth[row["FileName"]][int(row["Frame"])] = float(row["Volume"])
    fps = {row["FileName"]: float(row["FPS"]) for row in read_csv(os.path.join(data, "FileList.csv"))}
    found: dict[float, dict[str, list[float]]] = {s: defaultdict(list) for s in strengths}
    for name in sorted(beats)[:videos]:
        frames, _, _ = load_video(os.path.join(data, "Videos", name + ".avi"))
        wanted = sorted({f for ed, es, _ in beats[name] for f in (ed, es)})
        for strength in strengths:
            seen = declutter_clip(frames, fps[name], strength)[wanted]
            volume = {f: frame_volume(measure(s, kind)) for f, s in zip(wanted, runner.segment(seen))}
            for ed, es, ef in beats[name]:
                if np.isfinite(volume[ed]) and np.isfinite(volume[es]):
                    f = found[strength]
                    f["error"].append(100 * (1 - volume[es] / volume[ed]) - ef)
                    f["ed"].append(volume[ed] / truth[name][ed])
                    f["es"].append(volume[es] / truth[name][es])
    return {s: {"beats": len(f["error"]), "bias": float(np.mean(f["error"])), "mae": float(np.mean(np.abs(f["error"]))),
                "ed": float(np.median(f["ed"])), "es": float(np.median(f["es"]))} for s, f in found.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", nargs="+", required=True, help="EchoNet-layout folders written with --truth")
    parser.add_argument("--models", nargs="+", required=True, help="MODEL_DIRs or .tflite files")
    parser.add_argument("--strengths", type=float, nargs="+", default=[0.0, 0.5, 0.7])
    parser.add_argument("--videos", type=int, default=20, help="clips per folder (the first by name)")
    args = parser.parse_args(argv)
    print(f"{'data':<44}{'model':<12}{'strength':>9}{'beats':>6}{'EF error':>9}{'MAE':>6}{'ED vol':>8}{'ES vol':>8}")
    for model in args.models:
        info = describe(model)
        runner = MirrorRunner(load_runner(info, 32))
        for data in args.data:
            for strength, r in score(data, runner, info.kind, args.strengths, args.videos).items():
                print(f"{data[-44:]:<44}{info.name:<12}{strength:>9.2f}{r['beats']:>6}{r['bias']:>+9.2f}"
                      f"{r['mae']:>6.2f}{r['ed']:>8.3f}{r['es']:>8.3f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
