"""The waist cut (lvseg.geometry.waist, ``waist:M`` specs) on a mask model's own masks: what it removes, and from where.

benchmarks/waist.py builds leaks from the label maps; this one asks what the cut does to a trained model's masks
on synthetic sets (every traced frame of each DIR, seed SEED, style STYLE: clips of ``lvseg synth echonet
--seed SEED --style STYLE --max-frames 64``) and on a CAMUS-layout set. Per set: mean Dice without and with the
cut, frames the cut changed, helped and hurt, pixels removed and how many of them were true LV. ``--cuts`` also
lists every frame cut at a waist (not only reduced to its largest component): the waist's place along the
mask's long axis (0 apex, 1 base end), its width against the widest section above and beyond it, and Dice.
Usage: python benchmarks/waist_model.py --model MODEL_DIR --seed SEED --data DIR [DIR ...] [--camus DIR] [--cuts]
(each DIR's style is its folder name, e.g. .../heldout-psf; the default style ``train`` otherwise).
"""

from __future__ import annotations

import argparse
import os

import numpy as np

from benchmarks.transfer import Frames, camus_frames, echonet_frames
from lvseg.geometry.waist import axis_slabs, cut_at_waist, find_waist, largest_component
from lvseg.inference.models import describe, load_runner
from lvseg.metrics.dice import overlap
from lvseg.synth.style import STYLES


def waist_of(mask: np.ndarray) -> tuple[float, float, float, float] | None:
    """(position 0-1 along the axis, width, widest above, widest beyond) of the mask's waist, or None."""
    slabs = axis_slabs(largest_component(mask))
    if slabs is None:
        return None
    widths = slabs[3]
    k = find_waist(widths)
    return None if k is None else (k / len(widths), widths[k], widths[:k].max(), widths[k + 1:].max())


def report(name: str, frames: Frames, masks: list[np.ndarray], cuts: bool) -> None:
    cut = [cut_at_waist(m) for m in masks]
    before = np.array([overlap(m, t).dice for m, t in zip(masks, frames.masks)])
    after = np.array([overlap(c, t).dice for c, t in zip(cut, frames.masks)])
    removed = [m.astype(bool) & ~c.astype(bool) for m, c in zip(masks, cut)]
    true_lv = sum(int((r & t.astype(bool)).sum()) for r, t in zip(removed, frames.masks))
    print(f"{name:<32}{len(masks):>7}{before.mean():>9.4f}{after.mean():>9.4f}{sum(r.any() for r in removed):>9}"
          f"{(after > before).sum():>7}{(after < before).sum():>6}{sum(int(r.sum()) for r in removed):>9}{true_lv:>9}")
    for i, mask in enumerate(masks):
        found = waist_of(mask) if cuts and removed[i].any() else None
        if found is not None:
            position, width, above, beyond = found
            print(f"    frame {i:3d} {frames.phases[i]}  waist at {position:.2f}, width {width:4.1f} (above {above:4.1f}, "
                  f"beyond {beyond:4.1f}), removed {removed[i].sum():4d} px, Dice {before[i]:.3f} -> {after[i]:.3f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="a mask MODEL_DIR or .tflite")
    parser.add_argument("--seed", type=int, required=True, help="the seed the --data sets were generated with")
    parser.add_argument("--data", nargs="*", default=[])
    parser.add_argument("--camus", default="")
    parser.add_argument("--cuts", action="store_true", help="list every frame cut at a waist")
    args = parser.parse_args(argv)
    runner = load_runner(describe(args.model), 32)
    print(f"{'set':<32}{'frames':>7}{'Dice':>9}{'cut':>9}{'changed':>9}{'helped':>7}{'hurt':>6}{'removed':>9}"
          f"{'true LV':>9}")
    for root in args.data:
        style = os.path.basename(root.rstrip("/"))
        frames = echonet_frames(root, None, args.seed, style if style in STYLES else "train")
        report(f"{style} (seed {args.seed})", frames, [s.mask for s in runner.segment(frames.images)], args.cuts)
    if args.camus:
        frames = camus_frames(args.camus)
        report("CAMUS", frames, [s.mask for s in runner.segment(frames.images)], args.cuts)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
