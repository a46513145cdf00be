"""The output rule's waist cut (lvseg.geometry.waist) on leaks built from the generator's own label maps.

A real model's LV may run through the mitral valve into the atrium. Here that failure is built exactly: each
traced frame's true LV mask joined with the true left atrium, mitral apparatus and annulus (lvseg.synth.truth
label maps; the whole atrium, or its half next to the valve), then cut by the rule. Printed per leak and phase:
the median predicted/true area before and after the cut, its 10th-90th percentiles, mean Dice before and
after, and (no leak) the share of masks the rule changed by more than 2 % of the LV area: its false cuts.
The rule's defaults were chosen with this script on the TRAIN split of seed 0 (``--split TRAIN``); report
on other seeds, splits or styles.
Usage: python benchmarks/waist.py --data DIR --seed SEED [--style STYLE] [--split SPLIT] [--max-frames 64]
(DIR written by ``lvseg synth echonet --seed SEED --style STYLE --max-frames N``, the same N.)
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from benchmarks.transfer import echonet_frames
from lvseg.geometry.waist import cut_at_waist
from lvseg.metrics.dice import overlap


def leaks(mask: np.ndarray, atrium: np.ndarray) -> dict[str, np.ndarray]:
    """The true LV alone, with the whole atrium, and with the atrium's rows nearest the valve (its upper half)."""
    rows = np.flatnonzero(atrium.any(axis=1))
    near = atrium.copy()
    if len(rows):
        near[rows[len(rows) // 2 + 1]:] = False
    return {"no leak": mask, "half LA": mask | near, "whole LA": mask | atrium}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--style", default="train")
    parser.add_argument("--split", default=None, help="one split of the dataset (default: every video)")
    parser.add_argument("--max-frames", type=int, default=64)
    args = parser.parse_args(argv)
    frames = echonet_frames(args.data, args.split, args.seed, args.style, args.max_frames)
    phases = np.array(frames.phases)
    start, cut_count = time.perf_counter(), 0
    print(f"{len(phases)} traced frames of {args.data} (style {args.style}, seed {args.seed}, split {args.split})")
    print(f"{'leak':<9}{'phase':<6}{'area before':>12}{'after':>8}{'after p10-p90':>16}{'Dice before':>13}"
          f"{'after':>7}{'changed':>9}")
    for name in ("no leak", "half LA", "whole LA"):
        before, after, dice_before, dice_after, changed = [], [], [], [], []
        for mask, atrium in zip(frames.masks.astype(bool), frames.atria):
            leaky = leaks(mask, atrium)[name].astype(np.uint8)
            cut = cut_at_waist(leaky)
            cut_count += 1
            before.append(leaky.sum() / mask.sum())
            after.append(cut.sum() / mask.sum())
            dice_before.append(overlap(leaky, mask).dice)
            dice_after.append(overlap(cut, mask).dice)
            changed.append((cut != leaky).sum() > 0.02 * mask.sum())
        for phase in ("ED", "ES"):
            s = phases == phase
            low, high = np.percentile(np.array(after)[s], [10, 90])
            print(f"{name:<9}{phase:<6}{np.median(np.array(before)[s]):>11.3f}x{np.median(np.array(after)[s]):>7.3f}x"
                  f"{low:>9.3f}-{high:.3f}{np.mean(np.array(dice_before)[s]):>13.3f}{np.mean(np.array(dice_after)[s]):>7.3f}"
                  f"{np.mean(np.array(changed)[s]):>9.1%}")
    print(f"{1000 * (time.perf_counter() - start) / cut_count:.2f} ms per cut (with the Dice bookkeeping)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
