"""Held-out-appearance study: does a mask U-Net trained on one generator survive appearance it never saw?

Models, identical but for their training data and on-the-fly augmentation:
  A   the OLD generator and trainer (a checkout of main before issue 12, ``--base``, run with PYTHONPATH=BASE);
  B   this tree's generator (default training style) and trainer;
  A2  (ablation, ``--only A2``) A's data with this tree's trainer: the new appearance augmentation alone.
Both: ``lvseg train --model mask --preset compact --epochs E --seed 0`` on ``--videos`` videos (seed 0,
``--max-frames 64``). Each is scored (lvseg.metrics.dice: pooled Dice over all frames and the mean per-frame
Dice) on every evaluation set: the TEST split of both training sets, held-out style sets rendered by
this tree with appearance settings outside the training ranges (``lvseg synth echonet --style NAME``,
every traced frame of every video), the synthetic CAMUS set of both generators (another scanner), and
``under`` = share of frames whose predicted area is below half the true one (the real-frame failure).
Scores also land in WORK/scores.json.

Every stage is the real CLI (``lvseg synth / preprocess / train``) in a subprocess and is skipped when its
output exists, so an interrupted run resumes. Scoring uses the Python APIs evaluation uses.
Usage: python benchmarks/transfer.py --work DIR [--base /tmp/base] [--videos 250] [--epochs 20]
       [--only A|A2|B|heldout|score]
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
HELDOUT = ("heldout-haze", "heldout-psf", "heldout-contrast", "heldout-walls")


def lvseg(tree: str, argv: list[str], log: str) -> float:
    """Run ``lvseg ARGV`` with ``tree`` first on PYTHONPATH; returns seconds taken."""
    env = {**os.environ, "PYTHONPATH": tree, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONUNBUFFERED": "1"}
    start = time.time()
    with open(log, "a") as handle:
        handle.write(f"$ PYTHONPATH={tree} lvseg {' '.join(argv)}\n")
        handle.flush()
        subprocess.run([sys.executable, "-m", "lvseg.cli", *argv], check=True, env=env, stdout=handle,
                       stderr=subprocess.STDOUT)
    seconds = time.time() - start
    print(f"  {seconds:7.1f} s  lvseg {' '.join(argv)}", flush=True)
    return seconds


def build(work: str, tag: str, tree: str, args: argparse.Namespace, data_tag: str | None = None) -> None:
    """Data, records and model of one arm (tag 'A' = old, 'B' = new; ``data_tag`` reuses another arm's data)."""
    data, records = (os.path.join(work, k, data_tag or tag) for k in ("data", "records"))
    model = os.path.join(work, "models", tag)
    log = os.path.join(work, f"log-{tag}.txt")
    if not os.path.exists(os.path.join(data, "FileList.csv")):
        lvseg(tree, ["synth", "echonet", "--out", data, "--videos", str(args.videos), "--seed", "0",
                     "--max-frames", "64", *(["--workers", str(args.workers)] if tag == "B" else [])], log)
    if not os.path.exists(os.path.join(records, "manifest.json")):
        lvseg(HERE, ["preprocess", "--data", data, "--out", records, "--no-write-videos"], log)
    if not os.path.exists(os.path.join(model, "model.keras")):
        lvseg(tree, ["train", "--model", "mask", "--preset", "compact", "--records", records, "--out", model,
                     "--epochs", str(args.epochs), "--seed", "0"], log)
    camus = os.path.join(work, "camus", data_tag or tag)
    if not os.path.isdir(camus):
        lvseg(tree, ["synth", "camus", "--out", camus, "--patients", str(args.camus), "--seed", "1"], log)


def build_heldout(work: str, args: argparse.Namespace) -> None:
    log = os.path.join(work, "log-heldout.txt")
    for style in HELDOUT:
        out = os.path.join(work, "data", style)
        if not os.path.exists(os.path.join(out, "FileList.csv")):
            lvseg(HERE, ["synth", "echonet", "--out", out, "--videos", str(args.heldout_videos), "--seed", "1",
                         "--max-frames", "64", "--style", style, "--workers", str(args.workers)], log)


def echonet_frames(root: str, split: str | None) -> tuple[np.ndarray, np.ndarray]:
    """Traced frames and official masks of a dataset (one split, or all when ``split`` is None)."""
    from lvseg.datasets.echonet import EchoVideo, iter_dataset

    images, masks = [], []
    for video in iter_dataset(root):
        if isinstance(video, EchoVideo) and (split is None or video.meta.split == split):
            for traced in video.traced:
                images.append(video.frames[traced.index])
                masks.append(traced.mask)
    return np.stack(images), np.stack(masks)


def camus_frames(root: str) -> tuple[np.ndarray, np.ndarray]:
    from lvseg.datasets.camus import iter_camus

    frames = list(iter_camus(root))
    return np.stack([f.image for f in frames]), np.stack([f.mask for f in frames])


def evaluation_sets(work: str) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    sets = {"TEST old generator": echonet_frames(os.path.join(work, "data", "A"), "TEST"),
            "TEST new generator": echonet_frames(os.path.join(work, "data", "B"), "TEST")}
    for style in HELDOUT:
        sets[style] = echonet_frames(os.path.join(work, "data", style), None)
    sets["CAMUS old generator"] = camus_frames(os.path.join(work, "camus", "A"))
    sets["CAMUS new generator"] = camus_frames(os.path.join(work, "camus", "B"))
    return sets


def score(model, images: np.ndarray, masks: np.ndarray) -> dict[str, float]:
    """Pooled and mean per-frame Dice, and the share of frames predicted at under half the true area."""
    from lvseg.inference.decode import segment
    from lvseg.inference.encode import to_model_input
    from lvseg.metrics.dice import overlap, pooled_dice

    outputs = model.predict(to_model_input(images), batch_size=32, verbose=0)
    overlaps = [overlap(segment("mask", out).mask, true) for out, true in zip(outputs, masks)]
    return {"pooled": pooled_dice(overlaps), "mean": float(np.mean([o.dice for o in overlaps])),
            "under": float(np.mean([o.predicted < 0.5 * o.true for o in overlaps])),
            "empty": float(np.mean([o.predicted == 0 for o in overlaps])), "frames": len(overlaps)}


def score_all(work: str) -> str:
    """The table: one row per evaluation set, pooled / mean Dice and under-segmented share per model."""
    from lvseg.inference.model_dir import load_trained

    sets = evaluation_sets(work)
    models = {tag: load_trained(os.path.join(work, "models", tag))[0] for tag in ("A", "A2", "B")
              if os.path.exists(os.path.join(work, "models", tag, "model.keras"))}
    lines = [f"{'evaluation set':<22}{'frames':>7}  " + "  ".join(
        f"{tag + ' pooled':>9} {tag + ' mean':>7} {tag + ' under':>8}" for tag in models)]
    results = {}
    for name, (images, masks) in sets.items():
        row = {tag: score(model, images, masks) for tag, model in models.items()}
        results[name] = row
        lines.append(f"{name:<22}{len(images):>7}  " + "  ".join(
            f"{r['pooled']:>9.3f} {r['mean']:>7.3f} {r['under']:>8.3f}" for r in row.values()))
    with open(os.path.join(work, "scores.json"), "w") as handle:
        json.dump(results, handle, indent=2)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", required=True)
    parser.add_argument("--base", default="/tmp/base", help="checkout of the old generator and trainer")
    parser.add_argument("--videos", type=int, default=250)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--heldout-videos", type=int, default=40)
    parser.add_argument("--camus", type=int, default=40, help="synthetic CAMUS patients per generator")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", choices=("A", "A2", "B", "heldout", "score"), default=None)
    args = parser.parse_args(argv)
    os.makedirs(args.work, exist_ok=True)
    if args.only in (None, "A"):
        build(args.work, "A", os.path.abspath(args.base), args)
    if args.only == "A2":
        build(args.work, "A2", HERE, args, data_tag="A")
    if args.only in (None, "B"):
        build(args.work, "B", HERE, args)
    if args.only in (None, "heldout"):
        build_heldout(args.work, args)
    if args.only in (None, "score"):
        print(score_all(args.work))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
