"""Held-out study: do models trained on this tree's synthetic data survive appearance and LV bases they never saw?

Everything comes from this tree (no other checkout): the training set (``lvseg synth echonet``, default styles,
seed 0), the models (``lvseg train --preset compact``, one per arm), and the evaluation sets:
  TEST                   the training set's TEST split;
  heldout-*              clips of seed 1 rendered in the appearance styles (haze, psf, contrast, walls) and the
                         base styles (hidden leaflets, lateral drop-out, bright LA, valve open at ES) that no
                         training clip uses (lvseg.synth.style), every traced frame of every video;
  CAMUS                  the synthetic CAMUS-layout set (another scanner, 4 chamber ED/ES).
Arms: ``mask`` and ``landmarks`` (the default trainer: the mask loss weighs the band beyond the base line,
``--base-weight`` 4) and ``mask-w0`` (``--base-weight 0``: plain Dice + BCE), so the base loss is measured;
``mask-inside`` is ``mask`` trained on the same hearts rendered with the generator's old border (style
``train-border-inside``: every trabecula inside the tracing), scored on today's border (the trabeculae's tips,
as real tracings sit), so what a border convention 1-2 px off does to area and EF is measured;
``mask+cut`` is the ``mask`` model's masks cut at an annulus-like waist (lvseg.geometry.waist, a shape
step measured here and not part of the output rule). Per set and model it prints mean Dice (per frame, as
evaluation's tables), the median predicted/true area ratio at ED and ES, and the median LA leak at ES:
predicted LV pixels inside the true left atrium (and mitral apparatus), as a share of the true LV area,
from the generator's own label maps (lvseg.synth.truth; not available for CAMUS). Scores also land in
WORK/scores.json.

Every stage is the real CLI in a subprocess and is skipped when its output exists, so an interrupted run
resumes; the scores are recomputed every time.
Usage: python benchmarks/transfer.py --work DIR [--videos 250] [--epochs 20] [--heldout-videos 40]
       [--only data|train|score] [--models TAG=MODEL_DIR ...]   (--models: score given models, train none)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
APPEARANCE = ("heldout-haze", "heldout-psf", "heldout-contrast", "heldout-walls")
BASE = ("heldout-base-hidden", "heldout-base-dropout", "heldout-base-bright-la", "heldout-base-open-es")
TRAIN_SEED, HELDOUT_SEED, MAX_FRAMES = 0, 1, 64
RECORDS = {"train": "records", "train-border-inside": "records-inside"}  # training set -> its records


def lvseg(argv: list[str], log: str) -> float:
    """Run ``lvseg ARGV`` from this tree; returns seconds taken."""
    env = {**os.environ, "PYTHONPATH": HERE, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONUNBUFFERED": "1"}
    start = time.time()
    with open(log, "a") as handle:
        handle.write(f"$ lvseg {' '.join(argv)}\n")
        handle.flush()
        subprocess.run([sys.executable, "-m", "lvseg.cli", *argv], check=True, env=env, stdout=handle,
                       stderr=subprocess.STDOUT)
    seconds = time.time() - start
    print(f"  {seconds:7.1f} s  lvseg {' '.join(argv)}", flush=True)
    return seconds


def build_data(work: str, args: argparse.Namespace) -> None:
    log = os.path.join(work, "log-data.txt")
    training_sets = {} if args.models else RECORDS  # models trained elsewhere need no training set
    sets = [(name, name, args.videos, TRAIN_SEED) for name in training_sets]
    sets += [(s, s, args.heldout_videos, HELDOUT_SEED) for s in APPEARANCE + BASE]
    for name, style, videos, seed in sets:
        out = os.path.join(work, "data", name)
        if not os.path.exists(os.path.join(out, "FileList.csv")):
            lvseg(["synth", "echonet", "--out", out, "--videos", str(videos), "--seed", str(seed), "--max-frames",
                   str(MAX_FRAMES), "--style", style, "--workers", str(args.workers)], log)
    for data, records in training_sets.items():
        records = os.path.join(work, records)
        if not os.path.exists(os.path.join(records, "manifest.json")):
            lvseg(["preprocess", "--data", os.path.join(work, "data", data), "--out", records,
                   "--no-write-videos"], log)
    camus = os.path.join(work, "camus")
    if not os.path.isdir(camus):
        lvseg(["synth", "camus", "--out", camus, "--patients", str(args.camus), "--seed", "1"], log)


def arms(args: argparse.Namespace) -> dict[str, tuple[list[str], str]]:
    """Model tag -> (``lvseg train`` flags, the records it trains on)."""
    mask = ["--model", "mask"]
    return {"mask": (mask, "records"), "mask-w0": ([*mask, "--base-weight", "0"], "records"),
            "landmarks": (["--model", "landmarks"], "records"), "mask-inside": (mask, "records-inside")}


def train(work: str, args: argparse.Namespace) -> None:
    for tag, (flags, records) in arms(args).items():
        model = os.path.join(work, "models", tag)
        if not os.path.exists(os.path.join(model, "model.keras")):
            lvseg(["train", *flags, "--preset", "compact", "--records", os.path.join(work, records), "--out",
                   model, "--epochs", str(args.epochs), "--seed", "0"], os.path.join(work, f"log-{tag}.txt"))


class Frames:
    """Traced frames of one evaluation set: images, true masks, phases and (synthetic sets) the generator's
    label maps (lvseg.synth.labels classes)."""

    def __init__(self, images, masks, phases, labels) -> None:
        self.images, self.masks, self.phases, self.labels = images, masks, phases, labels


def echonet_frames(root: str, split: str | None, seed: int, style: str, max_frames: int = MAX_FRAMES) -> Frames:
    """Every traced frame (of one split, or all) with the generator's own label map of that frame."""
    from lvseg.datasets.echonet import EchoVideo, iter_dataset
    from lvseg.synth.sampling import video_id
    from lvseg.synth.truth import video_truth

    index = {video_id(seed, i): i for i in range(10_000)}
    images, masks, phases, labels = [], [], [], []
    for video in iter_dataset(root):
        if not isinstance(video, EchoVideo) or (split is not None and video.meta.split != split):
            continue
        truth = video_truth(seed, index[video.video_id], max_frames=max_frames)
        for traced in video.traced:
            images.append(video.frames[traced.index])
            masks.append(traced.mask)
            phases.append(traced.phase)
            labels.append(truth.labels(traced.index, style))
    return Frames(np.stack(images), np.stack(masks), phases, np.stack(labels))


def camus_frames(root: str) -> Frames:
    from lvseg.datasets.camus import iter_camus

    frames = list(iter_camus(root))
    return Frames(np.stack([f.image for f in frames]), np.stack([f.mask for f in frames]),
                  [f.phase for f in frames], None)


def evaluation_sets(work: str) -> dict[str, Frames]:
    train = os.path.join(work, "data", "train")  # not built when --models scores models trained elsewhere
    sets = {"TEST": echonet_frames(train, "TEST", TRAIN_SEED, "train")} if os.path.isdir(train) else {}
    for style in APPEARANCE + BASE:
        sets[style] = echonet_frames(os.path.join(work, "data", style), None, HELDOUT_SEED, style)
    sets["CAMUS"] = camus_frames(os.path.join(work, "camus"))
    return sets


def score(predicted: list[np.ndarray], frames: Frames) -> dict[str, float | None]:
    """Mean per-frame Dice, median area ratio at ED and ES, median LA leak at ES, share under half the area."""
    from lvseg.metrics.dice import overlap

    overlaps = [overlap(p, t) for p, t in zip(predicted, frames.masks)]
    ratio = np.array([o.predicted / o.true for o in overlaps])
    phases = np.array(frames.phases)
    out: dict[str, float | None] = {
        "dice": float(np.mean([o.dice for o in overlaps])), "frames": len(overlaps),
        "area_ed": float(np.median(ratio[phases == "ED"])), "area_es": float(np.median(ratio[phases == "ES"])),
        "under": float(np.mean(ratio < 0.5)), "leak_es": None}
    if frames.labels is not None:
        from lvseg.synth import labels as L

        atria = np.isin(frames.labels, (L.LA_BLOOD, L.MITRAL, L.ANNULUS)) & ~frames.masks.astype(bool)
        leak = np.array([(p.astype(bool) & a).sum() / t.sum() for p, a, t in zip(predicted, atria, frames.masks)])
        out["leak_es"] = float(np.median(leak[phases == "ES"]))
    return out


def predictions(tag: str, runner, images: np.ndarray) -> dict[str, list[np.ndarray]]:
    """Column -> masks: the output rule (lvseg.inference.decode), and for the default mask model also the
    same masks cut at an annulus-like waist (lvseg.geometry.waist), so the cut is measured."""
    from lvseg.geometry.waist import cut_at_waist

    columns = {tag: [s.mask for s in runner.segment(images)]}
    if tag == "mask":
        columns["mask+cut"] = [cut_at_waist(mask) for mask in columns[tag]]
    return columns


def score_all(work: str, args: argparse.Namespace) -> str:
    """The table: one row per evaluation set, a column group per model."""
    from lvseg.inference.models import describe, load_runner

    sets = evaluation_sets(work)
    if args.models:
        dirs = dict(spec.split("=", 1) for spec in args.models)
    else:
        dirs = {tag: os.path.join(work, "models", tag) for tag in arms(args)
                if os.path.exists(os.path.join(work, "models", tag, "model.keras"))}
    runners = {tag: load_runner(describe(path), 32) for tag, path in dirs.items()}
    results: dict[str, dict] = {}
    for name, frames in sets.items():
        results[name] = {}
        for tag, runner in runners.items():
            for column, masks in predictions(tag, runner, frames.images).items():
                results[name][column] = score(masks, frames)
    columns = list(next(iter(results.values())))
    head = "".join(f" | {column:<10} Dice  areaED  areaES  leakES" for column in columns)
    lines = [f"{'evaluation set':<24}{'frames':>7}{head}"]
    for name, frames in sets.items():
        cells = []
        for r in results[name].values():
            leak = "    -" if r["leak_es"] is None else f"{100 * r['leak_es']:5.1f}%"
            cells.append(f" | {'':<10}{r['dice']:5.3f}  {r['area_ed']:6.3f}  {r['area_es']:6.3f}  {leak:>6}")
        lines.append(f"{name:<24}{len(frames.images):>7}" + "".join(cells))
    with open(os.path.join(work, "scores.json"), "w") as handle:
        json.dump(results, handle, indent=2)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", required=True)
    parser.add_argument("--videos", type=int, default=250)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--heldout-videos", type=int, default=40)
    parser.add_argument("--camus", type=int, default=40, help="synthetic CAMUS patients")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", choices=("data", "train", "score"), default=None)
    parser.add_argument("--models", nargs="+", metavar="TAG=MODEL_DIR",
                        help="score these trained models (e.g. the demo's) on the held-out sets instead of training "
                             "the study's own; the training sets are then not built")
    args = parser.parse_args(argv)
    if args.models and not all("=" in spec for spec in args.models):
        parser.error("--models takes TAG=MODEL_DIR items")
    os.makedirs(args.work, exist_ok=True)
    if args.only in (None, "data"):
        build_data(args.work, args)
    if args.only in (None, "train") and not args.models:
        train(args.work, args)
    if args.only in (None, "score"):
        print(score_all(args.work, args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
