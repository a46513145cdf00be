"""Per-frame vs temporally averaged segmentation (lvseg.inference.temporal) on whole synthetic videos.

For each video of an EchoNet-layout folder written with ``--truth`` (FrameVolumes.csv, Beats.csv), each model is
run frame by frame (window 1) and with its outputs averaged over a centred window of W frames; both go through
the same analysis (lvseg.analysis.video.analyse_video). Printed per window: curve jitter (rms second difference
of the predicted volume curve over its mean; the true curve's is the floor), EF MAE against FileList EF, median
|ED| and |ES| frame error of the found beats against the true beats, and the share of `erratic` flags.
Usage: python benchmarks/temporal.py --data DIR --model MODEL_DIR_OR_TFLITE [--windows 1 3 5] [--videos 20]
"""

from __future__ import annotations

import argparse
import csv
import os
import time
from collections import defaultdict

import numpy as np


def read_csv(path: str) -> list[dict]:
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def jitter(volumes: np.ndarray) -> float:
    v = volumes[np.isfinite(volumes)]
    return float(np.sqrt(np.mean(np.diff(v, 2) ** 2)) / np.mean(v)) if len(v) > 3 else float("nan")


def main(argv: list[str] | None = None) -> int:
    from lvseg.analysis.video import analyse_video
    from lvseg.datasets.video import load_video
    from lvseg.inference.models import describe, load_runner
    from lvseg.inference.temporal import temporal_mean
    from lvseg.inference.decode import segment

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--windows", type=int, nargs="+", default=[1, 3, 5])
    parser.add_argument("--videos", type=int, default=20)
    args = parser.parse_args(argv)
    runner = load_runner(describe(args.model), 32)
    filelist = read_csv(os.path.join(args.data, "FileList.csv"))[: args.videos]
    true_beats: dict[str, list[dict]] = defaultdict(list)
    for row in read_csv(os.path.join(args.data, "Beats.csv")):
        true_beats[row["FileName"]].append(row)
    true_volumes: dict[str, list[float]] = defaultdict(list)
    for row in read_csv(os.path.join(args.data, "FrameVolumes.csv")):
        true_volumes[row["FileName"]].append(float(row["Volume"]))
    stats: dict[int, dict[str, list]] = {w: defaultdict(list) for w in args.windows}
    start = time.time()
    for row in filelist:
        name = row["FileName"]
        frames, fps, _ = load_video(os.path.join(args.data, "Videos", name + ".avi"))
        outputs = runner.predict(frames)
        for window in args.windows:
            segs = [segment(runner.kind, o) for o in temporal_mean(outputs, window)]
            analysis = analyse_video(segs, runner.kind, fps)
            s = stats[window]
            s["jitter"].append(jitter(analysis.volumes))
            s["floor"].append(jitter(np.array(true_volumes[name])))
            if analysis.ef is not None:
                s["ef_err"].append(abs(analysis.ef - float(row["EF"])))
            found = analysis.beats
            for beat in true_beats[name]:
                if found:
                    s["ed_err"].append(min(abs(int(beat["EDFrame"]) - b.ed_frame) for b in found))
                    s["es_err"].append(min(abs(int(beat["ESFrame"]) - b.es_frame) for b in found))
            s["erratic"].append("erratic" in analysis.flags)
    print(f"{len(filelist)} videos, {args.model}, {time.time() - start:.0f} s")
    print(f"{'window':>6}{'jitter':>9}{'floor':>8}{'EF MAE':>8}{'ED err':>8}{'ES err':>8}{'erratic':>9}")
    for window, s in stats.items():
        print(f"{window:>6}{np.nanmedian(s['jitter']):>9.4f}{np.nanmedian(s['floor']):>8.4f}"
              f"{np.mean(s['ef_err']):>8.2f}{np.median(s['ed_err']):>8.1f}{np.median(s['es_err']):>8.1f}"
              f"{np.mean(s['erratic']):>9.0%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
