"""Mirror averaging on VAL: each traced frame segmented as it is and mirrored left-right, the two outputs averaged.

An apical four-chamber view is shown either way round (labs differ), and lvseg's models are trained with random
mirroring, so a mirrored frame is a second, partly independent look at the same ventricle. Averaging the two
raw outputs (lvseg.inference.mirror: the mirrored one flipped back, a landmark model's channels re-ordered)
before the output rule costs a second inference per frame.
This measures what it buys on the traced frames of a split of the records (VAL: tune here, not on TEST):
pooled Dice, median predicted/true area at ED and ES, the spread of the per-frame log area ratio, and an
area-based EF per video (1 - (ES area / ED area) ** 1.5, predicted against true: the volume ratio of a shape
that scales alike in every direction) as its mean error and MAE, and the same for the disk-volume EF the analysis
makes from each mask (lvseg.analysis.volumes.measure_mask, against the same of the true mask). With --thresholds,
a mask model's averaged output is also cut at each given probability (lvseg.inference.decode uses MASK_THRESHOLD).

  python benchmarks/flip_average.py --model MODEL_DIR --records RECORDS [--split VAL] [--thresholds 0.4 0.6]
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from lvseg.analysis.volumes import measure_mask  # noqa: E402
from lvseg.inference.decode import segment  # noqa: E402
from lvseg.inference.mirror import mirror_back  # noqa: E402
from lvseg.inference.models import describe, load_runner  # noqa: E402
from lvseg.records.shards import iter_frames  # noqa: E402


def scores(masks: np.ndarray, truth: np.ndarray, true_volume: list[float], phases: list[str],
           videos: list[str]) -> str:
    """One line of figures for ``masks`` against ``truth`` (``true_volume``: measure_mask of each true mask)."""
    true_area = truth.reshape(len(truth), -1).sum(1)
    area = masks.reshape(len(masks), -1).sum(1)
    ratio = np.maximum(area, 1) / true_area
    dice = 2 * np.logical_and(masks > 0, truth > 0).sum() / (masks.sum() + truth.sum())
    volume = [measure_mask(m).volume if m.any() else np.nan for m in masks]
    by: dict[str, dict[str, tuple[float, float, float, float]]] = {}
    for video, phase, a, t, v, tv in zip(videos, phases, area, true_area, volume, true_volume):
        by.setdefault(video, {})[phase] = (a, t, v, tv)
    pairs = [d for d in by.values() if len(d) == 2 and d["ED"][0] > 0]
    errors = np.array([100 * ((d["ES"][1] / d["ED"][1]) ** 1.5 - (d["ES"][0] / d["ED"][0]) ** 1.5) for d in pairs])
    volume_errors = np.array([100 * (d["ES"][3] / d["ED"][3] - d["ES"][2] / d["ED"][2]) for d in pairs])
    volume_errors = volume_errors[np.isfinite(volume_errors)]
    ed = np.median(ratio[np.array(phases) == "ED"])
    es = np.median(ratio[np.array(phases) == "ES"])
    return (f"Dice {dice:.4f}  area ED x{ed:.3f}  ES x{es:.3f}  sd(log area ratio) {np.std(np.log(ratio)):.4f}  "
            f"area-EF error {errors.mean():+.2f}  MAE {np.abs(errors).mean():.2f}  volume-EF error "
            f"{volume_errors.mean():+.2f}  MAE {np.abs(volume_errors).mean():.2f}  ({len(errors)} videos)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="a MODEL_DIR or .tflite file")
    parser.add_argument("--records", required=True)
    parser.add_argument("--split", default="VAL")
    parser.add_argument("--thresholds", type=float, nargs="*", default=[],
                        help="mask models: also cut the averaged output at these probabilities")
    args = parser.parse_args(argv)
    info = describe(args.model)
    runner = load_runner(info)
    frames = list(iter_frames(args.records, args.split))
    images = np.stack([f["image"] for f in frames])
    truth = np.stack([f["mask"] for f in frames])
    phases, videos = [f["phase"] for f in frames], [f["video_id"] for f in frames]
    true_volume = [measure_mask(t).volume for t in truth]  # once: every line below is scored against them
    plain = runner.predict(images)
    mirrored = mirror_back(runner.predict(np.ascontiguousarray(images[:, :, ::-1])), info.kind, info.landmark_scheme)
    print(f"{info.name} ({info.kind}), {args.split}: {len(frames)} traced frames")
    for label, outputs in (("as is", plain), ("mirrored", mirrored), ("averaged", (plain + mirrored) / 2)):
        masks = np.stack([segment(info.kind, output).mask for output in outputs])
        print(f"  {label:<9} {scores(masks, truth, true_volume, phases, videos)}")
    for threshold in args.thresholds if info.kind == "mask" else []:
        masks = (((plain + mirrored) / 2)[..., 0] > threshold).astype(np.uint8)
        print(f"  averaged, cut at {threshold:.2f}: {scores(masks, truth, true_volume, phases, videos)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
